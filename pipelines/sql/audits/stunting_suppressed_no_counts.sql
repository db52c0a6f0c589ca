-- audit: a suppressed cell carries no count, rate, interval, limit or rank, in every stunting
-- mart the dashboard reads; and every cell below min_cell children is suppressed. Zero rows.
-- Needs the build's config variables (pipelines.marts.set_config_variables); without them it
-- fails instead of passing.
SELECT 'mart_prevalensi' AS mart, level, kode, period_type, period
FROM mart_prevalensi
WHERE suppressed AND coalesce(n_children, n_haz, n_stunted, n_severe, n_whz, n_wasted, n_waz,
                              n_underweight, n_overweight, n_flag_haz, n_flag_waz, n_flag_whz,
                              rank, rank_lo, rank_hi, n_peers) IS NOT NULL
   OR suppressed AND coalesce(pct_stunted, pct_stunted_lo95, pct_stunted_hi95, pct_severe,
                              pct_wasted, pct_underweight, pct_overweight, pct_stunted_eb,
                              diff_pts, funnel_lo95, funnel_hi95, funnel_lo998, funnel_hi998,
                              chg_prev_pts, chg_yoy_pts) IS NOT NULL
   OR suppressed AND (arah IS NOT NULL OR signif IS NOT NULL)
   OR NOT suppressed AND n_children > 0 AND n_children < getvariable('min_cell')
UNION ALL
SELECT 'mart_prevalensi_kabkota', level, kode, period_type, period
FROM mart_prevalensi_kabkota
WHERE suppressed AND coalesce(n_children, n_haz, n_stunted, rank) IS NOT NULL
   OR suppressed AND coalesce(pct_stunted, pct_stunted_lo95, diff_pts) IS NOT NULL
UNION ALL
SELECT 'mart_survey_vs_admin', 'kabkota', kode_kabkota, period_type, period
FROM mart_survey_vs_admin
WHERE suppressed AND coalesce(admin_n_haz, admin_pct_stunted, ratio_ssgi_2024) IS NOT NULL
UNION ALL
SELECT 'config variable min_cell not set', NULL, NULL, NULL, NULL
WHERE getvariable('min_cell') IS NULL
