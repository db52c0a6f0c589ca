-- reads: ref_wilayah, stunting_wilson95, tmp_prevalensi_agregat, tmp_prevalensi_eb, tmp_prevalensi_peringkat, tmp_prevalensi_periode, tmp_prevalensi_posyandu_nama, tmp_prevalensi_provinsi, tmp_prevalensi_supresi, tmp_prevalensi_uji
-- grain: tmp_prevalensi_baru (temp) the rows of mart_prevalensi for the periods being
-- recomputed (41_mart_prevalensi.sql merges them and sets the trend columns). mart_prevalensi:
-- one row per level (provinsi, kabkota, kecamatan, desa, posyandu), unit kode, period_type
-- (bulan, bulan_timbang, tahun) and period ('2025-08', '2025').
-- Counts from tmp_prevalensi_agregat; rates in percent with 95% Wilson intervals; compared with
-- the parent's pooled rate by exact p-values, with over-dispersion-adjusted classes
-- (tmp_prevalensi_uji), ranks (tmp_prevalensi_peringkat), empirical-Bayes rate
-- (tmp_prevalensi_eb). Suppression per family of counts (tmp_prevalensi_supresi): a hidden
-- family's counts, rates, intervals and everything built on them are NULL. docs/marts_stunting.md
-- gives every formula.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_baru AS
WITH base AS (
    SELECT
        a.*,
        s.sup_anak, s.sup_haz, s.sup_whz, s.sup_waz,
        CASE WHEN NOT ps.sup_haz THEN p.prov_pct_stunted END AS prov_pct_stunted,
        CASE WHEN NOT ps.sup_haz THEN p.prov_n_haz END AS prov_n_haz,
        CASE WHEN NOT ps.sup_haz THEN p.prov_n_stunted END AS prov_n_stunted
    FROM tmp_prevalensi_agregat AS a
    JOIN tmp_prevalensi_supresi AS s USING (level, kode, period_type, period_start)
    JOIN tmp_prevalensi_provinsi AS p USING (period_type, period_start)
    JOIN tmp_prevalensi_supresi AS ps
      ON ps.level = 'provinsi' AND ps.period_type = a.period_type
     AND ps.period_start = a.period_start
),
shown AS (
    -- suppression applied once, here; everything below reads only shown values
    SELECT
        b.level, b.kode, b.kode_induk, b.kode_kabkota, b.kode_kecamatan, b.kode_desa,
        b.period_type, b.period_start, b.sup_anak, b.sup_haz, b.sup_whz, b.sup_waz,
        b.prov_pct_stunted, b.prov_n_haz, b.prov_n_stunted,
        CASE WHEN NOT b.sup_anak THEN b.n_children END AS n_children,
        CASE WHEN NOT b.sup_haz THEN COLUMNS(['n_haz', 'n_stunted', 'n_severe', 'n_flag_haz']) END,
        CASE WHEN NOT b.sup_whz THEN COLUMNS(['n_whz', 'n_wasted', 'n_overweight', 'n_flag_whz'])
            END,
        CASE WHEN NOT b.sup_waz THEN COLUMNS(['n_waz', 'n_underweight', 'n_flag_waz']) END,
        CASE WHEN NOT b.sup_haz AND b.n_haz > 0 THEN 100 * b.n_stunted / b.n_haz END
            AS pct_stunted,
        CASE WHEN NOT b.sup_haz THEN eb.pct_stunted_eb END AS pct_stunted_eb,
        -- tmp_prevalensi_uji holds shown units under shown parents only
        u.* EXCLUDE (level, kode, period_type, period_start),
        r.rank, r.rank_lo, r.rank_hi, r.n_peers
    FROM base AS b
    LEFT JOIN tmp_prevalensi_eb AS eb USING (level, kode, period_type, period_start)
    LEFT JOIN tmp_prevalensi_uji AS u USING (level, kode, period_type, period_start)
    LEFT JOIN tmp_prevalensi_peringkat AS r USING (level, kode, period_type, period_start)
),
classed AS (
    -- the exact class (p-values) and the class against the over-dispersion-adjusted limits, as
    -- ordinals -2..2; the adjusted class is never further from 0 than the exact one
    SELECT
        *,
        CASE WHEN p_above IS NULL THEN NULL
             WHEN p_above <= 0.001 THEN 2 WHEN p_above <= 0.025 THEN 1
             WHEN p_below <= 0.001 THEN -2 WHEN p_below <= 0.025 THEN -1 ELSE 0 END AS k_exact,
        CASE WHEN pct_stunted > funnel_adj_hi998 THEN 2 WHEN pct_stunted > funnel_adj_hi95 THEN 1
             WHEN pct_stunted < funnel_adj_lo998 THEN -2 WHEN pct_stunted < funnel_adj_lo95 THEN -1
             ELSE 0 END AS k_adj
    FROM shown
)
SELECT
    s.level,
    s.kode,
    CASE s.level WHEN 'provinsi' THEN 'Jawa Timur' WHEN 'posyandu' THEN pn.posyandu_nama
        ELSE w.nama END AS nama,
    s.kode_kabkota,
    s.kode_kecamatan,
    s.kode_desa,
    s.kode_induk,
    s.period_type,
    l.period,
    s.period_start,
    l.period_end,
    s.n_children,
    s.n_haz,
    s.n_stunted,
    s.pct_stunted,
    s.ci_stunted.lo AS pct_stunted_lo95,
    s.ci_stunted.hi AS pct_stunted_hi95,
    s.n_severe,
    CASE WHEN s.n_haz > 0 THEN 100 * s.n_severe / s.n_haz END AS pct_severe,
    s.ci_severe.lo AS pct_severe_lo95,
    s.ci_severe.hi AS pct_severe_hi95,
    s.n_whz,
    s.n_wasted,
    CASE WHEN s.n_whz > 0 THEN 100 * s.n_wasted / s.n_whz END AS pct_wasted,
    s.ci_wasted.lo AS pct_wasted_lo95,
    s.ci_wasted.hi AS pct_wasted_hi95,
    s.n_waz,
    s.n_underweight,
    CASE WHEN s.n_waz > 0 THEN 100 * s.n_underweight / s.n_waz END AS pct_underweight,
    s.ci_underweight.lo AS pct_underweight_lo95,
    s.ci_underweight.hi AS pct_underweight_hi95,
    s.n_overweight,
    CASE WHEN s.n_whz > 0 THEN 100 * s.n_overweight / s.n_whz END AS pct_overweight,
    s.ci_overweight.lo AS pct_overweight_lo95,
    s.ci_overweight.hi AS pct_overweight_hi95,
    s.n_flag_haz,
    s.n_flag_waz,
    s.n_flag_whz,
    s.pct_stunted_eb,
    s.sup_haz AS suppressed,
    s.sup_anak AS suppressed_anak,
    s.sup_whz AS suppressed_whz,
    s.sup_waz AS suppressed_waz,
    s.prov_pct_stunted,
    s.prov_n_haz,
    s.prov_n_stunted,
    s.pct_stunted - s.prov_pct_stunted AS diff_pts,
    CASE WHEN s.pct_stunted > s.prov_pct_stunted THEN 'di atas'
         WHEN s.pct_stunted < s.prov_pct_stunted THEN 'di bawah'
         WHEN s.pct_stunted = s.prov_pct_stunted THEN 'sama' END AS arah,
    s.induk_pct_stunted,
    s.p_above,
    s.p_below,
    ['bawah_998', 'bawah_95', 'dalam', 'atas_95', 'atas_998'][s.k_exact + 3] AS signif,
    s.funnel_lo95,
    s.funnel_hi95,
    s.funnel_lo998,
    s.funnel_hi998,
    s.phi,
    s.phi_limit,
    s.tau_pts,
    s.pct_beyond_chance,
    s.funnel_adj_lo95,
    s.funnel_adj_hi95,
    s.funnel_adj_lo998,
    s.funnel_adj_hi998,
    ['bawah_998', 'bawah_95', 'dalam', 'atas_95', 'atas_998'][
        CASE WHEN s.tau_pts IS NULL THEN s.k_exact
             WHEN sign(s.k_adj) <> sign(s.k_exact) THEN 0
             ELSE sign(s.k_exact) * least(abs(s.k_adj), abs(s.k_exact)) END::INTEGER + 3
    ] AS signif_adj,
    s.rank,
    s.rank_lo,
    s.rank_hi,
    s.n_peers,
    CAST(NULL AS DOUBLE) AS chg_prev_pts,  -- set over every period by 41_mart_prevalensi.sql
    CAST(NULL AS DOUBLE) AS chg_yoy_pts
FROM (
    -- each 95% interval computed once per row (the macro returns {lo, hi}) from the shown
    -- counts, which are NULL when suppressed: a suppressed family gets NULL intervals
    SELECT
        *,
        stunting_wilson95(n_stunted, n_haz) AS ci_stunted,
        stunting_wilson95(n_severe, n_haz) AS ci_severe,
        stunting_wilson95(n_wasted, n_whz) AS ci_wasted,
        stunting_wilson95(n_underweight, n_waz) AS ci_underweight,
        stunting_wilson95(n_overweight, n_whz) AS ci_overweight
    FROM classed
) AS s
JOIN tmp_prevalensi_periode AS l USING (period_type, period_start)
LEFT JOIN ref_wilayah AS w ON w.kode = s.kode
LEFT JOIN tmp_prevalensi_posyandu_nama AS pn ON s.level = 'posyandu' AND pn.posyandu_key = s.kode
-- no ORDER BY: sorting a million rows costs seconds on every publish and buys the dashboard
-- nothing measurable (it filters by level and period)
;
