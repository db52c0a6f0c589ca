"""Build-and-publish over a catalog and an append-only bulk store (decision D18).

The published warehouse is two things beside each other:
- the catalog, `data/warehouse.duckdb`: a small DuckDB file with the marts, the reference
  tables, the load manifest (`load_files`, `load_rejects`) and `store_files`, the list of the
  bulk files that make up the published state;
- the bulk store, `data/warehouse.store/`: the rows every load added (raw, staging, rejects) and
  the marts' large derived states, as immutable Parquet files (pipelines/store.py).

A write copies the catalog (never the bulk data) to a private build file, writes the new rows as
new Parquet files, updates the marts for what the new rows can change, and renames the build
over the catalog (`os.replace`): readers see the old state or the new one, never a mix. A crash
at any moment leaves the published catalog and every file it lists untouched; the next writer
removes what the crashed one left (its build file, its spill folder, its unlisted Parquet files)
under the lock before it starts.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines import store, trace
from pipelines.config import REFERENCE_DIR, SQL_DIR, Config, default_config
from pipelines.filemodes import private_files

# Reference facts loaded into every build: table -> (csv file, columns that must stay text).
REFERENCE_TABLES = {
    "ref_wilayah": ("wilayah_jatim.csv", ("kode", "kode_induk")),
    "ref_kabkota": ("jatim_kabkota.csv", ("kode", "kode_bps")),
    "ref_spm_indikator": ("spm_indikator.csv", ("kode",)),
    "ref_pkk_indikator": ("pkk_indikator.csv", ()),
    "ref_kbm": ("kbm.csv", ()),
}
CATALOG_SCHEMA = "00_catalog.sql"


class WarehouseLocked(RuntimeError):
    pass


class WarehouseLayoutError(RuntimeError):
    """A warehouse written by an earlier tumbuh (everything in one DuckDB file)."""


@dataclass
class Build:
    """A warehouse under construction. Set `changed` when something was loaded; an unchanged
    build is discarded instead of published (the published catalog stays byte-identical).
    `staged_parts` collects, per staging table, the months this build added rows to: the marts
    recompute only what those rows can change."""

    con: duckdb.DuckDBPyConnection
    path: Path
    config: Config
    root: Path
    build_id: str
    changed: bool = False
    full_rebuild: bool = False
    staged_parts: dict[str, set[str]] = field(default_factory=dict)
    new_files: set[str] = field(default_factory=set)
    loaded_sources: set[str] = field(default_factory=set)  # sources with a file recorded

    def flush_delta(self, source_name: str | None = None) -> None:
        """Write the rows added so far (delta.*) as new Parquet files of the store, list them in
        the build's catalog and empty delta. Inside a batch's transaction a failure rolls the
        catalog back; the build's files are removed with the build."""
        con = self.con
        for table in store.BULK_TABLES:
            if not con.execute(f"SELECT count(*) FROM delta.{table}").fetchone()[0]:
                continue
            self.changed = True
            if table in store.STAGING_MONTH:
                part = None
            elif table == "rejects":  # by source and load; a batch holds one source
                source = source_name or con.execute(
                    "SELECT min(source) FROM delta.rejects").fetchone()[0]
                part = f"source={source}/load={self.build_id}"
            else:
                part = f"load={self.build_id}"
            files = store.write_table(con, self.root, table, f"SELECT * FROM delta.{table}",
                                      self.build_id, part=part)
            self.new_files.update(rel for _, rel in files)
            store.register(con, table, files, self.build_id)
            if table in store.STAGING_MONTH:
                self.staged_parts.setdefault(table, set()).update(p for p, _ in files)
            con.execute(f"DELETE FROM delta.{table}")
        # the views now list the files just written (a later batch's duplicate check reads them)
        create_bulk_views(con, self.root, delta="delta")


def _bulk_schema_files() -> list[Path]:
    return [p for p in sorted((SQL_DIR / "schema").glob("*.sql")) if p.name != CATALOG_SCHEMA]


def init_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the catalog tables (if missing) and refresh the reference tables."""
    con.execute((SQL_DIR / "schema" / CATALOG_SCHEMA).read_text())
    # a catalog of the first store layout kept a PKK or SPM month as its folder, 'bulan_1=...'
    con.execute("UPDATE store_files SET part = regexp_replace(part, '^[a-z_0-9]+=', '') "
                "WHERE contains(part, '=') AND table_name LIKE 'stg\\_%' ESCAPE '\\'")
    for table, (csv_name, text_columns) in REFERENCE_TABLES.items():
        csv_path = REFERENCE_DIR / csv_name
        if not csv_path.exists():
            continue
        # Codes like 35.10 would otherwise be read as numbers and lose their trailing zero.
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in text_columns)
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS "
            f"SELECT * FROM read_csv(?, header=true, types={{{types}}})",
            [str(csv_path)],
        )


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """A bare warehouse in one database (tests, benchmarks of the marts): the catalog and every
    bulk table as plain tables, which build_marts reads by name like the build's views."""
    init_catalog(con)
    for sql_file in _bulk_schema_files():
        con.execute(sql_file.read_text())


def attach_empty_bulk(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """An in-memory database `name` with every bulk table, empty (the rows a build adds before
    they are written out, or the shape of a table no file holds yet)."""
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {name}")
    current = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"USE {name}")
    try:
        for sql_file in _bulk_schema_files():
            con.execute(sql_file.read_text())
    finally:
        con.execute(f'USE "{current}"')


@lru_cache(maxsize=1)
def empty_bulk_selects() -> dict[str, str]:
    """table -> a SELECT of no rows with the bulk table's columns and types (a read-only
    connection cannot attach an in-memory database to hold empty tables)."""
    with duckdb.connect() as con:
        for sql_file in _bulk_schema_files():
            con.execute(sql_file.read_text())
        selects = {}
        for table in store.BULK_TABLES:
            columns = ", ".join(f'CAST(NULL AS {t}) AS "{c}"' for c, t, *_ in
                                con.execute(f"DESCRIBE {table}").fetchall())
            selects[table] = f"SELECT {columns} WHERE false"
    return selects


def create_bulk_views(con: duckdb.DuckDBPyConnection, root: Path, delta: str | None = None,
                      parts: dict[str, set[str]] | None = None,
                      only: tuple[str, ...] = store.BULK_TABLES) -> None:
    """TEMP views raw_*, stg_*, rejects: every file the catalog of `con` lists (or, for a table
    in `parts`, only those months), plus the rows of the `delta` database not yet written."""
    for table in only:
        scope = (parts or {}).get(table)
        paths = store.files_of(con, table, scope)
        sources = [f"SELECT * FROM {store.parquet_source(root, paths)}"] if paths else []
        sources.append(f"SELECT * FROM {delta}.{table}" if delta
                       else empty_bulk_selects()[table])
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS "
                    + " UNION ALL BY NAME ".join(sources))


def _check_layout(published: Path) -> None:
    if not published.exists():
        return
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()}
    if "stg_pengukuran" in tables or ("load_files" in tables and "store_files" not in tables):
        raise WarehouseLayoutError(
            f"{published} is a single-file warehouse written by an earlier tumbuh; this version "
            f"keeps the rows in a store beside a small catalog. Rebuild it from the export files "
            f"into a new path: tumbuh ingest all EXPORT_FOLDER --warehouse NEW_PATH.duckdb "
            f"(the old file is left as it is)")


@contextmanager
def lock(published: Path) -> Iterator[None]:
    lock_path = published.with_name(published.name + ".lock")
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseLocked(f"another tumbuh process is writing {published}") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_build_files(build_path: Path) -> None:
    for leftover in (build_path, build_path.with_name(build_path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(str(build_path) + ".tmp", ignore_errors=True)  # DuckDB's spill folder


def published_files(published: Path) -> set[str]:
    if not published.exists():
        return set()
    with duckdb.connect(str(published), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT path FROM store_files").fetchall()}


def remove_leftovers(published: Path) -> None:
    """Under the lock: whatever an earlier writer left (build files of any process, their spill
    folders, Parquet files the published catalog does not list)."""
    for leftover in published.parent.glob(f".{published.name}.build-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    store.remove_unlisted(store.store_root(published), published_files(published))


def _new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"_{os.getpid()}_{os.urandom(3).hex()}"


@contextmanager
def building(published: Path | None = None, config: Config | None = None,
             full_rebuild: bool = False, marts: Callable[..., list[str]] | None = None
             ) -> Iterator[Build]:
    """Copy the published catalog (if any) to a private build file and hand it out with an
    in-memory `delta` database for the rows being added; then update the marts and publish with
    os.replace. Any exception discards the build and the Parquet files it wrote. `marts`: what
    builds the marts, `build_marts(con, config, build=build)` unless given (the Spark engine,
    pipelines/spark/rebuild.py); the audits run on DuckDB either way."""
    from pipelines.marts import audit_build, build_marts  # late: marts import this module

    config = config or default_config()
    published = Path(published or config.warehouse_path).resolve()
    published.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # every file of the build (catalog, WAL, spill, Parquet) readable by its owner only
    with private_files(), lock(published):
        _check_layout(published)
        remove_leftovers(published)
        build_path = published.with_name(f".{published.name}.build-{os.getpid()}")
        if published.exists():
            with trace.step("copy catalog"):
                shutil.copy2(published, build_path)
            build_path.chmod(0o600)  # copy2 copies the mode of a catalog written before
        root = store.store_root(published)
        root.mkdir(mode=0o700, exist_ok=True)
        root.chmod(0o700)  # closes a store of an earlier tumbuh to other accounts
        con = duckdb.connect(str(build_path))
        con.execute("SET enable_progress_bar = false")  # keeps --json output clean
        con.execute("SET memory_limit = ?", [config.warehouse.memory_limit])
        con.execute("SET temp_directory = ?", [str(build_path) + ".tmp"])
        con.execute("SET VARIABLE store_root = ?", [str(root)])
        build = Build(con=con, path=build_path, config=config, root=root,
                      build_id=_new_build_id(), full_rebuild=full_rebuild)
        published_ok = False
        try:
            init_catalog(con)
            attach_empty_bulk(con, "delta")
            create_bulk_views(con, root, delta="delta")
            yield build
            build.flush_delta()
            if build.changed or build.full_rebuild or not published.exists():
                create_bulk_views(con, root, delta="delta")
                with trace.step("marts (all)"):
                    ran = (marts or build_marts)(con, config, build=build)
                audit_build(con, ran, build)  # a failing audit raises: nothing is published
                with trace.step("checkpoint"):
                    con.execute("CHECKPOINT")
                con.close()
                os.replace(build_path, published)
                published_ok = True
            else:
                con.close()
        finally:
            try:
                con.close()
            except duckdb.Error:
                pass
            _remove_build_files(build_path)
            if published_ok:  # state files the new catalog replaced
                store.remove_unlisted(root, published_files(published))
            else:
                for rel in build.new_files:
                    (root / rel).unlink(missing_ok=True)


def connect_readonly(path: Path | str, bulk: bool = True) -> duckdb.DuckDBPyConnection:
    """A short-lived read-only connection to the published catalog (dashboard, export). With
    `bulk`, TEMP views raw_*, stg_* and rejects over the published store files too (exports of
    staged rows, tests, analysts)."""
    con = duckdb.connect(str(path), read_only=True)
    if bulk and con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name = 'store_files'").fetchone()[0]:
        create_bulk_views(con, store.store_root(Path(path).resolve()))
    return con
