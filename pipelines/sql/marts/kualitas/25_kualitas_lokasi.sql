-- reads: scope_pengukuran
-- grain: state_kualitas_lokasi (catalog table, kept between builds) one row per month and area
-- (posyandu_key, else desa): the additive data-quality statistics of that month's staged
-- measurements of balita (0-59 months). The months being recomputed (the builder's view
-- scope_pengukuran holds their staged rows) are replaced; every level and the year are rolled up
-- from these rows (30_kualitas_agregat.sql), never from the measurements again.
CREATE OR REPLACE TEMP TABLE tmp_kualitas_lokasi AS
WITH ukur AS (
    SELECT
        date_trunc('month', measurement_date)::DATE AS bulan,
        coalesce(posyandu_key, kode_desa) AS lokasi,
        zlen, flen, CASE WHEN flen = 0 THEN zlen END AS zlen_ok,
        zwei, fwei, CASE WHEN fwei = 0 THEN zwei END AS zwei_ok,
        zwfl, fwfl, CASE WHEN fwfl = 0 THEN zwfl END AS zwfl_ok,
        -- terminal (first decimal) digit as recorded, one-hot in 24-bit fields: digits 0-4 in
        -- one HUGEINT, 5-9 in another, so one sum counts five digits (see per_lokasi)
        CAST(round(lenhei_cm * 10) % 10 AS INTEGER) AS dig_t,
        CAST(round(weight_kg * 10) % 10 AS INTEGER) AS dig_b,
        weight_kg, lenhei_cm, measure, birth_date, src_kat_tbu, kat_tbu
    FROM scope_pengukuran
    WHERE age_months < 60
),
per_lokasi_packed AS (
    -- additive statistics per area (posyandu_key, else desa) and month; every level and the
    -- year are rolled up from these rows, never from the 10 million measurements again. Plain
    -- sums and counts only: each FILTERed aggregate costs about a second at this size.
    SELECT
        bulan, lokasi,
        count(*) AS n_measurements,
        count(zlen) AS n_haz_scored, sum(flen) AS n_flag_haz,
        sum(zlen_ok) AS s_haz, sum(zlen_ok * zlen_ok) AS ss_haz,
        count(zwei) AS n_waz_scored, sum(fwei) AS n_flag_waz,
        sum(zwei_ok) AS s_waz, sum(zwei_ok * zwei_ok) AS ss_waz,
        count(zwfl) AS n_whz_scored, sum(fwfl) AS n_flag_whz,
        sum(zwfl_ok) AS s_whz, sum(zwfl_ok * zwfl_ok) AS ss_whz,
        sum(CAST(dig_t < 5 AS HUGEINT) << (24 * (dig_t % 5))) AS t_lo,
        sum(CAST(dig_t >= 5 AS HUGEINT) << (24 * (dig_t % 5))) AS t_hi,
        sum(CAST(dig_b < 5 AS HUGEINT) << (24 * (dig_b % 5))) AS b_lo,
        sum(CAST(dig_b >= 5 AS HUGEINT) << (24 * (dig_b % 5))) AS b_hi,
        sum(CAST(day(birth_date) IN (1, 15) AS INTEGER)) AS n_lahir_tgl_1_15,
        count(*) - count(weight_kg) AS n_missing_weight,
        count(*) - count(lenhei_cm) AS n_missing_height,
        count(lenhei_cm) - count(CASE WHEN lenhei_cm IS NOT NULL THEN measure END)
            AS n_missing_measure,
        sum(CAST(weight_kg IS NULL OR (lenhei_cm IS NOT NULL AND measure IS NULL) AS INTEGER))
            AS n_missing_key,
        count(CASE WHEN kat_tbu IS NOT NULL THEN src_kat_tbu END) AS n_kat_compared,
        sum(CAST(lower(trim(src_kat_tbu)) <> lower(trim(kat_tbu)) AS INTEGER)) AS n_kat_disagree
    FROM ukur
    GROUP BY ALL
),
per_lokasi AS (
    -- unpack the digit counts (a count per area and month is far below 2^24)
    SELECT
        * EXCLUDE (t_lo, t_hi, b_lo, b_hi),
        n_haz_scored - n_flag_haz AS n_haz_ok,
        n_waz_scored - n_flag_waz AS n_waz_ok,
        n_whz_scored - n_flag_whz AS n_whz_ok,
        CAST((coalesce(t_lo, 0) >> 0) & 16777215 AS BIGINT) AS t0,
        CAST((coalesce(t_lo, 0) >> 24) & 16777215 AS BIGINT) AS t1,
        CAST((coalesce(t_lo, 0) >> 48) & 16777215 AS BIGINT) AS t2,
        CAST((coalesce(t_lo, 0) >> 72) & 16777215 AS BIGINT) AS t3,
        CAST((coalesce(t_lo, 0) >> 96) & 16777215 AS BIGINT) AS t4,
        CAST((coalesce(t_hi, 0) >> 0) & 16777215 AS BIGINT) AS t5,
        CAST((coalesce(t_hi, 0) >> 24) & 16777215 AS BIGINT) AS t6,
        CAST((coalesce(t_hi, 0) >> 48) & 16777215 AS BIGINT) AS t7,
        CAST((coalesce(t_hi, 0) >> 72) & 16777215 AS BIGINT) AS t8,
        CAST((coalesce(t_hi, 0) >> 96) & 16777215 AS BIGINT) AS t9,
        CAST((coalesce(b_lo, 0) >> 0) & 16777215 AS BIGINT) AS b0,
        CAST((coalesce(b_lo, 0) >> 24) & 16777215 AS BIGINT) AS b1,
        CAST((coalesce(b_lo, 0) >> 48) & 16777215 AS BIGINT) AS b2,
        CAST((coalesce(b_lo, 0) >> 72) & 16777215 AS BIGINT) AS b3,
        CAST((coalesce(b_lo, 0) >> 96) & 16777215 AS BIGINT) AS b4,
        CAST((coalesce(b_hi, 0) >> 0) & 16777215 AS BIGINT) AS b5,
        CAST((coalesce(b_hi, 0) >> 24) & 16777215 AS BIGINT) AS b6,
        CAST((coalesce(b_hi, 0) >> 48) & 16777215 AS BIGINT) AS b7,
        CAST((coalesce(b_hi, 0) >> 72) & 16777215 AS BIGINT) AS b8,
        CAST((coalesce(b_hi, 0) >> 96) & 16777215 AS BIGINT) AS b9,
    FROM per_lokasi_packed
)
SELECT * FROM per_lokasi;
CREATE TABLE IF NOT EXISTS state_kualitas_lokasi AS SELECT * FROM tmp_kualitas_lokasi WHERE false;
-- staging only grows, so a recomputed month has at least the areas it had
DELETE FROM state_kualitas_lokasi WHERE bulan IN (SELECT DISTINCT bulan FROM tmp_kualitas_lokasi);
INSERT INTO state_kualitas_lokasi SELECT * FROM tmp_kualitas_lokasi;
DROP TABLE tmp_kualitas_lokasi;
