-- grain: tmp_prevalensi_anak (temp view, read once by 20_prevalensi_agregat, so the per-child
-- step is never materialised) one row per child, period_type ('bulan' or 'tahun') and
-- period_start (the child key itself is not kept: nothing downstream needs it). Only
-- measurements at 0-59 completed months count. The child's area
-- is that of its latest measurement in the period; for each index (HAZ, WAZ, WHZ) the child's value
-- is that of its latest measurement in the period with that z-score, so a weight-only visit late
-- in the year does not hide the height measured earlier. A flagged (or NaN) value is kept as
-- class 0 (counted apart, never replaced by an earlier plausible one).
-- "Latest" orders by measurement_date, then load time (ms), then file, then row number, packed
-- into one HUGEINT (day << 104 | loaded_at ms << 62 | 30-bit file hash << 32 | row_number) because
-- arg_max over one integer is several times faster than over a struct. The area travels as one
-- string, posyandu_key (which starts with the desa code, contracts 2.2) or the desa code where the
-- posyandu is unknown. Only the class of each z-score matters downstream (kelas_*: 0 flagged,
-- 1 valid, 2 below -2, 3 below -3 (HAZ) or above +2 (WHZ)), so it rides in the two low bits under
-- the ordering key and max() picks the latest value with its class: a plain max over HUGEINT
-- costs a fraction of an arg_max with a FILTER.
-- One pass over the measurements groups child and year. A month needs a second reduction only
-- where a child has two measurements in it: a child-year of one measurement is its own month,
-- and in a child-year measured at most once a month every measurement is its month's latest, so
-- only the measurements of the remaining child-years are grouped again by month.
CREATE OR REPLACE TEMP VIEW tmp_prevalensi_anak AS
WITH balita AS (
    SELECT
        child_key,
        date_trunc('month', measurement_date)::DATE AS bulan,
        date_trunc('year', measurement_date)::DATE AS tahun,
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
    FROM stg_pengukuran
    WHERE age_months < 60
),
kunci AS (
    -- a NULL class (no z-score) makes the packed key NULL, which max() skips
    SELECT child_key, bulan, tahun, urutan, lokasi,
           urutan << 2 | kelas_haz AS kunci_haz,
           urutan << 2 | kelas_waz AS kunci_waz,
           urutan << 2 | kelas_whz AS kunci_whz
    FROM balita
),
per_tahun AS MATERIALIZED (
    SELECT
        child_key, tahun,
        count(*) AS n,
        bit_count(bit_or(CAST(1 AS INTEGER) << (month(bulan) - 1))) AS n_bulan,
        max(bulan) AS bulan,
        arg_max(lokasi, urutan) AS lokasi,
        max(kunci_haz) AS kunci_haz,
        max(kunci_waz) AS kunci_waz,
        max(kunci_whz) AS kunci_whz
    FROM kunci
    GROUP BY child_key, tahun
),
ganda AS (  -- the measurements of child-years with more than one; once a month or not
    SELECT k.*, t.n = t.n_bulan AS sebulan_sekali
    FROM kunci AS k
    JOIN per_tahun AS t ON t.child_key = k.child_key AND t.tahun = k.tahun
    WHERE t.n > 1
),
per_bulan AS (
    SELECT bulan, lokasi, kunci_haz, kunci_waz, kunci_whz FROM per_tahun WHERE n = 1
    UNION ALL
    SELECT bulan, lokasi, kunci_haz, kunci_waz, kunci_whz FROM ganda WHERE sebulan_sekali
    UNION ALL
    SELECT bulan, arg_max(lokasi, urutan), max(kunci_haz), max(kunci_waz), max(kunci_whz)
    FROM ganda WHERE NOT sebulan_sekali
    GROUP BY child_key, bulan
)
SELECT
    period_type, period_start, lokasi,
    CAST(kunci_haz & 3 AS TINYINT) AS kelas_haz,
    CAST(kunci_waz & 3 AS TINYINT) AS kelas_waz,
    CAST(kunci_whz & 3 AS TINYINT) AS kelas_whz
FROM (
    SELECT 'bulan' AS period_type, bulan AS period_start, lokasi, kunci_haz, kunci_waz, kunci_whz
    FROM per_bulan
    UNION ALL
    SELECT 'tahun', tahun, lokasi, kunci_haz, kunci_waz, kunci_whz
    FROM per_tahun
);
