-- grain: tmp_prevalensi_posyandu_nama (temp) one row per posyandu_key: its display name as in
-- its most recent measurement (names are corrected over time; codes are the identity). Two
-- spellings on the same date: the later load's, then the alphabetically last, so every build
-- shows the same name. Each spelling's latest (date, load time) is packed into one BIGINT
-- (day << 42 | load time in ms) and found first, so the tie-break compares a few spellings per
-- posyandu instead of a struct per measurement.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_posyandu_nama AS
SELECT posyandu_key, arg_max(posyandu_nama, (urutan, posyandu_nama)) AS posyandu_nama
FROM (
    SELECT posyandu_key, posyandu_nama,
           max((CAST(measurement_date - DATE '1970-01-01' AS BIGINT) << 42)
               | epoch_ms(loaded_at)) AS urutan
    FROM stg_pengukuran
    WHERE posyandu_key IS NOT NULL
    GROUP BY ALL
)
GROUP BY posyandu_key;
