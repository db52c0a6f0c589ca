-- Parsing rules shared by every source's staging (temp macros: nothing persists in the warehouse).
-- Text cells arrive exactly as read; these turn them into typed values or NULL, never guessing.

-- A cell that carries no value: empty, whitespace, or a dash placeholder.
CREATE OR REPLACE TEMP MACRO is_blank(s) AS (s IS NULL OR trim(s) IN ('', '-', '--', '—'));

-- Dates: YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY (an optional time after a space is ignored), or an
-- Excel serial day number (5 digits, optional fraction). Impossible dates (31/02) give NULL.
CREATE OR REPLACE TEMP MACRO parse_date(s) AS (
    CASE
        WHEN is_blank(s) THEN NULL
        WHEN regexp_matches(trim(s), '^\d{4}-\d{1,2}-\d{1,2}([ T].*)?$')
            THEN CAST(try_strptime(regexp_extract(trim(s), '^(\d{4}-\d{1,2}-\d{1,2})', 1), '%Y-%m-%d') AS DATE)
        WHEN regexp_matches(trim(s), '^\d{1,2}/\d{1,2}/\d{4}( .*)?$')
            THEN CAST(try_strptime(split_part(trim(s), ' ', 1), '%d/%m/%Y') AS DATE)
        WHEN regexp_matches(trim(s), '^\d{1,2}-\d{1,2}-\d{4}( .*)?$')
            THEN CAST(try_strptime(split_part(trim(s), ' ', 1), '%d-%m-%Y') AS DATE)
        WHEN regexp_matches(trim(s), '^\d{5}(\.\d+)?$')
            THEN DATE '1899-12-30' + CAST(floor(CAST(trim(s) AS DOUBLE)) AS INTEGER)
        ELSE NULL
    END
);

-- Numbers: digits with an optional decimal point or decimal comma ("9,5", "9.5", ".5").
-- Anything else ("83..9", "10.7 it", "1.234,5") is not a number.
CREATE OR REPLACE TEMP MACRO parse_num(s) AS (
    CASE WHEN regexp_matches(trim(s), '^[+-]?(\d+([.,]\d*)?|[.,]\d+)$')
         THEN CAST(replace(trim(s), ',', '.') AS DOUBLE) END
);

-- JK: L/P, Laki-laki/Perempuan, 1/2 (case and spacing ignored).
CREATE OR REPLACE TEMP MACRO parse_sex(s) AS (
    CASE regexp_replace(upper(coalesce(s, '')), '[^A-Z0-9]', '', 'g')
        WHEN 'L' THEN 1 WHEN 'LAKILAKI' THEN 1 WHEN '1' THEN 1
        WHEN 'P' THEN 2 WHEN 'PEREMPUAN' THEN 2 WHEN '2' THEN 2
    END
);

-- Cara Ukur: Terlentang/Telentang (lying) -> l, Berdiri (standing) -> h, else unknown.
CREATE OR REPLACE TEMP MACRO parse_measure(s) AS (
    CASE regexp_replace(upper(coalesce(s, '')), '[^A-Z]', '', 'g')
        WHEN 'TERLENTANG' THEN 'l' WHEN 'TELENTANG' THEN 'l' WHEN 'BERBARING' THEN 'l'
        WHEN 'PB' THEN 'l' WHEN 'L' THEN 'l'
        WHEN 'BERDIRI' THEN 'h' WHEN 'TB' THEN 'h' WHEN 'H' THEN 'h'
    END
);

-- NIK: 16 digits after dropping a leading apostrophe and spaces; anything else is not an identity.
-- (The usual clean 16 digits are tested first: one match instead of two replaces and a match.)
CREATE OR REPLACE TEMP MACRO clean_nik(s) AS (
    CASE WHEN regexp_full_match(s, '\d{16}') THEN s
         WHEN regexp_matches(regexp_replace(coalesce(s, ''), '^''|\s', '', 'g'), '^\d{16}$')
         THEN regexp_replace(s, '^''|\s', '', 'g') END
);
-- Child keys: HMAC-SHA256 of the message under the secret key (RFC 2104), hex. The key never
-- enters SQL: pipelines/keys.py sets its inner and outer padded blocks as the BLOB variables
-- hmac_ipad and hmac_opad (tests compare with Python's hmac module).
CREATE OR REPLACE TEMP MACRO child_hmac(msg) AS (
    sha256(getvariable('hmac_opad') || unhex(sha256(getvariable('hmac_ipad') || encode(msg))))
);
-- A placeholder for a newborn without a NIK yet is no identity: 16 equal digits
-- (0000000000000000), or a region code followed by ten zeros (no real NIK has the birth date
-- 000000 and the serial 0000). Takes the output of clean_nik.
CREATE OR REPLACE TEMP MACRO nik_placeholder(n) AS (
    n = repeat(n[1], 16) OR n[7:16] = '0000000000'
);

-- Wilayah name keys: upper case, the level's prefixes removed, only letters and digits kept, so
-- "KAB. JEMBER", "Kab Jember" and "kabupaten  jember" meet on JEMBER.
CREATE OR REPLACE TEMP MACRO wil_key(s) AS (regexp_replace(upper(coalesce(s, '')), '[^A-Z0-9]', '', 'g'));
-- Every run of spaces (tab, no-break and the other Unicode spaces exports and HTML &nbsp; bring)
-- as one plain space: "Kab Jember" keeps its prefix visible.
CREATE OR REPLACE TEMP MACRO one_space(s) AS (
    regexp_replace(s, '[\s\x{00A0}\x{2007}\x{202F}\x{FEFF}\x{3000}]+', ' ', 'g')
);
CREATE OR REPLACE TEMP MACRO plain_upper(s) AS (trim(one_space(upper(s))));
CREATE OR REPLACE TEMP MACRO kabkota_jenis(s) AS (
    CASE WHEN regexp_matches(plain_upper(s), '^(KABUPATEN|KAB)([ .]|$)') THEN 'Kabupaten'
         WHEN regexp_matches(plain_upper(s), '^(KOTAMADYA|KOTA)([ .]|$)') THEN 'Kota' END
);
CREATE OR REPLACE TEMP MACRO kabkota_key(s) AS (
    wil_key(regexp_replace(plain_upper(s), '^(KABUPATEN|KAB|KOTAMADYA|KOTA)([ .]+|$)', ''))
);
CREATE OR REPLACE TEMP MACRO kecamatan_key(s) AS (
    wil_key(regexp_replace(plain_upper(s), '^(KECAMATAN|KEC)([ .]+|$)', ''))
);
CREATE OR REPLACE TEMP MACRO desa_key(s) AS (
    wil_key(regexp_replace(plain_upper(s), '^(DESA|DS|KELURAHAN|KEL)([ .]+|$)', ''))
);
-- Posyandu: not in any code list; keyed by desa code + the name without its "POSYANDU" prefix.
CREATE OR REPLACE TEMP MACRO posyandu_name(s) AS (
    nullif(trim(regexp_replace(one_space(coalesce(s, '')), '^ ?(?i)(POSYANDU|PSY)[ .]+', '')), '')
);
-- "MELATI 3" -> "Melati 3" (DuckDB has no initcap).
CREATE OR REPLACE TEMP MACRO title_case(s) AS (
    array_to_string(list_transform(string_split(lower(s), ' '), lambda w: upper(w[1]) || w[2:]), ' ')
);

-- Reject messages every source shares, worded once so a user meets the same sentence everywhere.
-- The latest date a row may carry: the file's extraction date, or today when it states none.
CREATE OR REPLACE TEMP MACRO latest_allowed_text(extraction_date) AS (
    CASE WHEN extraction_date IS NOT NULL THEN 'the file''s extraction date ' || extraction_date
         ELSE 'today (' || getvariable('today') || '; the file states no extraction date)' END
);
CREATE OR REPLACE TEMP MACRO kabkota_message(kab_kota, kab_n) AS (
    CASE WHEN is_blank(kab_kota) THEN 'Kab/Kota is empty'
         WHEN kab_n > 1 THEN 'Kab/Kota ''' || kab_kota || ''' is ambiguous: both a Kabupaten and a Kota have this name; write KAB. or KOTA'
         ELSE 'Kab/Kota ''' || kab_kota || ''' is not a kabupaten/kota of Jawa Timur in the Kemendagri code list' END
);
CREATE OR REPLACE TEMP MACRO kecamatan_message(kec, kode_kabkota) AS (
    CASE WHEN is_blank(kec) THEN 'Kec is empty'
         ELSE 'Kec ''' || kec || ''' is not a kecamatan of ' || kode_kabkota || ' in the Kemendagri code list' END
);
CREATE OR REPLACE TEMP MACRO desa_message(desa_kel, kode_kecamatan) AS (
    CASE WHEN is_blank(desa_kel) THEN 'Desa/Kel is empty'
         ELSE 'Desa/Kel ''' || desa_kel || ''' is not a desa/kelurahan of kecamatan ' || kode_kecamatan || ' in the Kemendagri code list' END
);
-- A duplicate's message names where the first copy is: an earlier load, an earlier file of the
-- same batch, or an earlier row of the same file.
CREATE OR REPLACE TEMP MACRO duplicate_message(what, staged_file, staged_row, first_file, first_row, same_file) AS (
    CASE WHEN staged_file IS NOT NULL THEN what || ' already staged from ' || staged_file || ' row ' || staged_row
         WHEN NOT same_file THEN what || ' already staged from ' || first_file || ' row ' || first_row
         ELSE what || ' as row ' || first_row || ' of this file' END
);
