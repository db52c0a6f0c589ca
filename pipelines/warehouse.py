"""Build-and-publish: every write builds a new warehouse file and atomically renames it over the
published one, so readers never see a half-loaded warehouse and a failed build never shows up."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.config import REFERENCE_DIR, SQL_DIR, Config, default_config

# Reference facts loaded into every build: table -> (csv file, columns that must stay text).
REFERENCE_TABLES = {
    "ref_wilayah": ("wilayah_jatim.csv", ("kode", "kode_induk")),
    "ref_kabkota": ("jatim_kabkota.csv", ("kode", "kode_bps")),
    "ref_spm_indikator": ("spm_indikator.csv", ("kode",)),
    "ref_pkk_indikator": ("pkk_indikator.csv", ()),
}


class WarehouseLocked(RuntimeError):
    pass


@dataclass
class Build:
    """A warehouse under construction. Set `changed` when something was loaded; an unchanged
    build is discarded instead of published (the published file stays byte-identical)."""

    con: duckdb.DuckDBPyConnection
    path: Path
    config: Config
    changed: bool = False


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table the pipeline writes (if missing) and refresh the reference tables."""
    for sql_file in sorted((SQL_DIR / "schema").glob("*.sql")):
        con.execute(sql_file.read_text())
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


@contextmanager
def _lock(published: Path) -> Iterator[None]:
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


@contextmanager
def building(published: Path | None = None, config: Config | None = None) -> Iterator[Build]:
    """Copy the published warehouse (if any) to a private build file, hand it out, then rebuild
    the marts and publish with os.replace. Any exception discards the build file."""
    from pipelines.marts import build_marts  # late import: marts import this module's helpers

    config = config or default_config()
    published = Path(published or config.warehouse).resolve()
    published.parent.mkdir(parents=True, exist_ok=True)
    with _lock(published):
        build_path = published.with_name(f".{published.name}.build-{os.getpid()}")
        _remove_build_files(build_path)
        if published.exists():
            shutil.copy2(published, build_path)
        con = duckdb.connect(str(build_path))
        con.execute("SET enable_progress_bar = false")  # keeps --json output clean
        if config.build_memory_limit:
            con.execute("SET memory_limit = ?", [config.build_memory_limit])
            con.execute("SET temp_directory = ?", [str(build_path) + ".tmp"])
        build = Build(con=con, path=build_path, config=config)
        try:
            init_schema(con)
            yield build
            if build.changed or not published.exists():
                build_marts(con, config)
                con.execute("CHECKPOINT")
                con.close()
                os.replace(build_path, published)
            else:
                con.close()
        finally:
            try:
                con.close()
            except duckdb.Error:
                pass
            _remove_build_files(build_path)


def connect_readonly(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A short-lived read-only connection to the published warehouse (dashboard, export)."""
    return duckdb.connect(str(path), read_only=True)
