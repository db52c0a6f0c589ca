-- reads: ref_spm_indikator, ref_wilayah, stg_spm
-- incremental: stg_spm
-- known: n_posyandu_known; pct_reporting = 100.0 * n_posyandu_reporting / n_posyandu_known
-- grain: one row per level (provinsi, kabkota, kecamatan, desa, posyandu), unit kode, period
-- (period_type bulan 'YYYY-MM' | tahun 'YYYY') and SPM indicator that has at least one record.
-- Posyandu service coverage (served ÷ posyandu sasaran), not official SPM achievement (domain 3.3).
CREATE OR REPLACE TABLE mart_spm_coverage AS
WITH rec AS (
    SELECT *, 'bulan' AS period_type, strftime(bulan, '%Y-%m') AS period FROM stg_spm
    UNION ALL
    SELECT *, 'tahun' AS period_type, CAST(year(bulan) AS VARCHAR) AS period FROM stg_spm
),
per_posyandu AS (  -- one row per posyandu, period and indicator (a year pools its months)
    SELECT period_type, period, bidang, kode_indikator,
           kode_kabkota, kode_kecamatan, kode_desa, posyandu_key,
           any_value(posyandu_nama) AS posyandu_nama,
           sum(sasaran) AS sasaran, sum(dilayani) AS dilayani,
           count(*) FILTER (WHERE dilayani > sasaran) AS n_over_target,
           bit_or(1 << (month(bulan) - 1)) AS months  -- one bit per calendar month reported
    FROM rec
    GROUP BY ALL
),
agg AS (
    SELECT
        period_type, period, bidang, kode_indikator,
        kode_kabkota, kode_kecamatan, kode_desa, CAST(NULL AS VARCHAR) AS posyandu_key,
        -- bit per rolled-up key: 15 provinsi, 7 kabkota, 3 kecamatan, 1 desa, 0 posyandu
        2 * grouping(kode_kabkota, kode_kecamatan, kode_desa) + 1 AS g,
        any_value(posyandu_nama) AS posyandu_nama,
        CAST(sum(sasaran) AS BIGINT) AS sasaran, CAST(sum(dilayani) AS BIGINT) AS dilayani,
        count(*) AS n_posyandu_reporting,
        CAST(sum(n_over_target) AS BIGINT) AS n_over_target,
        bit_count(bit_or(months)) AS n_bulan
    FROM per_posyandu
    GROUP BY GROUPING SETS (
        (period_type, period, bidang, kode_indikator),
        (period_type, period, bidang, kode_indikator, kode_kabkota),
        (period_type, period, bidang, kode_indikator, kode_kabkota, kode_kecamatan),
        (period_type, period, bidang, kode_indikator, kode_kabkota, kode_kecamatan, kode_desa)
    )
    UNION ALL BY NAME
    -- the posyandu rows are the per_posyandu rows themselves (g = 0): nothing to sum
    SELECT
        period_type, period, bidang, kode_indikator,
        kode_kabkota, kode_kecamatan, kode_desa, posyandu_key,
        CAST(0 AS BIGINT) AS g,
        posyandu_nama,
        CAST(sasaran AS BIGINT) AS sasaran, CAST(dilayani AS BIGINT) AS dilayani,
        CAST(1 AS BIGINT) AS n_posyandu_reporting,
        CAST(n_over_target AS BIGINT) AS n_over_target,
        bit_count(months) AS n_bulan
    FROM per_posyandu
),
known AS (  -- a posyandu is known in a year when it reported SPM services in any month of it
    SELECT tahun, grouping(kode_kabkota, kode_kecamatan, kode_desa, posyandu_key) AS g,
           coalesce(posyandu_key, kode_desa, kode_kecamatan, kode_kabkota, '35') AS kode,
           count(*) AS n_posyandu_known
    FROM (SELECT DISTINCT CAST(year(bulan) AS VARCHAR) AS tahun, kode_kabkota, kode_kecamatan,
                          kode_desa, posyandu_key FROM stg_spm)
    GROUP BY tahun, ROLLUP (kode_kabkota, kode_kecamatan, kode_desa, posyandu_key)
)
SELECT
    CASE a.g WHEN 15 THEN 'provinsi' WHEN 7 THEN 'kabkota' WHEN 3 THEN 'kecamatan'
             WHEN 1 THEN 'desa' ELSE 'posyandu' END AS level,
    coalesce(a.posyandu_key, a.kode_desa, a.kode_kecamatan, a.kode_kabkota, '35') AS kode,
    CASE WHEN a.g = 0 THEN a.posyandu_nama WHEN a.g = 15 THEN 'Jawa Timur' ELSE w.nama END AS nama,
    a.kode_kabkota, a.kode_kecamatan,
    a.period_type, a.period, a.n_bulan,
    a.bidang, a.kode_indikator, r.indikator, r.sasaran AS sasaran_definisi, r.satuan,
    a.sasaran, a.dilayani,
    100.0 * a.dilayani / nullif(a.sasaran, 0) AS pct_coverage,
    100.0 AS pct_target,                       -- every SPM service targets 100 % (domain 3.1)
    greatest(a.sasaran - a.dilayani, 0) AS n_belum_dilayani,
    a.dilayani > a.sasaran AS over_target,
    a.n_over_target,
    a.n_posyandu_reporting, k.n_posyandu_known,
    100.0 * a.n_posyandu_reporting / k.n_posyandu_known AS pct_reporting,
    'posyandu service coverage (served ÷ posyandu sasaran), not official SPM achievement' AS basis
FROM agg AS a
JOIN known AS k ON k.tahun = left(a.period, 4) AND k.g = a.g
    AND k.kode = coalesce(a.posyandu_key, a.kode_desa, a.kode_kecamatan, a.kode_kabkota, '35')
LEFT JOIN ref_wilayah AS w ON w.kode = coalesce(a.kode_desa, a.kode_kecamatan, a.kode_kabkota)
LEFT JOIN ref_spm_indikator AS r ON r.kode = a.kode_indikator;
