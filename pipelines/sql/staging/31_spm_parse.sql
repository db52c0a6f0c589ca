-- grain: spm_parsed (temp) one row per data row of the SPM service exports being loaded: typed
-- month and counts, wilayah codes, posyandu key, catalogue match, and the first reject reason
-- that applies (NULL = to be staged). Text cells keep their canonical names.
-- Input: src_norm (a batch of files, with each row's file_seq, row_key, file and extraction_date),
-- wil_resolved, bulan_resolved (21_pkk_spm_bulan.sql), ref_spm_indikator. Variables: today.
CREATE OR REPLACE TEMP TABLE spm_parsed AS
WITH typed AS (
    SELECT
        s.*,
        b.bulan_teks, b.bulan_date,
        w.kab_n, w.kode_kabkota, w.kode_kecamatan, w.kode_desa,
        posyandu_name(s.posyandu) AS pos_name,
        bidang_nama(s.bidang) AS bidang_nama,
        kode_indikator_key(s.kode_indikator) AS kode_key,
        parse_num(s.sasaran) AS f_sasaran,
        parse_num(s.dilayani) AS f_dilayani
    FROM src_norm AS s
    JOIN wil_resolved AS w USING (row_key)
    JOIN bulan_resolved AS b USING (row_key)
),
matched AS (
    SELECT t.*, whole_count(t.f_sasaran) AS n_sasaran, whole_count(t.f_dilayani) AS n_dilayani,
           r.kode, r.bidang AS kode_bidang
    FROM typed AS t
    LEFT JOIN ref_spm_indikator AS r ON kode_indikator_key(r.kode) = t.kode_key
)
SELECT
    m.*,
    m.kode_desa || '|' || upper(m.pos_name) AS posyandu_key,
    title_case(m.pos_name) AS posyandu_nama,
    CASE
        WHEN m.bulan_date IS NULL THEN 'period'
        WHEN m.bulan_date > coalesce(m.extraction_date, getvariable('today')) THEN 'future_date'
        WHEN m.kode_kabkota IS NULL THEN 'kabkota'
        WHEN m.kode_kecamatan IS NULL THEN 'kecamatan'
        WHEN m.kode_desa IS NULL THEN 'desa'
        WHEN m.pos_name IS NULL THEN 'posyandu'
        WHEN m.bidang_nama IS NULL THEN 'bidang'
        WHEN m.kode IS NULL OR m.kode_bidang <> m.bidang_nama THEN 'indikator'
        WHEN is_blank(m.sasaran) OR is_blank(m.dilayani) THEN 'no_value'
        WHEN m.n_sasaran IS NULL OR m.n_dilayani IS NULL THEN 'bad_number'
    END AS reason
FROM matched AS m;

-- Duplicates: the same posyandu, month and indicator as a row already staged (an earlier load)
-- or an earlier row of this batch (an earlier file, or this file); the first one wins.
CREATE OR REPLACE TEMP TABLE spm_duplicates AS
WITH ranked AS (
    SELECT row_key, file_seq, posyandu_key, bulan_date, kode,
           first_value(file_seq) OVER w AS first_seq,
           first_value(file_name) OVER w AS first_file,
           first_value(row_number) OVER w AS first_row,
           row_number() OVER w AS nth
    FROM spm_parsed
    WHERE reason IS NULL
    WINDOW w AS (PARTITION BY posyandu_key, bulan_date, kode ORDER BY row_key)
)
SELECT r.row_key,
       duplicate_message('same posyandu, month and indicator', f.file_name, s.row_number,
                         r.first_file, r.first_row, r.first_seq = r.file_seq) AS message
FROM ranked AS r
LEFT JOIN stg_spm AS s
    ON s.posyandu_key = r.posyandu_key AND s.bulan = r.bulan_date AND s.kode_indikator = r.kode
LEFT JOIN load_files AS f ON f.file_sha256 = s.file_sha256
WHERE r.nth > 1 OR s.file_sha256 IS NOT NULL;

UPDATE spm_parsed SET reason = 'duplicate'
WHERE row_key IN (SELECT row_key FROM spm_duplicates);
