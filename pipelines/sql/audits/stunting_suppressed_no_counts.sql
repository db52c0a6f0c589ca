-- audit: a hidden family of counts carries no count, rate, interval, limit, class or rank, in
-- every stunting mart the dashboard reads; every count under min_cell is hidden, each on its own
-- denominator (n_children for the row, n_haz for stunting, n_whz for wasting and overweight,
-- n_waz for underweight); a hidden row hides every family. Zero rows expected. Needs the
-- build's config variables (pipelines.marts.set_config_variables); without them it fails
-- instead of passing.
SELECT 'mart_prevalensi' AS mart, level, kode, period_type, period
FROM mart_prevalensi
WHERE suppressed AND coalesce(n_haz, n_stunted, n_severe, n_flag_haz, rank, rank_lo, rank_hi,
                              n_peers) IS NOT NULL
   OR suppressed AND coalesce(pct_stunted, pct_stunted_lo95, pct_stunted_hi95, pct_severe,
                              pct_severe_lo95, pct_stunted_eb, diff_pts, induk_pct_stunted,
                              p_above, p_below, funnel_lo95, funnel_hi95, funnel_lo998,
                              funnel_hi998, phi, phi_limit, tau_pts, pct_beyond_chance,
                              funnel_adj_lo95, funnel_adj_hi95, funnel_adj_lo998,
                              funnel_adj_hi998, chg_prev_pts, chg_yoy_pts) IS NOT NULL
   OR suppressed AND (arah IS NOT NULL OR signif IS NOT NULL OR signif_adj IS NOT NULL)
   OR suppressed_anak AND (n_children IS NOT NULL OR NOT suppressed OR NOT suppressed_whz
                           OR NOT suppressed_waz)
   OR suppressed_whz AND coalesce(n_whz, n_wasted, n_overweight, n_flag_whz, pct_wasted,
                                  pct_wasted_lo95, pct_wasted_hi95, pct_overweight,
                                  pct_overweight_lo95, pct_overweight_hi95) IS NOT NULL
   OR suppressed_waz AND coalesce(n_waz, n_underweight, n_flag_waz, pct_underweight,
                                  pct_underweight_lo95, pct_underweight_hi95) IS NOT NULL
   OR NOT suppressed_anak AND n_children > 0 AND n_children < getvariable('min_cell')
   OR NOT suppressed AND n_haz > 0 AND n_haz < getvariable('min_cell')
   OR NOT suppressed_whz AND n_whz > 0 AND n_whz < getvariable('min_cell')
   OR NOT suppressed_waz AND n_waz > 0 AND n_waz < getvariable('min_cell')
   OR suppressed IS NULL OR suppressed_anak IS NULL OR suppressed_whz IS NULL
   OR suppressed_waz IS NULL
UNION ALL
SELECT 'mart_prevalensi_kabkota', level, kode, period_type, period
FROM mart_prevalensi_kabkota
WHERE suppressed AND coalesce(n_haz, n_stunted, rank, p_above) IS NOT NULL
   OR suppressed AND (coalesce(pct_stunted, pct_stunted_lo95, diff_pts) IS NOT NULL
                      OR signif IS NOT NULL)
   OR suppressed_anak AND n_children IS NOT NULL
UNION ALL
SELECT 'mart_survey_vs_admin', 'kabkota', kode_kabkota, period_type, period
FROM mart_survey_vs_admin
WHERE suppressed AND coalesce(admin_n_haz, admin_pct_stunted, ratio_ssgi_2024) IS NOT NULL
UNION ALL
SELECT 'mart_stunting_spm_pkk', level, kode, period_type, period
FROM mart_stunting_spm_pkk
WHERE suppressed AND coalesce(n_haz, n_stunted, pct_stunted) IS NOT NULL
   OR NOT suppressed AND n_haz > 0 AND n_haz < getvariable('min_cell')
UNION ALL
SELECT 'config variable min_cell not set', NULL, NULL, NULL, NULL
WHERE getvariable('min_cell') IS NULL
