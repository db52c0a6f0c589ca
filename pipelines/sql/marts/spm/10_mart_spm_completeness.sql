-- reads: ref_spm_indikator, stg_spm
-- grain: one row per known posyandu (one that reported SPM services in any month) and month, for
-- every month from the first to the last month in stg_spm: did it report, and how much.
CREATE OR REPLACE TABLE mart_spm_completeness AS
WITH months AS (
    SELECT CAST(unnest(generate_series(lo, hi, INTERVAL 1 MONTH)) AS DATE) AS bulan
    FROM (SELECT min(bulan) AS lo, max(bulan) AS hi FROM stg_spm)
),
posyandu AS (
    SELECT posyandu_key, any_value(posyandu_nama) AS posyandu_nama,
           kode_desa, kode_kecamatan, kode_kabkota,
           min(bulan) AS first_bulan, max(bulan) AS last_bulan
    FROM stg_spm
    GROUP BY posyandu_key, kode_desa, kode_kecamatan, kode_kabkota
),
reported AS (
    SELECT posyandu_key, bulan,
           count(*) AS n_indikator_reported,
           count(DISTINCT bidang) AS n_bidang_reported,
           count(*) FILTER (WHERE dilayani > sasaran) AS n_over_target
    FROM stg_spm
    GROUP BY posyandu_key, bulan
)
SELECT
    p.posyandu_key, p.posyandu_nama, p.kode_desa, p.kode_kecamatan, p.kode_kabkota,
    m.bulan, strftime(m.bulan, '%Y-%m') AS period,
    r.posyandu_key IS NOT NULL AS reported,
    coalesce(r.n_indikator_reported, 0) AS n_indikator_reported,
    coalesce(r.n_bidang_reported, 0) AS n_bidang_reported,
    (SELECT count(*) FROM ref_spm_indikator) AS n_indikator_catalogue,
    coalesce(r.n_over_target, 0) AS n_over_target,
    p.first_bulan, p.last_bulan
FROM posyandu AS p
CROSS JOIN months AS m
LEFT JOIN reported AS r ON r.posyandu_key = p.posyandu_key AND r.bulan = m.bulan
ORDER BY p.kode_desa, p.posyandu_key, m.bulan;
