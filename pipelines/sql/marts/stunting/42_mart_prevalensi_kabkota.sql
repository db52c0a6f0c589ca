-- reads: mart_prevalensi
-- grain: mart_prevalensi_kabkota one row per kab/kota (all 38 of ref_wilayah) and period
-- (period_type, period) present in the data: the kab/kota rows of mart_prevalensi, with the
-- provincial value on every row. A kab/kota without children in a period has n 0 and NULL rates.
-- Export name `prevalensi_kabkota`.
CREATE OR REPLACE TABLE mart_prevalensi_kabkota AS
SELECT *
FROM mart_prevalensi
WHERE level = 'kabkota'
ORDER BY period_type, period_start, kode;
