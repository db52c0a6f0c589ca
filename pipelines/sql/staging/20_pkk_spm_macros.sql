-- Parsing rules the PKK and SPM sources share on top of 00_macros.sql (temp macros and a temp
-- lookup only): the report month and whole-number counts. As in 00_macros.sql, never guess: a
-- value that fits none of the documented forms is NULL, and the row is rejected with the reason.
-- The month itself is parsed by 21_pkk_spm_bulan.sql, once per distinct text: nested macros
-- with many references to their argument cost more to bind than the rows cost to run.

-- Indonesian month names and the abbreviations exports use, plus the English ones that differ.
CREATE OR REPLACE TEMP TABLE bulan_kata AS
SELECT * FROM (VALUES
    ('JANUARI', 1), ('JAN', 1), ('JANUARY', 1),
    ('FEBRUARI', 2), ('PEBRUARI', 2), ('FEB', 2), ('PEB', 2), ('FEBRUARY', 2),
    ('MARET', 3), ('MAR', 3), ('MARCH', 3),
    ('APRIL', 4), ('APR', 4),
    ('MEI', 5), ('MAY', 5),
    ('JUNI', 6), ('JUN', 6), ('JUNE', 6),
    ('JULI', 7), ('JUL', 7), ('JULY', 7),
    ('AGUSTUS', 8), ('AGU', 8), ('AGT', 8), ('AGS', 8), ('AGST', 8), ('AUG', 8), ('AUGUST', 8),
    ('SEPTEMBER', 9), ('SEP', 9), ('SEPT', 9),
    ('OKTOBER', 10), ('OKT', 10), ('OCT', 10), ('OCTOBER', 10),
    ('NOVEMBER', 11), ('NOPEMBER', 11), ('NOV', 11), ('NOP', 11),
    ('DESEMBER', 12), ('DES', 12), ('DEC', 12), ('DECEMBER', 12)
) AS t(kata, bulan);

-- Some exports split the period into Bulan ("Agustus" or "8") and Tahun ("2025"): join them
-- into one text the month parser takes. A Bulan that already holds a year is left alone.
CREATE OR REPLACE TEMP MACRO bulan_text(bulan, tahun) AS (
    CASE
        WHEN NOT is_blank(bulan) AND regexp_matches(coalesce(trim(tahun), ''), '^\d{4}$')
             AND NOT regexp_matches(trim(bulan), '\d{4}')
            THEN trim(bulan) || CASE WHEN regexp_matches(trim(bulan), '^\d{1,2}$') THEN '/' ELSE ' ' END
                 || trim(tahun)
        ELSE trim(bulan)
    END
);

-- Counts: a whole number >= 0 ("12", and "12.0"/"12,0" as spreadsheets write them). Fractions,
-- negatives, thousands separators ("1.234" is 1.234 by the contract's decimal rule) give NULL.
-- Takes the value of parse_num (macros expand textually: parse the cell once, in a CTE, then
-- pass the number here, or every reference below would run the regular expression again).
CREATE OR REPLACE TEMP MACRO whole_count(f) AS (
    CASE WHEN f >= 0 AND f = floor(f) AND f < 2147483648 THEN CAST(f AS INTEGER) END
);

-- The same for a text cell, for the few cells where parsing twice does not matter
-- (also used by the intervensi source).
CREATE OR REPLACE TEMP MACRO parse_count(s) AS (whole_count(parse_num(s)));

-- A cell that holds something that is not a count.
CREATE OR REPLACE TEMP MACRO bad_count(s) AS (NOT is_blank(s) AND parse_count(s) IS NULL);
