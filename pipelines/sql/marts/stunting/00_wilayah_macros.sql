-- reads: (nothing)
-- grain: macros area_level(g, finest) and area_kode(g, kabkota, kecamatan, finest): the level and
-- the code of a row rolled up over GROUPING SETS of (kode_kabkota, kode_kecamatan, <finest>),
-- where g is grouping(kode_kabkota, kode_kecamatan, <finest>): 7 the province ('35'), 3 a
-- kab/kota, 1 a kecamatan, 0 the finest unit (the level name and code the caller gives:
-- 'desa' and kode_desa, or 'posyandu' and posyandu_key). Every mart that rolls areas up this
-- way names its levels through these two.
CREATE OR REPLACE TEMP MACRO area_level(g, finest) AS
CASE g WHEN 7 THEN 'provinsi' WHEN 3 THEN 'kabkota' WHEN 1 THEN 'kecamatan' ELSE finest END;
CREATE OR REPLACE TEMP MACRO area_kode(g, kabkota, kecamatan, finest) AS
CASE g WHEN 7 THEN '35' WHEN 3 THEN kabkota WHEN 1 THEN kecamatan ELSE finest END;
