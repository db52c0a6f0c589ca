-- grain: pos_to_stage (temp view) one row per data row that passed every check, shaped as the
-- z-score step's input (sex, age_days, weight_kg, lenhei_cm, measure) plus staging columns.
-- Posyandu names, Cara Ukur and the number cells repeat a lot: each distinct text is cleaned
-- once (pos_text_*; pos_text_num from 10_posyandu_parse.sql) and joined back.
CREATE OR REPLACE TEMP TABLE pos_text_posyandu AS
SELECT s, upper(posyandu_name(s)) AS name_key, title_case(posyandu_name(s)) AS nama
FROM (SELECT DISTINCT posyandu AS s FROM pos_parsed WHERE reason IS NULL AND posyandu IS NOT NULL);

CREATE OR REPLACE TEMP TABLE pos_text_measure AS
SELECT s, parse_measure(s) AS measure
FROM (SELECT DISTINCT cara_ukur AS s FROM pos_parsed WHERE reason IS NULL AND cara_ukur IS NOT NULL);

CREATE OR REPLACE TEMP VIEW pos_to_stage AS
SELECT
    p.row_number, p.child_key, p.child_key_source,
    CAST(p.sex AS TINYINT) AS sex, p.birth_date, p.measurement_date, p.age_days,
    CAST(floor(p.age_days / 30.4375) AS INTEGER) AS age_months,
    p.kode_kabkota, p.kode_kecamatan, p.kode_desa,
    p.kode_desa || '|' || py.name_key AS posyandu_key,
    py.nama AS posyandu_nama,
    nullif(trim(p.puskesmas), '') AS puskesmas,
    CASE WHEN p.berat_num > 0 THEN p.berat_num END AS weight_kg,
    CASE WHEN p.tinggi_num > 0 THEN p.tinggi_num END AS lenhei_cm,
    CASE WHEN li.n > 0 THEN li.n END AS lila_cm,
    cu.measure,
    nullif(trim(p.kat_tbu), '') AS src_kat_tbu, zt.n AS src_zs_tbu,
    nullif(trim(p.kat_bbu), '') AS src_kat_bbu, zb.n AS src_zs_bbu,
    nullif(trim(p.kat_bbtb), '') AS src_kat_bbtb, zw.n AS src_zs_bbtb,
    nullif(upper(trim(p.naik_berat_badan)), '') AS naik_bb,
    p.extraction_date, p.file_sha256, p.loaded_at
FROM pos_parsed AS p
LEFT JOIN pos_text_posyandu AS py ON py.s = p.posyandu
LEFT JOIN pos_text_measure AS cu ON cu.s = p.cara_ukur
LEFT JOIN pos_text_num AS li ON li.s = p.lila
LEFT JOIN pos_text_num AS zt ON zt.s = p.zs_tbu
LEFT JOIN pos_text_num AS zb ON zb.s = p.zs_bbu
LEFT JOIN pos_text_num AS zw ON zw.s = p.zs_bbtb
WHERE p.reason IS NULL;
