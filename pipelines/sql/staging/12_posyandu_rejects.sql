-- grain: parsed_rejects (temp) one row per rejected data row: the column to look at, the reason
-- key and a message a person can act on. Values quoted here are never personal (no NIK, names).
CREATE OR REPLACE TEMP TABLE parsed_rejects AS
SELECT
    p.file_seq, p.file_sha256, p.file_name, p.row_number,
    CASE p.reason
        WHEN 'sex' THEN 'JK'
        WHEN 'birth_date' THEN 'Tgl Lahir'
        WHEN 'measurement_date' THEN 'Tanggal Pengukuran'
        WHEN 'date_order' THEN 'Tanggal Pengukuran'
        WHEN 'age_range' THEN 'Tgl Lahir'
        WHEN 'future_date' THEN 'Tanggal Pengukuran'
        WHEN 'kabkota' THEN 'Kab/Kota'
        WHEN 'kecamatan' THEN 'Kec'
        WHEN 'desa' THEN 'Desa/Kel'
        WHEN 'no_measurement' THEN 'Berat'
        WHEN 'bad_number' THEN CASE WHEN NOT p.berat_missing AND p.berat_num IS NULL THEN 'Berat' ELSE 'Tinggi' END
        WHEN 'duplicate' THEN CASE p.child_key_source WHEN 'nik' THEN 'NIK' ELSE 'Nama' END
    END AS column_name,
    p.reason,
    CASE p.reason
        WHEN 'sex' THEN CASE WHEN is_blank(p.jk) THEN 'JK is empty'
             ELSE 'JK ''' || p.jk || ''' is not L/P, Laki-laki/Perempuan or 1/2' END
        WHEN 'birth_date' THEN CASE WHEN is_blank(p.tgl_lahir) THEN 'Tgl Lahir is empty'
             ELSE 'Tgl Lahir ''' || p.tgl_lahir || ''' is not a valid date (YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel serial)' END
        WHEN 'measurement_date' THEN CASE WHEN is_blank(p.tanggal_pengukuran) THEN 'Tanggal Pengukuran is empty'
             ELSE 'Tanggal Pengukuran ''' || p.tanggal_pengukuran || ''' is not a valid date (YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel serial)' END
        WHEN 'date_order' THEN 'measured on ' || p.measurement_date || ', before the birth date ' || p.birth_date
        WHEN 'age_range' THEN 'age at measurement is ' || p.age_days || ' days, over the 1856 days of the WHO tables'
        WHEN 'future_date' THEN 'measurement date ' || p.measurement_date || ' is after '
             || latest_allowed_text(p.extraction_date)
        WHEN 'kabkota' THEN kabkota_message(p.kab_kota, p.kab_n)
        WHEN 'kecamatan' THEN kecamatan_message(p.kec, p.kode_kabkota)
        WHEN 'desa' THEN desa_message(p.desa_kel, p.kode_kecamatan)
        WHEN 'no_measurement' THEN 'neither Berat nor Tinggi has a value'
        WHEN 'bad_number' THEN CASE WHEN NOT p.berat_missing AND p.berat_num IS NULL
             THEN 'Berat ''' || p.berat || ''' is not a number'
             ELSE 'Tinggi ''' || p.tinggi || ''' is not a number' END
        WHEN 'duplicate' THEN d.message
    END AS message
FROM pos_parsed AS p
LEFT JOIN pos_duplicates AS d USING (row_key)
WHERE p.reason IS NOT NULL;
