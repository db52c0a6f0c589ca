-- grain: pos_parsed (temp) one row per data row of the posyandu exports being loaded: the text
-- cells later steps read, typed cells, wilayah codes, the child key, and the first reject reason
-- that applies (NULL = to be staged).
-- Input: the temp table src_norm (a batch of files: every canonical column, NULL where a file
-- lacks it, and each row's file_seq, row_key, file and extraction_date) and wil_names
-- (02_resolve_wilayah.sql over the same rows). Variables: today, hmac_ipad, hmac_opad (the
-- child key: child_hmac in 00_macros.sql).
-- Dates, numbers and JK repeat a lot (a million rows hold a few thousand distinct dates and
-- weights): each distinct text is parsed once and joined back, the same macros either way.
-- pos_text_num: every distinct text of the number columns, parsed (13_posyandu_to_stage.sql
-- reads it too); zero is the usual "not measured" placeholder, so it counts as no value. A
-- negative weight or height is a number: an implausible value, staged (D16).
CREATE OR REPLACE TEMP TABLE pos_text_num AS
SELECT s, parse_num(s) AS n, is_blank(s) OR coalesce(parse_num(s) = 0, false) AS missing
FROM (
    SELECT berat AS s FROM src_norm
    UNION SELECT tinggi FROM src_norm
    UNION SELECT lila FROM src_norm
    UNION SELECT zs_tbu FROM src_norm
    UNION SELECT zs_bbu FROM src_norm
    UNION SELECT zs_bbtb FROM src_norm
)
WHERE s IS NOT NULL;

CREATE OR REPLACE TEMP TABLE pos_parsed AS
WITH dates AS (
    SELECT s, parse_date(s) AS d
    FROM (SELECT tgl_lahir AS s FROM src_norm UNION SELECT tanggal_pengukuran FROM src_norm)
    WHERE s IS NOT NULL
),
sexes AS (
    SELECT s, parse_sex(s) AS sex FROM (SELECT DISTINCT jk AS s FROM src_norm) WHERE s IS NOT NULL
),
resolved AS (
    SELECT
        -- the cells the later steps read (messages, staging columns); the others, the personal
        -- ones first, stay behind: writing a million unique NIK, names and row numbers into
        -- this table cost more than the parsing
        s.file_seq, s.row_key, s.row_number, s.file_sha256, s.file_name, s.extraction_date,
        s.loaded_at, s.jk, s.tgl_lahir, s.tanggal_pengukuran, s.kab_kota, s.kec, s.desa_kel,
        s.posyandu, s.puskesmas, s.berat, s.tinggi, s.cara_ukur, s.lila, s.kat_tbu, s.zs_tbu,
        s.kat_bbu, s.zs_bbu, s.kat_bbtb, s.zs_bbtb, s.naik_berat_badan,
        x.sex,
        b.d AS birth_date,
        m.d AS measurement_date,
        bw.n AS berat_num,
        tw.n AS tinggi_num,
        coalesce(bw.missing, true) AS berat_missing,   -- a NULL cell is blank
        coalesce(tw.missing, true) AS tinggi_missing,
        w.kab_n, w.kode_kabkota, w.kode_kecamatan, w.kode_desa,
        clean_nik(s.nik) AS nik_16,
        s.nama
    FROM src_norm AS s
    JOIN wil_names AS w
        ON w.kab_kota IS NOT DISTINCT FROM s.kab_kota AND w.kec IS NOT DISTINCT FROM s.kec
       AND w.desa_kel IS NOT DISTINCT FROM s.desa_kel
    LEFT JOIN sexes AS x ON x.s = s.jk
    LEFT JOIN dates AS b ON b.s = s.tgl_lahir
    LEFT JOIN dates AS m ON m.s = s.tanggal_pengukuran
    LEFT JOIN pos_text_num AS bw ON bw.s = s.berat
    LEFT JOIN pos_text_num AS tw ON tw.s = s.tinggi
),
checked AS (
    SELECT
        r.*,
        CAST(r.measurement_date - r.birth_date AS INTEGER) AS age_days,
        CASE WHEN NOT nik_placeholder(r.nik_16) THEN r.nik_16 END AS nik_clean,
        CASE
            WHEN r.sex IS NULL THEN 'sex'
            WHEN r.birth_date IS NULL THEN 'birth_date'
            WHEN r.measurement_date IS NULL THEN 'measurement_date'
            WHEN r.measurement_date < r.birth_date THEN 'date_order'
            WHEN r.measurement_date - r.birth_date > 1856 THEN 'age_range'
            WHEN r.measurement_date > coalesce(r.extraction_date, getvariable('today')) THEN 'future_date'
            WHEN r.kode_kabkota IS NULL THEN 'kabkota'
            WHEN r.kode_kecamatan IS NULL THEN 'kecamatan'
            WHEN r.kode_desa IS NULL THEN 'desa'
            WHEN r.berat_missing AND r.tinggi_missing THEN 'no_measurement'
            WHEN (NOT r.berat_missing AND r.berat_num IS NULL)
              OR (NOT r.tinggi_missing AND r.tinggi_num IS NULL) THEN 'bad_number'
        END AS reason
    FROM resolved AS r
)
SELECT
    c.* EXCLUDE (nik_16, nik_clean, nama),
    CASE WHEN c.reason IS NULL THEN
        CASE WHEN c.nik_clean IS NOT NULL
             THEN child_hmac('nik|' || c.nik_clean)
             ELSE child_hmac('name|'
                             || regexp_replace(upper(trim(coalesce(c.nama, ''))), '\s+', ' ', 'g')
                             || '|' || c.birth_date || '|' || c.sex || '|' || c.kode_desa)
        END
    END AS child_key,
    CASE WHEN c.nik_clean IS NOT NULL THEN 'nik' ELSE 'name' END AS child_key_source
FROM checked AS c;
