-- reads: scope_nama
-- grain: state_posyandu_nama (catalog table, kept between builds) one row per posyandu_key: its
-- display name as in its most recent measurement (names are corrected over time; codes are the
-- identity). Two spellings on the same date: the later load's, then the alphabetically last, so
-- every build shows the same name. Each spelling's latest (date, load time) is packed into one
-- BIGINT (day << 42 | load time in ms) as urutan. The winner is the max of (urutan, name), so
-- folding new rows (scope_nama: the rows this build staged, or every row on a full rebuild)
-- into the stored winners gives the winner over all rows.
CREATE TABLE IF NOT EXISTS state_posyandu_nama (
    posyandu_key VARCHAR PRIMARY KEY, urutan BIGINT NOT NULL, posyandu_nama VARCHAR
);
CREATE OR REPLACE TEMP TABLE tmp_nama_baru AS
SELECT posyandu_key, max(urutan) AS urutan,
       arg_max(posyandu_nama, (urutan, posyandu_nama)) AS posyandu_nama
FROM (
    SELECT posyandu_key, urutan, posyandu_nama FROM state_posyandu_nama
    UNION ALL
    SELECT posyandu_key,
           max((CAST(measurement_date - DATE '1970-01-01' AS BIGINT) << 42)
               | epoch_ms(loaded_at)) AS urutan,
           posyandu_nama
    FROM scope_nama
    WHERE posyandu_key IS NOT NULL
    GROUP BY posyandu_key, posyandu_nama
)
GROUP BY posyandu_key;
-- tmp_nama_baru holds every posyandu of the state: it replaces the state's rows whole
DELETE FROM state_posyandu_nama;
INSERT INTO state_posyandu_nama SELECT posyandu_key, urutan, posyandu_nama FROM tmp_nama_baru;
DROP TABLE tmp_nama_baru;
CREATE OR REPLACE TEMP VIEW tmp_prevalensi_posyandu_nama AS
SELECT posyandu_key, posyandu_nama FROM state_posyandu_nama;
