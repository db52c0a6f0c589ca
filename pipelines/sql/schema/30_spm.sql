-- grain: raw_spm one row per data row of a posyandu SPM service export, as read (personal
-- columns dropped)
CREATE TABLE IF NOT EXISTS raw_spm (
    file_sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sheet VARCHAR,
    row_number INTEGER NOT NULL, loaded_at TIMESTAMP NOT NULL,
    no VARCHAR, prov VARCHAR, kab_kota VARCHAR, kec VARCHAR, puskesmas VARCHAR,
    desa_kel VARCHAR, posyandu VARCHAR, no_registrasi VARCHAR, bulan VARCHAR, tahun VARCHAR,
    bidang VARCHAR, kode_indikator VARCHAR, indikator VARCHAR, satuan VARCHAR,
    sasaran VARCHAR, dilayani VARCHAR, keterangan VARCHAR,
    extra VARCHAR
);

-- grain: stg_spm one row per staged posyandu, month and SPM indicator. dilayani > sasaran is
-- kept as reported (flagged in the marts, never capped).
CREATE TABLE IF NOT EXISTS stg_spm (
    file_sha256 VARCHAR NOT NULL, row_number INTEGER NOT NULL,
    kode_kabkota VARCHAR NOT NULL, kode_kecamatan VARCHAR NOT NULL, kode_desa VARCHAR NOT NULL,
    posyandu_key VARCHAR NOT NULL,  -- kode_desa|NORMALISED NAME
    posyandu_nama VARCHAR NOT NULL,
    bulan DATE NOT NULL,            -- first day of the month
    bidang VARCHAR NOT NULL,        -- catalogue spelling: Kesehatan, Pekerjaan Umum, ...
    kode_indikator VARCHAR NOT NULL,
    sasaran INTEGER NOT NULL,
    dilayani INTEGER NOT NULL
);
