-- grain: lookup tables (temp) from ref_wilayah: one row per name key (or code) within its parent.
-- A bare kab/kota name shared by a Kabupaten and a Kota ("MALANG") has two rows for one key and
-- so resolves only with its prefix: resolution never picks one of several candidates.
CREATE OR REPLACE TEMP TABLE lk_kabkota AS
SELECT kode, jenis, kabkota_key(nama) AS key FROM ref_wilayah WHERE tingkat = 'kabkota'
UNION ALL
SELECT kode, NULL, replace(kode, '.', '') FROM ref_wilayah WHERE tingkat = 'kabkota';

CREATE OR REPLACE TEMP TABLE lk_kecamatan AS
SELECT kode, kode_induk AS kode_kabkota, kecamatan_key(nama) AS key
FROM ref_wilayah WHERE tingkat = 'kecamatan'
UNION ALL
SELECT kode, kode_induk, replace(kode, '.', '') FROM ref_wilayah WHERE tingkat = 'kecamatan';

CREATE OR REPLACE TEMP TABLE lk_desa AS
SELECT kode, kode_induk AS kode_kecamatan, desa_key(nama) AS key
FROM ref_wilayah WHERE tingkat = 'desa_kelurahan'
UNION ALL
SELECT kode, kode_induk, replace(kode, '.', '') FROM ref_wilayah WHERE tingkat = 'desa_kelurahan';
