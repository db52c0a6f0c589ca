-- The catalog: the small tables published with the marts. The rows themselves (raw, staging,
-- rejects) are Parquet files in the bulk store (pipelines/store.py); store_files lists the files
-- that make up the published state.
-- grain: load_files one row per loaded file content (sha256)
CREATE TABLE IF NOT EXISTS load_files (
    file_sha256     VARCHAR PRIMARY KEY,
    source          VARCHAR NOT NULL,   -- posyandu | pkk | spm | intervensi
    file_name       VARCHAR NOT NULL,
    format          VARCHAR,            -- csv | xlsx | xls | html
    sheet           VARCHAR,
    header_row      INTEGER,
    title_text      VARCHAR,
    extraction_date DATE,
    rows_read       INTEGER NOT NULL,
    rows_staged     INTEGER NOT NULL,
    rows_rejected   INTEGER NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    encoding        VARCHAR,            -- csv, html: utf-8 | utf-8-sig | cp1252 (or declared)
    dropped_columns VARCHAR[]           -- headers of the columns not kept (personal, unknown)
);

-- grain: load_rejects one row per loaded file and reject reason: how many of its rows were
-- rejected for it (the rows themselves are in the store's rejects files)
CREATE TABLE IF NOT EXISTS load_rejects (
    file_sha256 VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    n_rows      BIGINT NOT NULL
);

-- grain: load_file_area one row per file with staged rows (every source): the kab/kota and month most of its
-- staged rows belong to (rejected rows have no resolved codes; the quality mart attributes a
-- file's rejects there). Computed when the file is loaded, from its own staged rows.
CREATE TABLE IF NOT EXISTS load_file_area (
    file_sha256  VARCHAR PRIMARY KEY,
    kode_kabkota VARCHAR NOT NULL,
    bulan        DATE NOT NULL
);

-- grain: load_file_months one row per loaded file, desa and month of its staged rows (every
-- source; kecamatan or kab/kota where the source has no finer code), with the number of rows:
-- which files stand behind a wilayah's month (provenance of every mart row: its kode and period
-- lead here). Computed when the file is loaded.
CREATE TABLE IF NOT EXISTS load_file_months (
    file_sha256  VARCHAR NOT NULL,
    kode_kabkota VARCHAR NOT NULL,
    kode_wilayah VARCHAR NOT NULL,
    bulan        DATE NOT NULL,
    n_rows       BIGINT NOT NULL,
    PRIMARY KEY (file_sha256, kode_wilayah, bulan)
);

-- grain: meta_build_log one row per published build (meta_build holds the latest): when, its id,
-- full or incremental, and the code and config it ran with (pipelines/provenance.py).
CREATE TABLE IF NOT EXISTS meta_build_log (
    built_at          TIMESTAMPTZ NOT NULL,
    version           VARCHAR NOT NULL,   -- the build's id
    mode              VARCHAR NOT NULL,
    months_recomputed BIGINT,
    models_run        BIGINT,
    tumbuh_version    VARCHAR,
    code_sha256       VARCHAR,
    git_commit        VARCHAR,
    config_sha256     VARCHAR,
    engine            VARCHAR             -- duckdb, or spark (tumbuh rebuild --engine spark)
);
-- a catalog written before the Spark engine (D37)
ALTER TABLE meta_build_log ADD COLUMN IF NOT EXISTS engine VARCHAR;

CREATE TABLE IF NOT EXISTS store_files (
    table_name VARCHAR NOT NULL,    -- stg_pengukuran, raw_pkk, rejects, state_anak_tahun, ...
    part       VARCHAR NOT NULL,    -- '2025-08' (month), '2025' (year) or the writing build's id
    path       VARCHAR PRIMARY KEY, -- relative to the store root
    build_id   VARCHAR NOT NULL     -- the build that wrote it
);

-- grain: meta_key one row: the fingerprint (HMAC of a fixed label) of the hash key the child
-- keys were made with; a load under another key is refused (pipelines/keys.py)
CREATE TABLE IF NOT EXISTS meta_key (
    fingerprint VARCHAR NOT NULL,
    scheme      VARCHAR NOT NULL,   -- hmac-sha256-v1
    created_at  TIMESTAMP NOT NULL
);
