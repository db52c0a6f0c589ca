-- grain: tmp_prevalensi_posyandu_nama (temp) one row per posyandu_key: its display name as in
-- its most recent measurement (names are corrected over time; codes are the identity). Two
-- spellings on the same date: the later load's, then the alphabetically last, so every build
-- shows the same name.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_posyandu_nama AS
SELECT posyandu_key,
       arg_max(posyandu_nama, (measurement_date, loaded_at, posyandu_nama)) AS posyandu_nama
FROM stg_pengukuran
WHERE posyandu_key IS NOT NULL
GROUP BY posyandu_key;
