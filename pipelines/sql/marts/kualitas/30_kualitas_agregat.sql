-- reads: area_kode, area_level, state_kualitas_lokasi
-- grain: tmp_kualitas_agregat (temp) one row per level (provinsi, kabkota, kecamatan, posyandu),
-- unit kode, period_type (bulan, tahun) and period_start: additive data-quality statistics of the
-- staged measurements of balita (0-59 months), rolled up from state_kualitas_lokasi: counts,
-- sums and sums of squares of the unflagged z-scores, terminal-digit counts of height (t0..t9) and weight (b0..b9), birth dates on day 1 or
-- 15, missing fields, label disagreements. Computed once per area (posyandu_key, else desa) and
-- month, then rolled up: every statistic is a sum.
CREATE OR REPLACE TEMP TABLE tmp_kualitas_agregat AS
SELECT
    CASE WHEN bulan IS NOT NULL THEN 'bulan' ELSE 'tahun' END AS period_type,
    coalesce(bulan, tahun) AS period_start,
    area_level(grouping(kode_kabkota, kode_kecamatan, posyandu_key), 'posyandu') AS level,
    area_kode(grouping(kode_kabkota, kode_kecamatan, posyandu_key), kode_kabkota,
              kode_kecamatan, posyandu_key) AS kode,
    kode_kabkota, kode_kecamatan,
    sum(COLUMNS(lambda c: c NOT IN ('bulan', 'tahun', 'lokasi', 'kode_kabkota',
                                    'kode_kecamatan', 'posyandu_key'))),
FROM (
    -- codes are prefixes of the desa code (contracts 2.2); lokasi = posyandu_key or desa
    SELECT *, date_trunc('year', bulan)::DATE AS tahun,
           left(lokasi, 5) AS kode_kabkota, left(lokasi, 8) AS kode_kecamatan,
           CASE WHEN contains(lokasi, '|') THEN lokasi END AS posyandu_key
    FROM state_kualitas_lokasi
)
GROUP BY GROUPING SETS (
    (bulan), (bulan, kode_kabkota), (bulan, kode_kabkota, kode_kecamatan),
    (bulan, kode_kabkota, kode_kecamatan, posyandu_key),
    (tahun), (tahun, kode_kabkota), (tahun, kode_kabkota, kode_kecamatan),
    (tahun, kode_kabkota, kode_kecamatan, posyandu_key)
);
