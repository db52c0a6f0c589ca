"""What every source's ingestion shares: one file in one transaction, the row accounting
(rows read = staged + rejected), raw lineage, rejects, and skipping content already loaded."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.config import SQL_DIR
from pipelines.readers import FatalFileError, TableSpec, read_table
from pipelines.warehouse import Build, building


class AccountingError(RuntimeError):
    """rows read != staged + rejected: a bug, never a data problem; the file is rolled back."""


@dataclass(frozen=True)
class Source:
    name: str                       # posyandu | pkk | spm | intervensi
    spec: TableSpec
    raw_table: str
    personal: frozenset[str]        # canonical columns never written anywhere (hashed first if needed)
    stage: Callable[[duckdb.DuckDBPyConnection], int]  # fills parsed_rejects, inserts staging; returns rows staged


@dataclass
class FileResult:
    file: str
    fatal: bool = False
    error: str | None = None
    rows_read: int = 0
    rows_staged: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    already_loaded: bool = False
    file_sha256: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    def to_line(self) -> str:
        if self.fatal:
            return f"{self.file}: FATAL: {self.error} (nothing loaded)"
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(self.rejected_by_reason.items()))
        line = (f"{self.file}: {self.rows_read:,} rows read, {self.rows_staged:,} staged, "
                f"{self.rows_rejected:,} rejected" + (f" ({reasons})" if reasons else ""))
        if self.already_loaded:
            line += " [already loaded: same content, nothing changed]"
        return line


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_sql_file(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute((SQL_DIR / "staging" / name).read_text())


def resolve_wilayah(con: duckdb.DuckDBPyConnection, relation: str = "src_norm",
                    kab_kota: str = "kab_kota", kec: str = "kec", desa_kel: str = "desa_kel") -> None:
    """wil_resolved(row_number, kab_n, kode_kabkota, kode_kecamatan, kode_desa) for `relation`.
    Pass a NULL literal ('NULL') for a level the source does not carry."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE wil_input AS SELECT row_number, {kab_kota} AS kab_kota, "
        f"CAST({kec} AS VARCHAR) AS kec, CAST({desa_kel} AS VARCHAR) AS desa_kel FROM {relation}"
    )
    run_sql_file(con, "02_resolve_wilayah.sql")


def prepare_session(con: duckdb.DuckDBPyConnection, hash_key: str, today: date) -> None:
    """Temp macros, wilayah lookups and the WHO tables, once per build connection."""
    from pipelines.who.tables import install_who_tables

    install_who_tables(con)
    run_sql_file(con, "00_macros.sql")
    run_sql_file(con, "01_wilayah_lookup.sql")
    con.execute("SET VARIABLE hash_key = ?", [hash_key])
    con.execute("SET VARIABLE today = ?::DATE", [today])


def _previous_result(con: duckdb.DuckDBPyConnection, path: Path, sha: str) -> FileResult | None:
    row = con.execute(
        "SELECT rows_read, rows_staged, rows_rejected FROM load_files WHERE file_sha256 = ?", [sha]
    ).fetchone()
    if row is None:
        return None
    reasons = dict(con.execute(
        "SELECT reason, count(*) FROM rejects WHERE file_sha256 = ? GROUP BY reason", [sha]
    ).fetchall())
    return FileResult(file=str(path), rows_read=row[0], rows_staged=row[1], rows_rejected=row[2],
                      rejected_by_reason=reasons, already_loaded=True, file_sha256=sha)


def _normalised_view(con: duckdb.DuckDBPyConnection, spec: TableSpec, present: Sequence[str]) -> None:
    """src_norm: every canonical column of the spec, NULL where the file lacks it."""
    cols = [
        f'"{c.name}"' if c.name in present else f'CAST(NULL AS VARCHAR) AS "{c.name}"'
        for c in spec.columns
    ]
    con.execute(f"CREATE OR REPLACE TEMP VIEW src_norm AS SELECT row_number, {', '.join(cols)}, extra FROM src_rows")


def ingest_file(build: Build, source: Source, path: Path) -> FileResult:
    con = build.con
    sha = file_sha256(path)
    previous = _previous_result(con, path, sha)
    if previous is not None:
        return previous
    # Read outside the transaction: DuckDB numbers a temp table's rowids from 2^55 inside one,
    # and the reader's row numbering relies on rowids from 0. The temp table is not warehouse
    # state, so a fatal file still leaves the warehouse as it was.
    try:
        read = read_table(con, path, source.spec, table="src_rows")
    except FatalFileError as exc:
        return FileResult(file=str(path), fatal=True, error=exc.reason, file_sha256=sha)
    con.execute("BEGIN TRANSACTION")
    try:
        _normalised_view(con, source.spec, read.columns)
        loaded_at = datetime.now()
        con.execute("SET VARIABLE extraction_date = ?::DATE", [read.extraction_date])
        con.execute("SET VARIABLE file_sha256 = ?", [sha])
        con.execute("SET VARIABLE loaded_at = ?::TIMESTAMP", [loaded_at])
        staged = source.stage(con)
        raw_cols = [c.name for c in source.spec.columns if c.name not in source.personal]
        con.execute(
            f"INSERT INTO {source.raw_table} BY NAME SELECT ? AS file_sha256, ? AS file_name, "
            f"? AS sheet, row_number, ?::TIMESTAMP AS loaded_at, "
            f"{', '.join(chr(34) + c + chr(34) for c in raw_cols)}, extra FROM src_norm",
            [sha, path.name, read.sheet, loaded_at],
        )
        con.execute(
            "INSERT INTO rejects SELECT ?, ?, ?, row_number, column_name, reason, message "
            "FROM parsed_rejects",
            [source.name, sha, path.name],
        )
        reasons = Counter(dict(con.execute(
            "SELECT reason, count(*) FROM parsed_rejects GROUP BY reason").fetchall()))
        rejected = sum(reasons.values())
        if read.rows_read != staged + rejected:
            raise AccountingError(
                f"{path.name}: {read.rows_read} rows read but {staged} staged + {rejected} rejected")
        con.execute(
            "INSERT INTO load_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sha, source.name, path.name, read.format, read.sheet, read.header_row,
             "\n".join(read.title_lines) or None, read.extraction_date, read.rows_read, staged,
             rejected, loaded_at],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    build.changed = True
    return FileResult(file=str(path), rows_read=read.rows_read, rows_staged=staged,
                      rows_rejected=rejected, rejected_by_reason=dict(reasons), file_sha256=sha)


def ingest_files(jobs: Sequence[tuple[Source, Path]], warehouse: Path | None = None,
                 today: date | None = None, on_result: Callable[[FileResult], None] | None = None
                 ) -> list[FileResult]:
    """Load each (source, file) on its own (a fatal file loads nothing and does not stop the
    others), then rebuild the marts and publish once. Nothing is published if nothing new loaded."""
    results = []
    with building(warehouse) as build:
        prepare_session(build.con, build.config.hash_key(), today or date.today())
        for source, path in jobs:
            result = ingest_file(build, source, Path(path))
            results.append(result)
            if on_result:
                on_result(result)
    return results
