-- reads: stg_spm
-- grain: one row per unit (provinsi, kab/kota, kecamatan, desa, posyandu; g as grouping() over
-- kab/kota, kecamatan, desa, posyandu gives it) with how many posyandu are known there: those that
-- reported SPM services in any month. Counted over every staged month, also when the coverage
-- marts recompute only some periods (a period's pct_reporting is over every known posyandu).
CREATE OR REPLACE TEMP TABLE tmp_spm_known AS
SELECT grouping(kode_kabkota, kode_kecamatan, kode_desa, posyandu_key) AS g,
       coalesce(posyandu_key, kode_desa, kode_kecamatan, kode_kabkota, '35') AS kode,
       count(*) AS n_posyandu_known
FROM (SELECT DISTINCT kode_kabkota, kode_kecamatan, kode_desa, posyandu_key FROM stg_spm)
GROUP BY ROLLUP (kode_kabkota, kode_kecamatan, kode_desa, posyandu_key);
