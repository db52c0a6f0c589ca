-- grain: rejects one row per rejected input row (a bulk table: Parquet files in the store)
CREATE TABLE IF NOT EXISTS rejects (
    source      VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    row_number  INTEGER NOT NULL,
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,       -- one reason key, the first that applies
    message     VARCHAR NOT NULL
);
