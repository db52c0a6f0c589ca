-- grain: bulan_resolved (temp) one row per row of src_norm (which has `bulan` and `tahun`): the
-- Bulan text as read (joined with Tahun when split) and the month it names, NULL where it names
-- none. Accepted: YYYY-MM, MM/YYYY (or MM-YYYY), a month name or abbreviation with the year
-- ("Januari 2025", "Jan 2025", "Agt. 2025"), a date in any form parse_date takes (a cell Excel
-- turned into 2025-08-01), or an Excel serial day number. The value is the first of the month.
-- Each distinct text is parsed once (a file usually holds one month).
CREATE OR REPLACE TEMP TABLE bulan_resolved AS
WITH txt AS (
    SELECT row_key, bulan_text(bulan, tahun) AS teks FROM src_norm
),
parts AS (
    SELECT teks,
           regexp_extract(teks, '^(\d{4})[-/.](\d{1,2})$', ['y', 'm']) AS ym,
           regexp_extract(teks, '^(\d{1,2})[-/.](\d{4})$', ['m', 'y']) AS my,
           regexp_extract(teks, '^([A-Za-z]+)\.?[ -]+(\d{4})$', ['w', 'y']) AS wy,
           parse_date(teks) AS tanggal
    FROM (SELECT DISTINCT teks FROM txt WHERE NOT is_blank(teks))
),
numbers AS (
    SELECT p.teks, p.tanggal,
           TRY_CAST(coalesce(nullif(p.ym.y, ''), nullif(p.my.y, ''), nullif(p.wy.y, '')) AS INTEGER) AS y,
           coalesce(TRY_CAST(nullif(p.ym.m, '') AS INTEGER), TRY_CAST(nullif(p.my.m, '') AS INTEGER),
                    k.bulan) AS m,
           p.ym.y <> '' OR p.my.y <> '' OR p.wy.y <> '' AS year_month_form
    FROM parts AS p
    LEFT JOIN bulan_kata AS k ON k.kata = upper(p.wy.w)
),
parsed AS (
    SELECT teks,
           CASE
               WHEN year_month_form THEN
                   CASE WHEN y BETWEEN 1900 AND 2999 AND m BETWEEN 1 AND 12 THEN make_date(y, m, 1) END
               ELSE CAST(date_trunc('month', tanggal) AS DATE)
           END AS bulan_date
    FROM numbers
)
SELECT t.row_key, t.teks AS bulan_teks, p.bulan_date
FROM txt AS t
LEFT JOIN parsed AS p USING (teks);
