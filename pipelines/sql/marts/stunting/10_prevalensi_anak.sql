-- grain: tmp_prevalensi_anak (temp view, read once by 20_prevalensi_agregat, so the 10 million
-- row step is never materialised) one row per child, period_type ('bulan' or 'tahun') and
-- period_start (the child key itself is not kept: nothing downstream needs it). Only
-- measurements at 0-59 completed months count. The child's area
-- is that of its latest measurement in the period; for each index (HAZ, WAZ, WHZ) the child's value
-- is that of its latest measurement in the period with that z-score, so a weight-only visit late
-- in the year does not hide the height measured earlier. A flagged value is kept as NaN (counted
-- apart, never replaced by an earlier plausible one).
-- "Latest" orders by measurement_date, then load time (ms), then file, then row number, packed
-- into one HUGEINT (day << 104 | loaded_at ms << 62 | 30-bit file hash << 32 | row_number) because
-- arg_max over one integer is several times faster than over a struct on 10 million rows. The
-- area travels as one string, posyandu_key (which starts with the desa code, contracts 2.2) or
-- the desa code where the posyandu is unknown: each string arg_max costs seconds at 10M rows.
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
        CASE WHEN flen = 1 THEN 'NaN'::DOUBLE ELSE zlen END AS haz,
        CASE WHEN fwei = 1 THEN 'NaN'::DOUBLE ELSE zwei END AS waz,
        CASE WHEN fwfl = 1 THEN 'NaN'::DOUBLE ELSE zwfl END AS whz
    FROM stg_pengukuran
    WHERE age_months < 60
),
per_period AS (
    SELECT
        child_key, bulan, tahun,
        arg_max(lokasi, urutan) AS lokasi,
        arg_max(haz, urutan) FILTER (WHERE haz IS NOT NULL) AS haz,
        arg_max(waz, urutan) FILTER (WHERE waz IS NOT NULL) AS waz,
        arg_max(whz, urutan) FILTER (WHERE whz IS NOT NULL) AS whz
    FROM balita
    GROUP BY GROUPING SETS ((child_key, bulan), (child_key, tahun))
)
SELECT
    CASE WHEN bulan IS NOT NULL THEN 'bulan' ELSE 'tahun' END AS period_type,
    coalesce(bulan, tahun) AS period_start,
    lokasi, haz, waz, whz
FROM per_period;
