-- grain: raw_intervensi one row per data row of a daily intervention report (one kab/kota or
-- kecamatan and day), as read; Pelapor (a person) is never written
CREATE TABLE IF NOT EXISTS raw_intervensi (
    file_sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sheet VARCHAR,
    row_number INTEGER NOT NULL, loaded_at TIMESTAMP NOT NULL,
    no VARCHAR, tanggal VARCHAR, prov VARCHAR, kab_kota VARCHAR, kec VARCHAR,
    remeasured VARCHAR, confirmed VARCHAR, referred VARCHAR, pmt_days VARCHAR,
    home_visits VARCHAR, kader_trained VARCHAR, kelas_ibu_balita VARCHAR, keterangan VARCHAR,
    extra VARCHAR
);

-- grain: stg_intervensi one row per staged report row (area and day) and activity with a value;
-- an empty cell gives no row (not a zero). kode_kecamatan NULL = the whole kab/kota.
CREATE TABLE IF NOT EXISTS stg_intervensi (
    file_sha256 VARCHAR NOT NULL, row_number INTEGER NOT NULL,
    tanggal DATE NOT NULL,
    kode_kabkota VARCHAR NOT NULL, kode_kecamatan VARCHAR,
    activity VARCHAR NOT NULL,      -- remeasured | confirmed | referred | pmt_days | home_visits | kader_trained | kelas_ibu_balita
    jumlah INTEGER NOT NULL
);
