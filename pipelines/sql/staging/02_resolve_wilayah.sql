-- grain: wil_names (temp) one row per distinct (kab_kota, kec, desa_kel) of the temp table
-- wil_input: the Kemendagri codes each name resolves to within its parent, NULL where it does not
-- resolve to exactly one unit. kab_n > 1 marks an ambiguous bare kab/kota name.
-- Each distinct triple is keyed and resolved once, so a million rows cost a few thousand lookups;
-- the rows find their codes by joining on the triple (pipelines/ingest/source.py).
CREATE OR REPLACE TEMP TABLE wil_names AS
WITH names AS (
    SELECT DISTINCT kab_kota, kec, desa_kel FROM wil_input
),
keyed AS (
    SELECT kab_kota, kec, desa_kel,
           kabkota_key(kab_kota) AS kab_key, kabkota_jenis(kab_kota) AS kab_jenis,
           kecamatan_key(kec) AS kec_key, desa_key(desa_kel) AS desa_key
    FROM names
),
kab AS (
    SELECT d.kab_key, d.kab_jenis, count(k.kode) AS n_match, min(k.kode) AS kode
    FROM (SELECT DISTINCT kab_key, kab_jenis FROM keyed) AS d
    LEFT JOIN lk_kabkota AS k
        ON k.key = d.kab_key AND (d.kab_jenis IS NULL OR k.jenis = d.kab_jenis OR k.jenis IS NULL)
    GROUP BY ALL
),
with_kab AS (
    SELECT t.*, kab.n_match AS kab_n, CASE WHEN kab.n_match = 1 THEN kab.kode END AS kode_kabkota
    FROM keyed AS t
    LEFT JOIN kab ON kab.kab_key = t.kab_key AND kab.kab_jenis IS NOT DISTINCT FROM t.kab_jenis
),
kec AS (
    SELECT d.kode_kabkota, d.kec_key, count(k.kode) AS n_match, min(k.kode) AS kode
    FROM (SELECT DISTINCT kode_kabkota, kec_key FROM with_kab WHERE kode_kabkota IS NOT NULL) AS d
    LEFT JOIN lk_kecamatan AS k ON k.kode_kabkota = d.kode_kabkota AND k.key = d.kec_key
    GROUP BY ALL
),
with_kec AS (
    SELECT w.*, CASE WHEN kec.n_match = 1 THEN kec.kode END AS kode_kecamatan
    FROM with_kab AS w
    LEFT JOIN kec ON kec.kode_kabkota = w.kode_kabkota AND kec.kec_key = w.kec_key
),
des AS (
    SELECT d.kode_kecamatan, d.desa_key, count(k.kode) AS n_match, min(k.kode) AS kode
    FROM (SELECT DISTINCT kode_kecamatan, desa_key FROM with_kec WHERE kode_kecamatan IS NOT NULL) AS d
    LEFT JOIN lk_desa AS k ON k.kode_kecamatan = d.kode_kecamatan AND k.key = d.desa_key
    GROUP BY ALL
)
SELECT w.kab_kota, w.kec, w.desa_kel, w.kab_n, w.kode_kabkota, w.kode_kecamatan,
       CASE WHEN des.n_match = 1 THEN des.kode END AS kode_desa
FROM with_kec AS w
LEFT JOIN des ON des.kode_kecamatan = w.kode_kecamatan AND des.desa_key = w.desa_key;
