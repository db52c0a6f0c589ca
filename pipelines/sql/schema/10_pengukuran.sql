-- grain: raw_pengukuran one row per data row of a posyandu export, as read (personal columns dropped)
CREATE TABLE IF NOT EXISTS raw_pengukuran (
    file_sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sheet VARCHAR,
    row_number INTEGER NOT NULL, loaded_at TIMESTAMP NOT NULL,
    no VARCHAR, jk VARCHAR, tgl_lahir VARCHAR, bb_lahir VARCHAR, tb_lahir VARCHAR, prov VARCHAR,
    kab_kota VARCHAR, kec VARCHAR, puskesmas VARCHAR, desa_kel VARCHAR, posyandu VARCHAR,
    rt VARCHAR, rw VARCHAR, usia_saat_ukur VARCHAR, tanggal_pengukuran VARCHAR, berat VARCHAR,
    tinggi VARCHAR, cara_ukur VARCHAR, lila VARCHAR, kat_bbu VARCHAR, zs_bbu VARCHAR,
    kat_tbu VARCHAR, zs_tbu VARCHAR, kat_bbtb VARCHAR, zs_bbtb VARCHAR, naik_berat_badan VARCHAR,
    pmt_diterima VARCHAR, jml_vit_a VARCHAR, kpsp VARCHAR, kia VARCHAR,
    kelas_ibu_balita VARCHAR, mbg VARCHAR,
    extra VARCHAR
);

-- grain: stg_pengukuran one row per staged measurement (typed, codes resolved, WHO z-scores)
CREATE TABLE IF NOT EXISTS stg_pengukuran (
    file_sha256 VARCHAR NOT NULL, row_number INTEGER NOT NULL,
    child_key VARCHAR NOT NULL, child_key_source VARCHAR NOT NULL,
    sex TINYINT NOT NULL, birth_date DATE NOT NULL, measurement_date DATE NOT NULL,
    age_days INTEGER NOT NULL, age_months INTEGER NOT NULL,
    kode_kabkota VARCHAR NOT NULL, kode_kecamatan VARCHAR NOT NULL, kode_desa VARCHAR NOT NULL,
    posyandu_key VARCHAR, posyandu_nama VARCHAR, puskesmas VARCHAR,
    weight_kg DOUBLE, lenhei_cm DOUBLE, lila_cm DOUBLE, measure VARCHAR,
    clen DOUBLE, c9mo_flag TINYINT,
    zlen DOUBLE, zwei DOUBLE, zwfl DOUBLE, zbmi DOUBLE,
    flen TINYINT, fwei TINYINT, fwfl TINYINT, fbmi TINYINT,
    kat_tbu VARCHAR, kat_bbu VARCHAR, kat_bbtb VARCHAR, kat_imtu VARCHAR,
    src_kat_tbu VARCHAR, src_zs_tbu DOUBLE, src_kat_bbu VARCHAR, src_zs_bbu DOUBLE,
    src_kat_bbtb VARCHAR, src_zs_bbtb DOUBLE,
    naik_bb VARCHAR,
    extraction_date DATE,
    loaded_at TIMESTAMP NOT NULL
);
