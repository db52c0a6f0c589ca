-- reads: stg_pkk
-- grain: one row per unit (provinsi, kab/kota, kecamatan, desa; g as grouping() over kab/kota,
-- kecamatan, desa gives it) with how many desa are known there: those with a PKK recap in any
-- month. Counted over every staged month, also when mart_pkk recomputes only some periods.
CREATE OR REPLACE TEMP TABLE tmp_pkk_known AS
SELECT grouping(kode_kabkota, kode_kecamatan, kode_desa) AS g,
       coalesce(kode_desa, kode_kecamatan, kode_kabkota, '35') AS kode,
       count(*) AS n_desa_known
FROM (SELECT DISTINCT kode_kabkota, kode_kecamatan, kode_desa FROM stg_pkk)
GROUP BY ROLLUP (kode_kabkota, kode_kecamatan, kode_desa);
