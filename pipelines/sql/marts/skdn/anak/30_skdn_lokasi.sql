-- grain: tmp_skdn_lokasi (temp) one row per month being recomputed and area (lokasi: the
-- posyandu_key of the child's weighing of the month, or its desa where the posyandu is unknown):
-- the SKDN counts (additive: every level is rolled up from these rows, 20_mart_skdn.sql) and the
-- agreement of tumbuh's N/T with the export's own `Naik Berat Badan`.
CREATE OR REPLACE TEMP TABLE tmp_skdn_lokasi AS
SELECT
    bulan, lokasi,
    count(*) AS n_d,
    count(*) FILTER (WHERE k) AS n_k,
    count(k) AS n_k_diisi,                  -- weighings whose export row answers KIA
    count(*) FILTER (WHERE status = 'N') AS n_n,
    count(*) FILTER (WHERE status = 'T') AS n_t,
    count(*) FILTER (WHERE status = 'O') AS n_o,
    count(*) FILTER (WHERE status = 'B') AS n_b,
    count(*) FILTER (WHERE t2) AS n_2t,
    count(*) FILTER (WHERE bgm) AS n_bgm,
    -- weighings where the export says N or T and tumbuh could judge N or T; and of those, the same
    count(*) FILTER (WHERE naik_bb IN ('N', 'T') AND status IN ('N', 'T')) AS n_naik_bb_banding,
    count(*) FILTER (WHERE naik_bb IN ('N', 'T') AND status = naik_bb) AS n_naik_bb_sama,
    count(*) FILTER (WHERE naik_bb IS NULL) AS n_naik_bb_kosong
FROM tmp_skdn_anak AS a
LEFT JOIN tmp_skdn_raw AS r USING (file_sha256, row_number)
GROUP BY ALL;

-- grain: tmp_skdn_2t (temp) one row per child with 2T in a month being recomputed: where a kader
-- finds the child in her own export (file name, sheet, row, the export's `No`), never who it is.
CREATE OR REPLACE TEMP TABLE tmp_skdn_2t AS
SELECT
    a.bulan,
    left(a.lokasi, 5) AS kode_kabkota,
    left(a.lokasi, 8) AS kode_kecamatan,
    split_part(a.lokasi, '|', 1) AS kode_desa,
    CASE WHEN contains(a.lokasi, '|') THEN a.lokasi END AS posyandu_key,
    a.file_sha256, f.file_name, r.sheet, a.row_number, r.no AS no_ekspor,
    a.measurement_date AS tanggal_timbang, a.age_months AS umur_bulan,
    a.berat_lalu_2_kg, a.berat_lalu_kg, a.weight_kg AS berat_kg,
    a.naik_lalu_g, a.kbm_lalu_g, a.naik_g, a.kbm_g, a.bgm, a.naik_bb
FROM tmp_skdn_anak AS a
LEFT JOIN tmp_skdn_raw AS r USING (file_sha256, row_number)
LEFT JOIN load_files AS f USING (file_sha256)
WHERE a.t2;
