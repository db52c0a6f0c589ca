-- reads: tmp_skdn_bulan, tmp_skdn_lokasi
-- grain: state_skdn_lokasi (catalog table, kept between builds) one row per month and area
-- (posyandu_key, else desa): the SKDN counts of tmp_skdn_lokasi. The months the build
-- recomputed (tmp_skdn_bulan: those it added measurements to, the two after each, and the
-- months some child stopped being B; pipelines/skdn.py) are replaced; mart_skdn rolls every
-- level up from these rows.
CREATE TABLE IF NOT EXISTS state_skdn_lokasi AS SELECT * FROM tmp_skdn_lokasi WHERE false;
DELETE FROM state_skdn_lokasi WHERE bulan IN (SELECT bulan FROM tmp_skdn_bulan);
INSERT INTO state_skdn_lokasi BY NAME SELECT * FROM tmp_skdn_lokasi;
