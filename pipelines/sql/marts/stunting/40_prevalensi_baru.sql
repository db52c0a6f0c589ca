-- reads: ref_wilayah, stunting_wilson95, tmp_prevalensi_agregat, tmp_prevalensi_eb, tmp_prevalensi_funnel, tmp_prevalensi_peringkat, tmp_prevalensi_periode, tmp_prevalensi_posyandu_nama, tmp_prevalensi_provinsi
-- grain: tmp_prevalensi_baru (temp) the rows of mart_prevalensi for the periods being
-- recomputed (41_mart_prevalensi.sql merges them and sets the trend columns). mart_prevalensi: one row per level (provinsi, kabkota, kecamatan, desa, posyandu), unit
-- kode, period_type (bulan, bulan_timbang, tahun) and period ('2025-08', '2025').
-- Counts from tmp_prevalensi_agregat; rates in percent with 95% Wilson intervals; compared with
-- the provincial value (tmp_prevalensi_funnel, tmp_prevalensi_peringkat); empirical-Bayes rate
-- (tmp_prevalensi_eb); change against the previous period and a year earlier
-- (41_mart_prevalensi.sql). Units with 0 < n_children < min_cell are suppressed: every count,
-- rate, interval, limit, rank and change is NULL. docs/marts_stunting.md gives every formula.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_baru AS
WITH base AS (
    SELECT
        a.*,
        a.n_children > 0 AND a.n_children < getvariable('min_cell') AS suppressed,
        CASE WHEN a.n_haz > 0 THEN 100 * a.n_stunted / a.n_haz END AS pct_raw,
        -- a province with fewer than min_cell children is itself suppressed
        CASE WHEN p.prov_n_children >= getvariable('min_cell') THEN p.prov_pct_stunted END
            AS prov_pct_stunted,
        CASE WHEN p.prov_n_children >= getvariable('min_cell') THEN p.prov_n_haz END AS prov_n_haz,
        CASE WHEN p.prov_n_children >= getvariable('min_cell') THEN p.prov_n_stunted END
            AS prov_n_stunted
    FROM tmp_prevalensi_agregat AS a
    JOIN tmp_prevalensi_provinsi AS p USING (period_type, period_start)
),
shown AS (
    -- suppression applied once, here; everything below reads only shown values
    SELECT
        b.level, b.kode, b.kode_induk, b.kode_kabkota, b.kode_kecamatan, b.kode_desa,
        b.period_type, b.period_start, b.suppressed,
        b.prov_pct_stunted, b.prov_n_haz, b.prov_n_stunted,
        CASE WHEN NOT b.suppressed THEN b.n_children END AS n_children,
        CASE WHEN NOT b.suppressed THEN b.n_haz END AS n_haz,
        CASE WHEN NOT b.suppressed THEN b.n_stunted END AS n_stunted,
        CASE WHEN NOT b.suppressed THEN b.n_severe END AS n_severe,
        CASE WHEN NOT b.suppressed THEN b.n_flag_haz END AS n_flag_haz,
        CASE WHEN NOT b.suppressed THEN b.n_whz END AS n_whz,
        CASE WHEN NOT b.suppressed THEN b.n_wasted END AS n_wasted,
        CASE WHEN NOT b.suppressed THEN b.n_overweight END AS n_overweight,
        CASE WHEN NOT b.suppressed THEN b.n_flag_whz END AS n_flag_whz,
        CASE WHEN NOT b.suppressed THEN b.n_waz END AS n_waz,
        CASE WHEN NOT b.suppressed THEN b.n_underweight END AS n_underweight,
        CASE WHEN NOT b.suppressed THEN b.n_flag_waz END AS n_flag_waz,
        CASE WHEN NOT b.suppressed THEN b.pct_raw END AS pct_stunted,
        CASE WHEN NOT b.suppressed THEN eb.pct_stunted_eb END AS pct_stunted_eb,
        CASE WHEN NOT b.suppressed AND b.level <> 'provinsi' THEN COLUMNS('^funnel_') END,
        CASE WHEN NOT b.suppressed THEN r.rank END AS rank,
        CASE WHEN NOT b.suppressed THEN r.rank_lo END AS rank_lo,
        CASE WHEN NOT b.suppressed THEN r.rank_hi END AS rank_hi,
        CASE WHEN NOT b.suppressed THEN r.n_peers END AS n_peers
    FROM base AS b
    LEFT JOIN tmp_prevalensi_eb AS eb USING (level, kode, period_type, period_start)
    LEFT JOIN tmp_prevalensi_funnel AS f
        ON f.period_type = b.period_type AND f.period_start = b.period_start
       AND f.n_haz = b.n_haz
    LEFT JOIN tmp_prevalensi_peringkat AS r
        ON r.level = b.level AND r.kode = b.kode
       AND r.period_type = b.period_type AND r.period_start = b.period_start
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
    CASE WHEN NOT s.suppressed THEN s.ci_stunted.lo END AS pct_stunted_lo95,
    CASE WHEN NOT s.suppressed THEN s.ci_stunted.hi END AS pct_stunted_hi95,
    s.n_severe,
    CASE WHEN s.n_haz > 0 THEN 100 * s.n_severe / s.n_haz END AS pct_severe,
    CASE WHEN NOT s.suppressed THEN s.ci_severe.lo END AS pct_severe_lo95,
    CASE WHEN NOT s.suppressed THEN s.ci_severe.hi END AS pct_severe_hi95,
    s.n_whz,
    s.n_wasted,
    CASE WHEN s.n_whz > 0 THEN 100 * s.n_wasted / s.n_whz END AS pct_wasted,
    CASE WHEN NOT s.suppressed THEN s.ci_wasted.lo END AS pct_wasted_lo95,
    CASE WHEN NOT s.suppressed THEN s.ci_wasted.hi END AS pct_wasted_hi95,
    s.n_waz,
    s.n_underweight,
    CASE WHEN s.n_waz > 0 THEN 100 * s.n_underweight / s.n_waz END AS pct_underweight,
    CASE WHEN NOT s.suppressed THEN s.ci_underweight.lo END AS pct_underweight_lo95,
    CASE WHEN NOT s.suppressed THEN s.ci_underweight.hi END AS pct_underweight_hi95,
    s.n_overweight,
    CASE WHEN s.n_whz > 0 THEN 100 * s.n_overweight / s.n_whz END AS pct_overweight,
    CASE WHEN NOT s.suppressed THEN s.ci_overweight.lo END AS pct_overweight_lo95,
    CASE WHEN NOT s.suppressed THEN s.ci_overweight.hi END AS pct_overweight_hi95,
    s.n_flag_haz,
    s.n_flag_waz,
    s.n_flag_whz,
    s.pct_stunted_eb,
    s.suppressed,
    s.prov_pct_stunted,
    s.prov_n_haz,
    s.prov_n_stunted,
    s.pct_stunted - s.prov_pct_stunted AS diff_pts,
    CASE WHEN s.pct_stunted > s.prov_pct_stunted THEN 'di atas'
         WHEN s.pct_stunted < s.prov_pct_stunted THEN 'di bawah'
         WHEN s.pct_stunted = s.prov_pct_stunted THEN 'sama' END AS arah,
    CASE WHEN s.level = 'provinsi' OR s.pct_stunted IS NULL OR s.funnel_hi95 IS NULL THEN NULL
         WHEN s.pct_stunted > s.funnel_hi998 THEN 'signifikan di atas 99.8'
         WHEN s.pct_stunted > s.funnel_hi95 THEN 'di atas 95'
         WHEN s.pct_stunted < s.funnel_lo998 THEN 'di bawah 99.8'
         WHEN s.pct_stunted < s.funnel_lo95 THEN 'di bawah 95'
         ELSE 'dalam batas' END AS signif,
    s.funnel_lo95,
    s.funnel_hi95,
    s.funnel_lo998,
    s.funnel_hi998,
    s.rank,
    s.rank_lo,
    s.rank_hi,
    s.n_peers,
    CAST(NULL AS DOUBLE) AS chg_prev_pts,  -- set over every period by 41_mart_prevalensi.sql
    CAST(NULL AS DOUBLE) AS chg_yoy_pts
FROM (
    -- each 95% interval computed once per row (the macro returns {lo, hi}) from the shown
    -- counts, which are NULL when suppressed: a suppressed row gets NULL intervals
    SELECT
        *,
        stunting_wilson95(n_stunted, n_haz) AS ci_stunted,
        stunting_wilson95(n_severe, n_haz) AS ci_severe,
        stunting_wilson95(n_wasted, n_whz) AS ci_wasted,
        stunting_wilson95(n_underweight, n_waz) AS ci_underweight,
        stunting_wilson95(n_overweight, n_whz) AS ci_overweight
    FROM shown
) AS s
JOIN tmp_prevalensi_periode AS l USING (period_type, period_start)
LEFT JOIN ref_wilayah AS w ON w.kode = s.kode
LEFT JOIN tmp_prevalensi_posyandu_nama AS pn ON s.level = 'posyandu' AND pn.posyandu_key = s.kode
-- no ORDER BY: sorting a million rows costs seconds on every publish and buys the dashboard
-- nothing measurable (it filters by level and period)
;
