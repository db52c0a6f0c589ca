-- grain: pkk_parsed (temp) one row per data row of the PKK recaps being loaded: typed counts,
-- wilayah codes, the report month and the first reject reason that applies (NULL = to be staged).
-- Text cells keep their canonical names; typed counts are n_<name>, the month is bulan_date.
-- Input: src_norm (a batch of files: every canonical column, NULL where a file lacks it, and each
-- row's file_seq, row_key, file and extraction_date), wil_resolved, bulan_resolved
-- (21_pkk_spm_bulan.sql). Variables: today.
CREATE OR REPLACE TEMP TABLE pkk_parsed AS
WITH nums AS (  -- each cell parsed once: the numeric value, or NULL
    SELECT
        s.*,
        parse_num(s.jml_dasa_wisma) AS f_jml_dasa_wisma, parse_num(s.jml_krt) AS f_jml_krt,
        parse_num(s.jml_kk) AS f_jml_kk, parse_num(s.total_l) AS f_total_l,
        parse_num(s.total_p) AS f_total_p, parse_num(s.balita_l) AS f_balita_l,
        parse_num(s.balita_p) AS f_balita_p, parse_num(s.pus) AS f_pus, parse_num(s.wus) AS f_wus,
        parse_num(s.ibu_hamil) AS f_ibu_hamil, parse_num(s.ibu_menyusui) AS f_ibu_menyusui,
        parse_num(s.lansia) AS f_lansia, parse_num(s.tiga_buta) AS f_tiga_buta,
        parse_num(s.tiga_buta_l) AS f_tiga_buta_l, parse_num(s.tiga_buta_p) AS f_tiga_buta_p,
        parse_num(s.berkebutuhan_khusus) AS f_berkebutuhan_khusus,
        parse_num(s.sehat_layak_huni) AS f_sehat_layak_huni,
        parse_num(s.tidak_sehat_layak_huni) AS f_tidak_sehat_layak_huni,
        parse_num(s.tempat_sampah) AS f_tempat_sampah, parse_num(s.spal) AS f_spal,
        parse_num(s.jamban_septic) AS f_jamban_septic, parse_num(s.air_pdam) AS f_air_pdam,
        parse_num(s.air_sumur) AS f_air_sumur, parse_num(s.air_sungai) AS f_air_sungai,
        parse_num(s.air_lainnya) AS f_air_lainnya, parse_num(s.makanan_beras) AS f_makanan_beras,
        parse_num(s.makanan_non_beras) AS f_makanan_non_beras,
        parse_num(s.stiker_p4k) AS f_stiker_p4k, parse_num(s.up2k) AS f_up2k,
        parse_num(s.pemanfaatan_pekarangan) AS f_pemanfaatan_pekarangan,
        parse_num(s.industri_rumah_tangga) AS f_industri_rumah_tangga,
        parse_num(s.kesehatan_lingkungan) AS f_kesehatan_lingkungan
    FROM src_norm AS s
),
typed AS (
    SELECT
        x.*,
        b.bulan_teks, b.bulan_date,
        w.kab_n, w.kode_kabkota, w.kode_kecamatan, w.kode_desa,
        whole_count(f_jml_dasa_wisma) AS n_jml_dasa_wisma, whole_count(f_jml_krt) AS n_jml_krt,
        whole_count(f_jml_kk) AS n_jml_kk, whole_count(f_total_l) AS n_total_l,
        whole_count(f_total_p) AS n_total_p, whole_count(f_balita_l) AS n_balita_l,
        whole_count(f_balita_p) AS n_balita_p, whole_count(f_pus) AS n_pus,
        whole_count(f_wus) AS n_wus, whole_count(f_ibu_hamil) AS n_ibu_hamil,
        whole_count(f_ibu_menyusui) AS n_ibu_menyusui, whole_count(f_lansia) AS n_lansia,
        whole_count(f_tiga_buta) AS n_tiga_buta, whole_count(f_tiga_buta_l) AS n_tiga_buta_l,
        whole_count(f_tiga_buta_p) AS n_tiga_buta_p,
        whole_count(f_berkebutuhan_khusus) AS n_berkebutuhan_khusus,
        whole_count(f_sehat_layak_huni) AS n_sehat_layak_huni,
        whole_count(f_tidak_sehat_layak_huni) AS n_tidak_sehat_layak_huni,
        whole_count(f_tempat_sampah) AS n_tempat_sampah, whole_count(f_spal) AS n_spal,
        whole_count(f_jamban_septic) AS n_jamban_septic, whole_count(f_air_pdam) AS n_air_pdam,
        whole_count(f_air_sumur) AS n_air_sumur, whole_count(f_air_sungai) AS n_air_sungai,
        whole_count(f_air_lainnya) AS n_air_lainnya,
        whole_count(f_makanan_beras) AS n_makanan_beras,
        whole_count(f_makanan_non_beras) AS n_makanan_non_beras,
        whole_count(f_stiker_p4k) AS n_stiker_p4k, whole_count(f_up2k) AS n_up2k,
        whole_count(f_pemanfaatan_pekarangan) AS n_pemanfaatan_pekarangan,
        whole_count(f_industri_rumah_tangga) AS n_industri_rumah_tangga,
        whole_count(f_kesehatan_lingkungan) AS n_kesehatan_lingkungan
    FROM nums AS x
    JOIN wil_resolved AS w USING (row_key)
    JOIN bulan_resolved AS b USING (row_key)
),
flagged AS (
    SELECT
        t.*,
        -- the first measure (in form order) that holds something other than a whole number >= 0
        list_filter([
            {'col': 'Jml Dasa Wisma', 'v': jml_dasa_wisma, 'bad': NOT is_blank(jml_dasa_wisma) AND n_jml_dasa_wisma IS NULL},
            {'col': 'Jml KRT', 'v': jml_krt, 'bad': NOT is_blank(jml_krt) AND n_jml_krt IS NULL},
            {'col': 'Jml KK', 'v': jml_kk, 'bad': NOT is_blank(jml_kk) AND n_jml_kk IS NULL},
            {'col': 'Total L', 'v': total_l, 'bad': NOT is_blank(total_l) AND n_total_l IS NULL},
            {'col': 'Total P', 'v': total_p, 'bad': NOT is_blank(total_p) AND n_total_p IS NULL},
            {'col': 'Balita L', 'v': balita_l, 'bad': NOT is_blank(balita_l) AND n_balita_l IS NULL},
            {'col': 'Balita P', 'v': balita_p, 'bad': NOT is_blank(balita_p) AND n_balita_p IS NULL},
            {'col': 'PUS', 'v': pus, 'bad': NOT is_blank(pus) AND n_pus IS NULL},
            {'col': 'WUS', 'v': wus, 'bad': NOT is_blank(wus) AND n_wus IS NULL},
            {'col': 'Ibu Hamil', 'v': ibu_hamil, 'bad': NOT is_blank(ibu_hamil) AND n_ibu_hamil IS NULL},
            {'col': 'Ibu Menyusui', 'v': ibu_menyusui, 'bad': NOT is_blank(ibu_menyusui) AND n_ibu_menyusui IS NULL},
            {'col': 'Lansia', 'v': lansia, 'bad': NOT is_blank(lansia) AND n_lansia IS NULL},
            {'col': '3 Buta', 'v': tiga_buta, 'bad': NOT is_blank(tiga_buta) AND n_tiga_buta IS NULL},
            {'col': '3 Buta L', 'v': tiga_buta_l, 'bad': NOT is_blank(tiga_buta_l) AND n_tiga_buta_l IS NULL},
            {'col': '3 Buta P', 'v': tiga_buta_p, 'bad': NOT is_blank(tiga_buta_p) AND n_tiga_buta_p IS NULL},
            {'col': 'Berkebutuhan Khusus', 'v': berkebutuhan_khusus, 'bad': NOT is_blank(berkebutuhan_khusus) AND n_berkebutuhan_khusus IS NULL},
            {'col': 'Sehat Layak Huni', 'v': sehat_layak_huni, 'bad': NOT is_blank(sehat_layak_huni) AND n_sehat_layak_huni IS NULL},
            {'col': 'Tidak Sehat Layak Huni', 'v': tidak_sehat_layak_huni, 'bad': NOT is_blank(tidak_sehat_layak_huni) AND n_tidak_sehat_layak_huni IS NULL},
            {'col': 'Memiliki Tempat Pembuangan Sampah', 'v': tempat_sampah, 'bad': NOT is_blank(tempat_sampah) AND n_tempat_sampah IS NULL},
            {'col': 'Memiliki SPAL/Pembuangan Air', 'v': spal, 'bad': NOT is_blank(spal) AND n_spal IS NULL},
            {'col': 'Memiliki Sarana MCK dan Septic Tank', 'v': jamban_septic, 'bad': NOT is_blank(jamban_septic) AND n_jamban_septic IS NULL},
            {'col': 'PDAM', 'v': air_pdam, 'bad': NOT is_blank(air_pdam) AND n_air_pdam IS NULL},
            {'col': 'Sumur', 'v': air_sumur, 'bad': NOT is_blank(air_sumur) AND n_air_sumur IS NULL},
            {'col': 'Sungai', 'v': air_sungai, 'bad': NOT is_blank(air_sungai) AND n_air_sungai IS NULL},
            {'col': 'DLL', 'v': air_lainnya, 'bad': NOT is_blank(air_lainnya) AND n_air_lainnya IS NULL},
            {'col': 'Beras', 'v': makanan_beras, 'bad': NOT is_blank(makanan_beras) AND n_makanan_beras IS NULL},
            {'col': 'Non Beras', 'v': makanan_non_beras, 'bad': NOT is_blank(makanan_non_beras) AND n_makanan_non_beras IS NULL},
            {'col': 'Menempel Stiker P4K', 'v': stiker_p4k, 'bad': NOT is_blank(stiker_p4k) AND n_stiker_p4k IS NULL},
            {'col': 'UP2K', 'v': up2k, 'bad': NOT is_blank(up2k) AND n_up2k IS NULL},
            {'col': 'Pemanfaatan Tanah Pekarangan', 'v': pemanfaatan_pekarangan, 'bad': NOT is_blank(pemanfaatan_pekarangan) AND n_pemanfaatan_pekarangan IS NULL},
            {'col': 'Industri Rumah Tangga', 'v': industri_rumah_tangga, 'bad': NOT is_blank(industri_rumah_tangga) AND n_industri_rumah_tangga IS NULL},
            {'col': 'Kesehatan Lingkungan', 'v': kesehatan_lingkungan, 'bad': NOT is_blank(kesehatan_lingkungan) AND n_kesehatan_lingkungan IS NULL}
        ], lambda c: c.bad)[1] AS bad_cell
    FROM typed AS t
),
checked AS (
    SELECT
        t.*,
        -- Counts that cannot exceed their whole (decisions in docs/marts_spm_pkk.md): each house
        -- criterion, water source and staple is one tick per household; balita, ibu hamil,
        -- ibu menyusui and WUS are household members of that sex.
        list_filter([
            {'col': 'Sehat Layak Huni', 'n': t.n_sehat_layak_huni, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Tidak Sehat Layak Huni', 'n': t.n_tidak_sehat_layak_huni, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Sehat + Tidak Sehat Layak Huni', 'n': t.n_sehat_layak_huni + t.n_tidak_sehat_layak_huni, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Memiliki Tempat Pembuangan Sampah', 'n': t.n_tempat_sampah, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Memiliki SPAL/Pembuangan Air', 'n': t.n_spal, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Memiliki Sarana MCK dan Septic Tank', 'n': t.n_jamban_septic, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'PDAM', 'n': t.n_air_pdam, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Sumur', 'n': t.n_air_sumur, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Sungai', 'n': t.n_air_sungai, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'DLL', 'n': t.n_air_lainnya, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Beras', 'n': t.n_makanan_beras, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Non Beras', 'n': t.n_makanan_non_beras, 'whole_n': t.n_jml_krt, 'whole': 'Jml KRT'},
            {'col': 'Balita L', 'n': t.n_balita_l, 'whole_n': t.n_total_l, 'whole': 'Total L'},
            {'col': 'Balita P', 'n': t.n_balita_p, 'whole_n': t.n_total_p, 'whole': 'Total P'},
            {'col': 'Ibu Hamil', 'n': t.n_ibu_hamil, 'whole_n': t.n_total_p, 'whole': 'Total P'},
            {'col': 'Ibu Menyusui', 'n': t.n_ibu_menyusui, 'whole_n': t.n_total_p, 'whole': 'Total P'},
            {'col': 'WUS', 'n': t.n_wus, 'whole_n': t.n_total_p, 'whole': 'Total P'}
        ], lambda c: c.n > c.whole_n)[1] AS over_whole,
        coalesce(t.extraction_date, getvariable('today')) AS latest_allowed
    FROM flagged AS t
)
SELECT
    -- 3 Buta split by sex in some app exports: their sum where the file has no total
    c.* REPLACE (coalesce(c.n_tiga_buta, c.n_tiga_buta_l + c.n_tiga_buta_p) AS n_tiga_buta),
    CASE
        WHEN c.bulan_date IS NULL THEN 'period'
        WHEN c.bulan_date > c.latest_allowed THEN 'future_date'
        WHEN c.kode_kabkota IS NULL THEN 'kabkota'
        WHEN c.kode_kecamatan IS NULL THEN 'kecamatan'
        WHEN c.kode_desa IS NULL THEN 'desa'
        WHEN c.bad_cell IS NOT NULL THEN 'bad_number'
        WHEN c.n_jml_krt IS NULL OR c.n_jml_krt = 0 THEN 'jml_krt'
        WHEN c.over_whole IS NOT NULL THEN 'inconsistent'
    END AS reason
FROM checked AS c;

-- Duplicates: the same desa and month as a row already staged (an earlier load) or an earlier
-- row of this batch (an earlier file, or this file); the first one wins. Only rows that passed
-- every other check compete.
CREATE OR REPLACE TEMP TABLE pkk_duplicates AS
WITH ranked AS (
    SELECT row_key, file_seq, kode_desa, bulan_date,
           first_value(file_seq) OVER w AS first_seq,
           first_value(file_name) OVER w AS first_file,
           first_value(row_number) OVER w AS first_row,
           row_number() OVER w AS nth
    FROM pkk_parsed
    WHERE reason IS NULL
    WINDOW w AS (PARTITION BY kode_desa, bulan_date ORDER BY row_key)
)
SELECT r.row_key,
       duplicate_message('same desa and month (' || r.kode_desa || ', ' || strftime(r.bulan_date, '%Y-%m') || ')',
                         f.file_name, s.row_number, r.first_file, r.first_row,
                         r.first_seq = r.file_seq) AS message
FROM ranked AS r
LEFT JOIN stg_pkk AS s ON s.kode_desa = r.kode_desa AND s.bulan = r.bulan_date
LEFT JOIN load_files AS f ON f.file_sha256 = s.file_sha256
WHERE r.nth > 1 OR s.file_sha256 IS NOT NULL;

UPDATE pkk_parsed SET reason = 'duplicate'
WHERE row_key IN (SELECT row_key FROM pkk_duplicates);
