-- reads: mart_spm_coverage, ref_spm_indikator, stg_spm
-- incremental: stg_spm
-- known: n_posyandu_known; pct_reporting = 100.0 * n_posyandu_reporting / n_posyandu_known
-- grain: one row per level (provinsi .. posyandu), unit kode, period (bulan | tahun) and SPM
-- field (bidang): coverage pooled over the field's indicators and the median of their coverages.
-- No weights are invented (domain 3.1). Posyandu service coverage, not official SPM achievement.
CREATE OR REPLACE TABLE mart_spm_field AS
WITH rec AS (
    SELECT *, 'bulan' AS period_type, strftime(bulan, '%Y-%m') AS period FROM stg_spm
    UNION ALL
    SELECT *, 'tahun' AS period_type, CAST(year(bulan) AS VARCHAR) AS period FROM stg_spm
),
per_posyandu AS (  -- one row per posyandu, period and field
    SELECT period_type, period, bidang, kode_kabkota, kode_kecamatan, kode_desa, posyandu_key,
           sum(sasaran) AS sasaran, sum(dilayani) AS dilayani,
           count(*) FILTER (WHERE dilayani > sasaran) AS n_over_target
    FROM rec
    GROUP BY ALL
),
pooled AS (
    SELECT
        period_type, period, bidang,
        2 * grouping(kode_kabkota, kode_kecamatan, kode_desa) + 1 AS g,
        coalesce(kode_desa, kode_kecamatan, kode_kabkota, '35') AS kode,
        CAST(sum(sasaran) AS BIGINT) AS sasaran, CAST(sum(dilayani) AS BIGINT) AS dilayani,
        count(*) AS n_posyandu_reporting,
        CAST(sum(n_over_target) AS BIGINT) AS n_over_target
    FROM per_posyandu
    GROUP BY GROUPING SETS (
        (period_type, period, bidang),
        (period_type, period, bidang, kode_kabkota),
        (period_type, period, bidang, kode_kabkota, kode_kecamatan),
        (period_type, period, bidang, kode_kabkota, kode_kecamatan, kode_desa)
    )
    UNION ALL
    -- the posyandu rows (g = 0) are the per_posyandu rows themselves: nothing to sum
    SELECT
        period_type, period, bidang, CAST(0 AS BIGINT), posyandu_key,
        CAST(sasaran AS BIGINT), CAST(dilayani AS BIGINT), CAST(1 AS BIGINT),
        CAST(n_over_target AS BIGINT)
    FROM per_posyandu
),
per_indicator AS (  -- the indicator rows of mart_spm_coverage (built just before this model)
    SELECT level, kode, period_type, period, bidang,
           any_value(nama) AS nama, any_value(kode_kabkota) AS kode_kabkota,
           any_value(kode_kecamatan) AS kode_kecamatan, any_value(n_posyandu_known) AS n_posyandu_known,
           count(*) AS n_indicators,
           median(pct_coverage) AS pct_coverage_median,
           min(pct_coverage) AS pct_coverage_min, max(pct_coverage) AS pct_coverage_max,
           count(pct_coverage) AS n_indicators_with_sasaran
    FROM mart_spm_coverage
    GROUP BY level, kode, period_type, period, bidang
)
SELECT
    i.level, p.kode, i.nama, i.kode_kabkota, i.kode_kecamatan,
    p.period_type, p.period, p.bidang,
    p.sasaran, p.dilayani,
    100.0 * p.dilayani / nullif(p.sasaran, 0) AS pct_coverage_pooled,
    i.pct_coverage_median, i.pct_coverage_min, i.pct_coverage_max,
    i.n_indicators, i.n_indicators_with_sasaran,
    (SELECT count(*) FROM ref_spm_indikator AS r WHERE r.bidang = p.bidang) AS n_indicators_catalogue,
    p.n_over_target,
    p.n_posyandu_reporting, i.n_posyandu_known,
    100.0 * p.n_posyandu_reporting / i.n_posyandu_known AS pct_reporting,
    'posyandu service coverage (served ÷ posyandu sasaran), not official SPM achievement' AS basis
FROM pooled AS p
JOIN per_indicator AS i
    ON i.kode = p.kode AND i.period_type = p.period_type AND i.period = p.period AND i.bidang = p.bidang
    AND i.level = CASE p.g WHEN 15 THEN 'provinsi' WHEN 7 THEN 'kabkota' WHEN 3 THEN 'kecamatan'
                           WHEN 1 THEN 'desa' ELSE 'posyandu' END;
