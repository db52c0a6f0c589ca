"""reads: mart_prevalensi

spm_stunting_source (temp view) for mart_stunting_spm_pkk: kab/kota and kecamatan stunting
prevalence per month and year from mart_prevalensi (stunting domain, built before this one).
Where a build has no mart_prevalensi the view is empty with the same columns, so the joined mart
still builds, with NULL prevalence, instead of inventing a second prevalence definition here."""

from __future__ import annotations

import duckdb

COLUMNS = (
    "CAST(level AS VARCHAR) AS level, CAST(kode AS VARCHAR) AS kode, "
    "CAST(period_type AS VARCHAR) AS period_type, CAST(period AS VARCHAR) AS period, "
    "CAST(n_haz AS BIGINT) AS n_haz, CAST(n_stunted AS BIGINT) AS n_stunted, "
    "CAST(pct_stunted AS DOUBLE) AS pct_stunted, CAST(suppressed AS BOOLEAN) AS suppressed"
)


def build(con: duckdb.DuckDBPyConnection, config: object) -> None:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'mart_prevalensi' AND table_schema = 'main' "
        "AND table_catalog = current_database()"
    ).fetchone()[0]
    if exists:
        source = (
            "FROM mart_prevalensi WHERE level IN ('kabkota', 'kecamatan') "
            "AND period_type IN ('bulan', 'tahun')"
        )
    else:
        source = (
            "FROM (SELECT NULL AS level, NULL AS kode, NULL AS period_type, NULL AS period, "
            "NULL AS n_haz, NULL AS n_stunted, NULL AS pct_stunted, NULL AS suppressed) "
            "WHERE false"
        )
    con.execute(f"CREATE OR REPLACE TEMP VIEW spm_stunting_source AS SELECT {COLUMNS} {source}")
