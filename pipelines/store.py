"""The bulk store: the rows every load adds (raw, staging, rejects) and the large derived states
of the incremental marts, as immutable Parquet files beside the published catalog.

Layout (`<warehouse>.store/`, decision D18):

    stg_pengukuran/bulan=2025-08/<build>_<uuid>.parquet   staging, by source table and month
    raw_pengukuran/load=<build>/<build>_<uuid>.parquet     raw rows, by source table and load
    rejects/source=posyandu/load=<build>/...               rejected rows, by source and load
    state/anak_tahun/tahun=2025/<build>.parquet            derived mart states (replaced whole)
    state_skdn_pertama/load=<build>/<build>_<uuid>.parquet  first month each child was weighed
                                                           (append-only log, pipelines/skdn.py)

A file is written once and never changed. The published catalog (the small DuckDB file the
dashboard reads) lists in `store_files` the files that make up the published state; a file the
catalog does not list is a leftover of a crashed or discarded build and is removed by the next
writer, under the lock. Superseded state files are removed after the catalog that replaced them
is published.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

# Bulk tables: table -> (partition column expression for COPY, partition name).
# Staging is split by month, so a load touches only the months it adds to and the duplicate
# check and the marts read only those; raw rows and rejects have no trustworthy date (a rejected
# row may have none), so they are split by the load that wrote them.
STAGING_MONTH = {
    "stg_pengukuran": "strftime(measurement_date, '%Y-%m')",
    "stg_pkk": "strftime(bulan, '%Y-%m')",
    "stg_spm": "strftime(bulan, '%Y-%m')",
    "stg_intervensi": "strftime(tanggal, '%Y-%m')",
}
RAW_TABLES = ("raw_pengukuran", "raw_pkk", "raw_spm", "raw_intervensi")
BULK_TABLES = (*STAGING_MONTH, *RAW_TABLES, "rejects")



def store_root(published: Path) -> Path:
    """`data/warehouse.duckdb` -> `data/warehouse.store`."""
    return published.with_name(published.stem + ".store")


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def files_of(con: duckdb.DuckDBPyConnection, table: str, parts: Iterable[str] | None = None
             ) -> list[str]:
    """Relative paths of a table's files in the catalog of `con` (optionally only some parts)."""
    if parts is None:
        rows = con.execute("SELECT path FROM store_files WHERE table_name = ? ORDER BY path",
                           [table]).fetchall()
    else:
        rows = con.execute("SELECT path FROM store_files WHERE table_name = ? "
                           "AND list_contains(?, part) ORDER BY path",
                           [table, sorted(set(parts))]).fetchall()
    return [r[0] for r in rows]


def parts_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The parts (a staging table's months) the catalog of `con` lists files in."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT part FROM store_files WHERE table_name = ? ORDER BY 1", [table]
    ).fetchall()]


def parquet_source(root: Path, paths: list[str], empty_like: str | None = None) -> str:
    """A FROM-clause source over the files; with no file, `empty_like` (a table of the same
    columns, e.g. the delta table) read with no rows."""
    if not paths:
        if empty_like is None:
            raise ValueError("no files and no empty_like table")
        return f"(SELECT * FROM {empty_like} WHERE false)"
    listed = ", ".join(quote(str(root / p)) for p in paths)
    return f"read_parquet([{listed}], hive_partitioning = false)"


def write_table(con: duckdb.DuckDBPyConnection, root: Path, table: str, select_sql: str,
                build_id: str, part: str | None = None) -> list[tuple[str, str]]:
    """Write the rows of `select_sql` as new Parquet files of `table`: by month for a staging
    table, else into one `part` folder. Returns (part, relative path) per file written."""
    # A file's row order carries nothing (raw rows keep their row_number): letting DuckDB write
    # them in any order saved a fifth of the CPU of writing a month of staged rows.
    con.execute("SET preserve_insertion_order = false")
    try:
        if table in STAGING_MONTH:
            folder = root / table
            folder.mkdir(parents=True, exist_ok=True)
            result = con.execute(
                f"COPY (SELECT *, {STAGING_MONTH[table]} AS bulan FROM ({select_sql})) "
                f"TO {quote(str(folder))} (FORMAT parquet, PARTITION_BY (bulan), "
                f"FILENAME_PATTERN {quote(build_id + '_{uuid}')}, APPEND, RETURN_FILES)"
            ).fetchall()
        else:
            folder = root / table / part if part else root / table
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{build_id}_{os.urandom(6).hex()}.parquet"
            result = con.execute(
                f"COPY ({select_sql}) TO {quote(str(target))} (FORMAT parquet, RETURN_FILES)"
            ).fetchall()
    finally:
        con.execute("RESET preserve_insertion_order")
    written = []
    for count, files in result:
        for f in files or []:
            rel = Path(f).resolve().relative_to(root.resolve()).as_posix()
            file_part = part
            if table in STAGING_MONTH:  # bulan=YYYY-MM (bulan_1= where the rows have a bulan)
                file_part = Path(rel).parent.name.split("=", 1)[1]
            written.append((file_part or "", rel))
    return written


def register(con: duckdb.DuckDBPyConnection, table: str, files: list[tuple[str, str]],
             build_id: str) -> None:
    if files:
        con.executemany("INSERT INTO store_files VALUES (?, ?, ?, ?)",
                        [(table, part, rel, build_id) for part, rel in files])


def remove_unlisted(root: Path, listed: set[str]) -> int:
    """Delete every Parquet file under the store that the published catalog does not list (a
    crashed build's, or a state file replaced by a later publish); returns how many."""
    if not root.exists():
        return 0
    removed = 0
    for path in root.rglob("*.parquet"):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            path.unlink(missing_ok=True)
            removed += 1
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        try:
            folder.rmdir()  # only empty folders
        except OSError:
            pass
    return removed
