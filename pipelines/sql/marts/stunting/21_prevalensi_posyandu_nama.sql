-- grain: tmp_prevalensi_posyandu_nama (temp) one row per posyandu_key: its display name as in
-- its most recent measurement (names are corrected over time; codes are the identity).
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_posyandu_nama AS
SELECT posyandu_key, arg_max(posyandu_nama, measurement_date) AS posyandu_nama
FROM stg_pengukuran
WHERE posyandu_key IS NOT NULL
GROUP BY posyandu_key;
