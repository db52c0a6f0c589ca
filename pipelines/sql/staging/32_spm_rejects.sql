-- grain: parsed_rejects (temp) one row per rejected SPM service row: the column to look at, the
-- reason key and a message a person can act on (values quoted are place, posyandu and
-- indicator names or counts, never a person).
CREATE OR REPLACE TEMP TABLE parsed_rejects AS
SELECT
    p.file_seq, p.file_sha256, p.file_name, p.row_number,
    CASE p.reason
        WHEN 'period' THEN 'Bulan'
        WHEN 'future_date' THEN 'Bulan'
        WHEN 'kabkota' THEN 'Kab/Kota'
        WHEN 'kecamatan' THEN 'Kec'
        WHEN 'desa' THEN 'Desa/Kel'
        WHEN 'posyandu' THEN 'Posyandu'
        WHEN 'bidang' THEN 'Bidang'
        WHEN 'indikator' THEN 'Kode Indikator'
        WHEN 'no_value' THEN CASE WHEN is_blank(p.sasaran) THEN 'Sasaran' ELSE 'Dilayani' END
        WHEN 'bad_number' THEN CASE WHEN p.n_sasaran IS NULL THEN 'Sasaran' ELSE 'Dilayani' END
        WHEN 'duplicate' THEN 'Kode Indikator'
    END AS column_name,
    p.reason,
    CASE p.reason
        WHEN 'period' THEN CASE WHEN is_blank(p.bulan) THEN 'Bulan is empty'
             ELSE 'Bulan ''' || p.bulan_teks || ''' is not a month (YYYY-MM, MM/YYYY, Januari 2025, Jan 2025, a date or an Excel serial)' END
        WHEN 'future_date' THEN 'month ' || strftime(p.bulan_date, '%Y-%m') || ' starts after '
             || latest_allowed_text(p.extraction_date)
        WHEN 'kabkota' THEN kabkota_message(p.kab_kota, p.kab_n)
        WHEN 'kecamatan' THEN kecamatan_message(p.kec, p.kode_kabkota)
        WHEN 'desa' THEN desa_message(p.desa_kel, p.kode_kecamatan)
        WHEN 'posyandu' THEN 'Posyandu is empty'
        WHEN 'bidang' THEN CASE WHEN is_blank(p.bidang) THEN 'Bidang is empty'
             ELSE 'Bidang ''' || p.bidang || ''' is not one of Kesehatan, Pendidikan, Sosial, Pekerjaan Umum, Perumahan Rakyat, Trantibumlinmas' END
        WHEN 'indikator' THEN CASE
             WHEN is_blank(p.kode_indikator) THEN 'Kode Indikator is empty'
             WHEN p.kode IS NULL THEN 'Kode Indikator ''' || p.kode_indikator || ''' is not in the SPM indicator catalogue (pipelines/reference/spm_indikator.csv)'
             ELSE 'Kode Indikator ' || p.kode || ' belongs to bidang ' || p.kode_bidang || ', not ' || p.bidang_nama END
        WHEN 'no_value' THEN CASE WHEN is_blank(p.sasaran) THEN 'Sasaran is empty' ELSE 'Dilayani is empty' END
        WHEN 'bad_number' THEN CASE WHEN p.n_sasaran IS NULL
             THEN 'Sasaran ''' || p.sasaran || ''' is not a whole number of 0 or more'
             ELSE 'Dilayani ''' || p.dilayani || ''' is not a whole number of 0 or more' END
        WHEN 'duplicate' THEN d.message
    END AS message
FROM spm_parsed AS p
LEFT JOIN spm_duplicates AS d USING (row_key)
WHERE p.reason IS NOT NULL;
