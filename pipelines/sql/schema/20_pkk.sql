-- grain: raw_pkk one row per data row of a PKK recap export, as read (personal columns dropped)
CREATE TABLE IF NOT EXISTS raw_pkk (
    file_sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sheet VARCHAR,
    row_number INTEGER NOT NULL, loaded_at TIMESTAMP NOT NULL,
    no VARCHAR, prov VARCHAR, kab_kota VARCHAR, kec VARCHAR, desa_kel VARCHAR, bulan VARCHAR,
    tahun VARCHAR, jml_dasa_wisma VARCHAR, jml_krt VARCHAR, jml_kk VARCHAR, total_l VARCHAR,
    total_p VARCHAR, balita_l VARCHAR, balita_p VARCHAR, pus VARCHAR, wus VARCHAR,
    ibu_hamil VARCHAR, ibu_menyusui VARCHAR, lansia VARCHAR, tiga_buta VARCHAR,
    tiga_buta_l VARCHAR, tiga_buta_p VARCHAR, berkebutuhan_khusus VARCHAR,
    sehat_layak_huni VARCHAR, tidak_sehat_layak_huni VARCHAR, tempat_sampah VARCHAR, spal VARCHAR,
    jamban_septic VARCHAR, air_pdam VARCHAR, air_sumur VARCHAR, air_sungai VARCHAR,
    air_lainnya VARCHAR, makanan_beras VARCHAR, makanan_non_beras VARCHAR, stiker_p4k VARCHAR,
    up2k VARCHAR, pemanfaatan_pekarangan VARCHAR, industri_rumah_tangga VARCHAR,
    kesehatan_lingkungan VARCHAR, keterangan VARCHAR,
    extra VARCHAR
);

-- grain: stg_pkk one row per staged desa/kelurahan and month (counts as whole numbers, NULL =
-- not recorded in the file)
CREATE TABLE IF NOT EXISTS stg_pkk (
    file_sha256 VARCHAR NOT NULL, row_number INTEGER NOT NULL,
    kode_kabkota VARCHAR NOT NULL, kode_kecamatan VARCHAR NOT NULL, kode_desa VARCHAR NOT NULL,
    bulan DATE NOT NULL,            -- first day of the recap month
    jml_dasa_wisma INTEGER, jml_krt INTEGER NOT NULL, jml_kk INTEGER,
    total_l INTEGER, total_p INTEGER, balita_l INTEGER, balita_p INTEGER,
    pus INTEGER, wus INTEGER, ibu_hamil INTEGER, ibu_menyusui INTEGER, lansia INTEGER,
    tiga_buta INTEGER, berkebutuhan_khusus INTEGER,
    sehat_layak_huni INTEGER, tidak_sehat_layak_huni INTEGER, tempat_sampah INTEGER,
    spal INTEGER, jamban_septic INTEGER,
    air_pdam INTEGER, air_sumur INTEGER, air_sungai INTEGER, air_lainnya INTEGER,
    makanan_beras INTEGER, makanan_non_beras INTEGER, stiker_p4k INTEGER, up2k INTEGER,
    pemanfaatan_pekarangan INTEGER, industri_rumah_tangga INTEGER, kesehatan_lingkungan INTEGER
);
