-- grain: load_files one row per loaded file content (sha256); rejects one row per rejected input row
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
    loaded_at       TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
    source      VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    row_number  INTEGER NOT NULL,
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,       -- one reason key, the first that applies
    message     VARCHAR NOT NULL
);
