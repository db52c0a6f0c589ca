-- reads: tmp_skdn_2t, tmp_skdn_bulan
-- grain: mart_skdn_2t one row per child and month with 2T (T two months in a row), the 2T
-- follow-up list of the posyandu. A child is identified only as the kader can find it in
-- her own export: file (file_name, file_sha256), sheet, physical row (row_number) and the
-- export's `No` (no_ekspor); with its age in months, the date and the weights of the last three
-- months, the gains against the KBM, BGM and the export's own `Naik Berat Badan`. No name, NIK,
-- birth date or child key. The dashboard shows it only to roles that may see child-level rows
-- (docs/decisions.md D35). Kept between builds; the recomputed months are replaced.
CREATE TABLE IF NOT EXISTS mart_skdn_2t AS
SELECT strftime(bulan, '%Y-%m') AS period, * FROM tmp_skdn_2t WHERE false;
DELETE FROM mart_skdn_2t WHERE bulan IN (SELECT bulan FROM tmp_skdn_bulan);
INSERT INTO mart_skdn_2t BY NAME SELECT strftime(bulan, '%Y-%m') AS period, * FROM tmp_skdn_2t;
