-- grain: parsed_rejects (temp) one row per rejected intervention report row: the column to look
-- at, the reason key and a message a person can act on (values quoted are dates, place names
-- and counts; Pelapor is never quoted).
CREATE OR REPLACE TEMP TABLE parsed_rejects AS
SELECT
    p.file_seq, p.file_sha256, p.file_name, p.row_number,
    CASE p.reason
        WHEN 'tanggal' THEN 'Tanggal'
        WHEN 'future_date' THEN 'Tanggal'
        WHEN 'kabkota' THEN 'Kab/Kota'
        WHEN 'kecamatan' THEN 'Kec'
        WHEN 'bad_number' THEN p.bad_label
        WHEN 'no_value' THEN NULL
        WHEN 'duplicate' THEN 'Tanggal'
    END AS column_name,
    p.reason,
    CASE p.reason
        WHEN 'tanggal' THEN CASE WHEN is_blank(p.tanggal) THEN 'Tanggal is empty'
             ELSE 'Tanggal ''' || p.tanggal || ''' is not a valid date (YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel serial)' END
        WHEN 'future_date' THEN 'report date ' || p.tanggal_date || ' is after '
             || latest_allowed_text(p.extraction_date)
        WHEN 'kabkota' THEN kabkota_message(p.kab_kota, p.kab_n)
        WHEN 'kecamatan' THEN 'Kec ''' || p.kec || ''' is not a kecamatan of ' || p.kode_kabkota
             || ' in the Kemendagri code list (leave Kec empty for a whole-kab/kota report)'
        WHEN 'bad_number' THEN p.bad_label || ' ''' || p.bad_cell || ''' is not a whole number of 0 or more'
        WHEN 'no_value' THEN 'no activity column has a value; write 0 for an activity not done that day'
        WHEN 'duplicate' THEN d.message
    END AS message
FROM int_parsed AS p
LEFT JOIN int_duplicates AS d USING (row_key)
WHERE p.reason IS NOT NULL;
