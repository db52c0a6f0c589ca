-- reads: mart_pkk_indikator, pkk_desa_indikator, ref_wilayah, stg_pkk
-- incremental: stg_pkk
-- known: n_desa_known; pct_desa_reporting = 100.0 * n_desa_reporting / n_desa_known
-- grain: one row per level (provinsi, kabkota, kecamatan, desa), unit kode, period (bulan
-- 'YYYY-MM' | tahun 'YYYY') and PKK indicator of mart_pkk_indikator: numerator, denominator,
-- value = 100 × numerator ÷ denominator, pooled over the desa that recorded both.
-- Input: pkk_desa_indikator (21_pkk_desa.py: per desa, a year = its latest recap month; the desa
-- rows arrive with their name, label, unit and known count, so only the far fewer rolled-up rows
-- are joined here).
CREATE OR REPLACE TABLE mart_pkk AS
WITH summed AS (  -- kecamatan, kab/kota and province summed over their desa
    SELECT period_type, period, kode_indikator,
           -- 7 provinsi, 3 kabkota, 1 kecamatan (as grouping() over kab, kec, desa would give)
           2 * grouping(kode_kabkota, kode_kecamatan) + 1 AS g,
           coalesce(kode_kecamatan, kode_kabkota, '35') AS kode,
           kode_kabkota, kode_kecamatan,
           sum(numerator) AS numerator, sum(denominator) AS denominator,
           count(*) AS n_desa_reporting
    FROM pkk_desa_indikator
    GROUP BY period_type, period, kode_indikator, ROLLUP (kode_kabkota, kode_kecamatan)
),
known AS (  -- desa with a PKK recap in any month of the year
    SELECT tahun, grouping(kode_kabkota, kode_kecamatan, kode_desa) AS g,
           coalesce(kode_desa, kode_kecamatan, kode_kabkota, '35') AS kode,
           count(*) AS n_desa_known
    FROM (SELECT DISTINCT CAST(year(bulan) AS VARCHAR) AS tahun, kode_kabkota, kode_kecamatan,
                          kode_desa FROM stg_pkk)
    GROUP BY tahun, ROLLUP (kode_kabkota, kode_kecamatan, kode_desa)
),
rolled AS (  -- desa rows as they are; the sums with their names, labels and known counts
    SELECT period_type, period, kode_indikator, 0 AS g, kode_desa AS kode,
           kode_kabkota, kode_kecamatan, numerator, denominator, 1 AS n_desa_reporting,
           nama, label_id, satuan, n_desa_known
    FROM pkk_desa_indikator
    UNION ALL BY NAME
    SELECT s.*, w.nama, i.label_id, i.satuan, k.n_desa_known
    FROM summed AS s
    JOIN known AS k ON k.tahun = left(s.period, 4) AND k.g = s.g AND k.kode = s.kode
    JOIN mart_pkk_indikator AS i ON i.kode = s.kode_indikator
    LEFT JOIN ref_wilayah AS w ON w.kode = s.kode
)
SELECT
    CASE r.g WHEN 7 THEN 'provinsi' WHEN 3 THEN 'kabkota' WHEN 1 THEN 'kecamatan' ELSE 'desa' END AS level,
    r.kode, CASE WHEN r.g = 7 THEN 'Jawa Timur' ELSE r.nama END AS nama,
    r.kode_kabkota, r.kode_kecamatan, r.period_type, r.period,
    r.kode_indikator, r.label_id, r.satuan,
    CAST(r.numerator AS BIGINT) AS numerator, CAST(r.denominator AS BIGINT) AS denominator,
    100.0 * r.numerator / r.denominator AS value,
    r.n_desa_reporting, r.n_desa_known,
    100.0 * r.n_desa_reporting / r.n_desa_known AS pct_desa_reporting
FROM rolled AS r;
