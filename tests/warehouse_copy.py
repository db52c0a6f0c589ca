"""A writable copy of a published warehouse for tests that tamper with it: the catalog file
copied, and every stored bulk table (raw_*, stg_*, rejects) as a TEMP table of the connection,
so a test can change rows the way it could when they lived in one DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipelines import store
from pipelines.warehouse import create_bulk_views


def writable_copy(published: Path, copy: Path) -> duckdb.DuckDBPyConnection:
    shutil.copy(published, copy)
    con = duckdb.connect(str(copy))
    create_bulk_views(con, store.store_root(Path(published).resolve()))
    for table in store.BULK_TABLES:
        con.execute(f"CREATE TEMP TABLE tmp_copy AS SELECT * FROM {table}")
        con.execute(f"DROP VIEW {table}")
        con.execute(f"ALTER TABLE tmp_copy RENAME TO {table}")
    return con
