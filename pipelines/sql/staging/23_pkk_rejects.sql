-- grain: parsed_rejects (temp) one row per rejected PKK recap row: the column to look at, the
-- reason key and a message a person can act on. PKK recaps carry no personal data once the
-- personal columns are dropped, so the cell values quoted here are counts and place names.
CREATE OR REPLACE TEMP TABLE parsed_rejects AS
SELECT
    p.file_seq, p.file_sha256, p.file_name, p.row_number,
    CASE p.reason
        WHEN 'period' THEN 'Bulan'
        WHEN 'future_date' THEN 'Bulan'
        WHEN 'kabkota' THEN 'Kab/Kota'
        WHEN 'kecamatan' THEN 'Kec'
        WHEN 'desa' THEN 'Desa/Kel'
        WHEN 'bad_number' THEN p.bad_cell.col
        WHEN 'jml_krt' THEN 'Jml KRT'
        WHEN 'inconsistent' THEN p.over_whole.col
        WHEN 'duplicate' THEN 'Bulan'
    END AS column_name,
    p.reason,
    CASE p.reason
        WHEN 'period' THEN CASE
             WHEN regexp_matches(concat_ws(' ', p.no, p.kab_kota, p.kec, p.desa_kel), '(?i)^\s*(jumlah|total|sub\s*total)')
                 THEN 'Bulan is empty and the row looks like a total row, not a desa recap'
             WHEN is_blank(p.bulan) THEN 'Bulan is empty'
             ELSE 'Bulan ''' || p.bulan_teks || ''' is not a month (YYYY-MM, MM/YYYY, Januari 2025, Jan 2025, a date or an Excel serial)' END
        WHEN 'future_date' THEN 'month ' || strftime(p.bulan_date, '%Y-%m') || ' starts after '
             || latest_allowed_text(p.extraction_date)
        WHEN 'kabkota' THEN kabkota_message(p.kab_kota, p.kab_n)
        WHEN 'kecamatan' THEN kecamatan_message(p.kec, p.kode_kabkota)
        WHEN 'desa' THEN desa_message(p.desa_kel, p.kode_kecamatan)
        WHEN 'bad_number' THEN p.bad_cell.col || ' ''' || p.bad_cell.v || ''' is not a whole number of 0 or more'
        WHEN 'jml_krt' THEN CASE WHEN is_blank(p.jml_krt) THEN 'Jml KRT is empty: no households to count the shares over'
             ELSE 'Jml KRT is 0: no households to count the shares over' END
        WHEN 'inconsistent' THEN p.over_whole.col || ' (' || p.over_whole.n || ') is more than '
             || p.over_whole.whole || ' (' || p.over_whole.whole_n || '), which cannot be'
        WHEN 'duplicate' THEN d.message
    END AS message
FROM pkk_parsed AS p
LEFT JOIN pkk_duplicates AS d USING (row_key)
WHERE p.reason IS NOT NULL;
