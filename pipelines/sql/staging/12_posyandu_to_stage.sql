-- grain: pos_to_stage (temp view) one row per data row that passed every check, shaped as the
-- z-score step's input (sex, age_days, weight_kg, lenhei_cm, measure) plus staging columns.
CREATE OR REPLACE TEMP VIEW pos_to_stage AS
SELECT
    row_number, child_key, child_key_source,
    CAST(sex AS TINYINT) AS sex, birth_date, measurement_date, age_days,
    CAST(floor(age_days / 30.4375) AS INTEGER) AS age_months,
    kode_kabkota, kode_kecamatan, kode_desa,
    kode_desa || '|' || upper(posyandu_name(posyandu)) AS posyandu_key,
    title_case(posyandu_name(posyandu)) AS posyandu_nama,
    nullif(trim(puskesmas), '') AS puskesmas,
    CASE WHEN berat_num > 0 THEN berat_num END AS weight_kg,
    CASE WHEN tinggi_num > 0 THEN tinggi_num END AS lenhei_cm,
    CASE WHEN parse_num(lila) > 0 THEN parse_num(lila) END AS lila_cm,
    parse_measure(cara_ukur) AS measure,
    nullif(trim(kat_tbu), '') AS src_kat_tbu, parse_num(zs_tbu) AS src_zs_tbu,
    nullif(trim(kat_bbu), '') AS src_kat_bbu, parse_num(zs_bbu) AS src_zs_bbu,
    nullif(trim(kat_bbtb), '') AS src_kat_bbtb, parse_num(zs_bbtb) AS src_zs_bbtb,
    nullif(upper(trim(naik_berat_badan)), '') AS naik_bb,
    extraction_date, file_sha256, loaded_at
FROM pos_parsed
WHERE reason IS NULL;
