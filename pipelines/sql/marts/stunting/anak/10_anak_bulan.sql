-- grain: tmp_anak_bulan (temp) one row per child and month of the months being recomputed (the
-- loader's view scope_pengukuran holds those months' staged rows): the child's latest
-- measurement of the month as packed keys. Only measurements at 0-59 completed months count.
-- "Latest" orders by measurement_date, then load time (ms), then file, then row number, packed
-- into one HUGEINT (day << 104 | loaded_at ms << 62 | 30-bit file hash << 32 | row_number)
-- because max over one integer is several times faster than arg_max over a struct. The area
-- (lokasi) is posyandu_key (which starts with the desa code, contracts 2.2) or the desa code where
-- the posyandu is unknown; the area of a child is that of its latest measurement. For each index
-- the child's value is that of its latest *valid* measurement with that z-score (domain.md 1.7,
-- decision D1): a weight-only visit does not hide the height measured earlier, and a flagged
-- value (WHO limits, a data error) does not hide an earlier plausible one. Only the class
-- matters downstream (kelas_*: 0 flagged or NaN, 1 valid, 2 below -2, 3 below -3 (HAZ) or above
-- +2 (WHZ)); it rides in the two low bits under the ordering key, and a valid bit above the key
-- (bit 122; the ordering key is < 2^120) makes every valid value outrank every flagged one
-- (kunci_* = valid << 122 | urutan << 2 | kelas). So max() picks the latest valid value, and
-- class 0 (flagged) only for a child whose every value of that index in the period is flagged.
-- Every column is a max (or the area at the max), so a year's state is the max over its months
-- and merging a month into it (11_anak_tahun.sql) gives what a pass over the whole year gives.
CREATE OR REPLACE TEMP TABLE tmp_anak_bulan AS
WITH balita AS (
    SELECT
        child_key,
        date_trunc('month', measurement_date)::DATE AS bulan,
        (CAST(measurement_date - DATE '1970-01-01' AS HUGEINT) << 104)
            | (CAST(epoch_ms(loaded_at) AS HUGEINT) << 62)
            | (CAST(hash(file_sha256) & 1073741823 AS HUGEINT) << 32)
            | CAST(row_number AS HUGEINT) AS urutan,
        coalesce(posyandu_key, kode_desa) AS lokasi,
        CASE WHEN flen = 1 OR isnan(zlen) THEN 0 WHEN zlen < -3 THEN 3 WHEN zlen < -2 THEN 2
             WHEN zlen IS NOT NULL THEN 1 END AS kelas_haz,
        CASE WHEN fwei = 1 OR isnan(zwei) THEN 0 WHEN zwei < -2 THEN 2
             WHEN zwei IS NOT NULL THEN 1 END AS kelas_waz,
        CASE WHEN fwfl = 1 OR isnan(zwfl) THEN 0 WHEN zwfl < -2 THEN 2 WHEN zwfl > 2 THEN 3
             WHEN zwfl IS NOT NULL THEN 1 END AS kelas_whz
    FROM scope_pengukuran
    WHERE age_months < 60
)
-- a NULL class (no z-score) makes the packed key NULL, which max() skips
SELECT
    child_key, bulan,
    max(urutan) AS urutan,
    arg_max(lokasi, urutan) AS lokasi,
    max(CAST(kelas_haz > 0 AS HUGEINT) << 122 | urutan << 2 | kelas_haz) AS kunci_haz,
    max(CAST(kelas_waz > 0 AS HUGEINT) << 122 | urutan << 2 | kelas_waz) AS kunci_waz,
    max(CAST(kelas_whz > 0 AS HUGEINT) << 122 | urutan << 2 | kelas_whz) AS kunci_whz
FROM balita
GROUP BY child_key, bulan;
