"""Loading export files into a warehouse build.

Each file is read on its own (a fatal file loads nothing and does not stop the others) into a
batch of files of the same source; the batch is staged with one pass of the source's SQL, in
one transaction, and every file's accounting (rows read = staged + rejected) is checked before
it commits. Staging a batch instead of each file keeps the per-statement cost of the staging
SQL from dominating when a folder holds thousands of small monthly exports."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines import trace
from pipelines.config import Config
from pipelines.ingest.source import FileResult, Source, run_sql_file
from pipelines.keys import check_warehouse_key, hmac_pads, key_for_load
from pipelines.marts import record_file_areas
from pipelines.readers import FatalFileError, ReadResult, read_table
from pipelines.readers.limits import Limits
from pipelines.readers.load import quote_ident, quote_literal, table_ref
from pipelines.readers.mask import mask_numbers
from pipelines.warehouse import Build, building

# A batch is staged once it holds this many bytes of export files or this many files, which
# bounds its memory; files are read on READ_THREADS threads.
BATCH_BYTES = 128 * 2**20
BATCH_FILES = 500
READ_THREADS = 2
# A file this large keeps the table it was read into (scratch.src_file_<seq>) and joins the
# batch through the src_norm view: copying a million rows into scratch.src_norm cost half a
# second. Small files are copied, so a batch of hundreds of them stays one table to scan.
OWN_TABLE_BYTES = 16 * 2**20


class AccountingError(RuntimeError):
    """rows read != staged + rejected: a bug, never a data problem; the batch is rolled back."""


class OutsideWilayah(RuntimeError):
    """A load limited to one kab/kota (`only_kabkota`, an operator's upload) staged rows of
    another: the whole build is discarded, nothing is published (docs/decisions.md D27).
    `files` maps each offending file's name to the kab/kota codes it staged outside."""

    def __init__(self, kabkota: str, files: dict[str, list[str]]):
        self.kabkota, self.files = kabkota, files
        listed = "; ".join(f"{name}: {', '.join(codes)}" for name, codes in files.items())
        super().__init__(f"rows outside kab/kota {kabkota} ({listed})")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_session(con: duckdb.DuckDBPyConnection, hash_key: bytes, today: date) -> None:
    """Temp macros, wilayah lookups and the WHO tables, once per build connection; the hash
    key's HMAC blocks for the child keys (the key itself never enters SQL)."""
    from pipelines.who.tables import install_who_tables

    install_who_tables(con)
    run_sql_file(con, "00_macros.sql")
    run_sql_file(con, "01_wilayah_lookup.sql")
    ipad, opad = hmac_pads(hash_key)
    con.execute("SET VARIABLE hmac_ipad = ?::BLOB", [ipad])
    con.execute("SET VARIABLE hmac_opad = ?::BLOB", [opad])
    con.execute("SET VARIABLE today = ?::DATE", [today])


def stored_name(path: Path) -> str:
    """A file's name as raw, rejects and the load record keep it (a NIK or phone number in
    a file name is masked like one in a cell)."""
    return mask_numbers(path.name)


def _previous_result(con: duckdb.DuckDBPyConnection, path: Path, sha: str) -> FileResult | None:
    row = con.execute(
        "SELECT rows_read, rows_staged, rows_rejected FROM load_files WHERE file_sha256 = ?", [sha]
    ).fetchone()
    if row is None:
        return None
    reasons = dict(con.execute(
        "SELECT reason, n_rows FROM load_rejects WHERE file_sha256 = ?", [sha]
    ).fetchall())
    return FileResult(file=str(path), rows_read=row[0], rows_staged=row[1], rows_rejected=row[2],
                      rejected_by_reason=reasons, already_loaded=True, file_sha256=sha)


@dataclass
class _File:
    """A file given to the batch, in the order given. Either its result is known without staging
    (fatal, or loaded by an earlier command), or it is a copy of an earlier file of the batch
    (`same_as`), or it is read into the batch as `seq` (`pending` until the read is done)."""

    path: Path
    sha: str
    result: FileResult | None = None
    same_as: int | None = None
    seq: int | None = None
    pending: Future | None = None
    read: ReadResult | None = None
    loaded_at: datetime | None = None


class FileReaders:
    """Reads files on a few threads, each with its own DuckDB connection to the build (DuckDB
    runs a read without holding the GIL, so two small files parse at once on two cores). The
    rows land in scratch.src_norm (a large file: its own table scratch.src_file_<seq>), in an
    in-memory database every connection of the build sees; each reader's temp table stays its
    own. Reads run outside any transaction: DuckDB numbers a table's rowids from 2^55 inside
    one, and the reader's row numbering relies on rowids from 0."""

    def __init__(self, con: duckdb.DuckDBPyConnection, threads: int | None = None,
                 limits: Limits | None = None):
        self.con = con
        self.limits = limits or Limits()
        self.pool = ThreadPoolExecutor(max_workers=threads or READ_THREADS,
                                       thread_name_prefix="tumbuh-read")
        self.local = threading.local()
        self.cursors: list[duckdb.DuckDBPyConnection] = []
        con.execute("ATTACH IF NOT EXISTS ':memory:' AS scratch")

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        if not hasattr(self.local, "con"):
            self.local.con = self.con.cursor()
            self.local.con.execute("SET enable_progress_bar = false")
            self.cursors.append(self.local.con)
        return self.local.con

    def submit(self, source: Source, path: Path, seq: int, sha: str, own_table: str | None
               ) -> Future:
        return self.pool.submit(self._read, source, path, seq, sha, own_table)

    def _read(self, source: Source, path: Path, seq: int, sha: str, own_table: str | None
              ) -> tuple[ReadResult, datetime]:
        con = self._cursor()
        read = read_table(con, path, source.spec, table=own_table or "src_rows",
                          limits=self.limits)
        loaded_at = datetime.now()
        if own_table:
            return read, loaded_at
        present = ", ".join(quote_ident(c) for c in read.columns)
        con.execute(
            "INSERT INTO scratch.src_norm BY NAME SELECT ?::INTEGER AS file_seq, "
            "(CAST(? AS BIGINT) << 32) + row_number AS row_key, row_number, ? AS file_sha256, "
            f"? AS file_name, ?::DATE AS extraction_date, ?::TIMESTAMP AS loaded_at, "
            f"{present + ', ' if present else ''}extra FROM src_rows",
            [seq, seq, sha, stored_name(path), read.extraction_date, loaded_at],
        )
        con.execute("DROP TABLE src_rows")
        return read, loaded_at

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for cursor in self.cursors:
            cursor.close()
        self.con.execute("DETACH DATABASE IF EXISTS scratch")


# batch_files' columns and types; the rows travel as one list per column (pyarrow would import
# pandas, a third of a second on every command).
_BATCH_FILES = {
    "file_seq": "INTEGER", "file_sha256": "VARCHAR", "file_name": "VARCHAR", "format": "VARCHAR",
    "sheet": "VARCHAR", "header_row": "INTEGER", "title_text": "VARCHAR",
    "extraction_date": "DATE", "rows_read": "INTEGER", "loaded_at": "TIMESTAMP",
    "encoding": "VARCHAR", "dropped_columns": "VARCHAR[]",
}


class Batch:
    """Files of one source waiting to be staged together: their rows in src_norm (a view of
    scratch.src_norm and of each large file's own table), their metadata in the temp table
    batch_files (written at flush)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, loaded: set[str],
                 readers: FileReaders, only_kabkota: str | None = None):
        self.con, self.source, self.readers = con, source, readers
        self.only_kabkota = only_kabkota
        self.loaded = loaded               # sha256 of every file content in load_files
        self.files: list[_File] = []
        self.seq_by_sha: dict[str, int] = {}
        self.bytes = 0
        columns = ", ".join(f"{quote_ident(c.name)} VARCHAR" for c in source.spec.columns)
        con.execute(
            "CREATE OR REPLACE TABLE scratch.src_norm (file_seq INTEGER, row_key BIGINT, "
            "row_number INTEGER, file_sha256 VARCHAR, file_name VARCHAR, extraction_date DATE, "
            f"loaded_at TIMESTAMP, {columns}, extra VARCHAR)"
        )
        self.own_tables: dict[int, str] = {}  # seq -> scratch table of a large file
        self._set_view([])

    def _set_view(self, members: list[_File]) -> None:
        """src_norm: the copied rows plus each large member's own table, shaped alike."""
        parts = ["FROM scratch.src_norm"]
        for m in members:
            if m.seq in self.own_tables:
                extraction = (f"DATE '{m.read.extraction_date.isoformat()}'"
                              if m.read.extraction_date else "NULL::DATE")
                parts.append(
                    f"SELECT {m.seq}::INTEGER AS file_seq, "
                    f"({m.seq}::BIGINT << 32) + row_number AS row_key, row_number, "
                    f"{quote_literal(m.sha)} AS file_sha256, "
                    f"{quote_literal(stored_name(m.path))} AS file_name, "
                    f"{extraction} AS extraction_date, "
                    f"TIMESTAMP '{m.loaded_at.isoformat(sep=' ')}' AS loaded_at, "
                    f"* EXCLUDE (row_number) FROM {table_ref(self.own_tables[m.seq])}")
        self.con.execute("CREATE OR REPLACE TEMP VIEW src_norm AS "
                         + " UNION ALL BY NAME ".join(parts))

    @property
    def full(self) -> bool:
        return self.bytes >= BATCH_BYTES or len(self.seq_by_sha) >= BATCH_FILES

    def add(self, path: Path) -> None:
        if not path.is_file():
            reason = "no such file" if not path.exists() else "not a file"
            self.files.append(_File(path=path, sha="", result=FileResult(
                file=str(path), fatal=True, error=reason)))
            return
        with trace.step("sha256"):
            item = _File(path=path, sha=file_sha256(path))
        self.files.append(item)
        if item.sha in self.seq_by_sha:
            item.same_as = self.seq_by_sha[item.sha]
        elif item.sha in self.loaded:
            item.result = _previous_result(self.con, path, item.sha)
        else:
            item.seq = self.seq_by_sha[item.sha] = len(self.seq_by_sha)
            size = path.stat().st_size
            own = f"scratch.src_file_{item.seq}" if size >= OWN_TABLE_BYTES else None
            if own:
                self.own_tables[item.seq] = own
            item.pending = self.readers.submit(self.source, path, item.seq, item.sha, own)
            self.bytes += size

    def _wait_for_reads(self) -> list[_File]:
        """The files read into the batch (fatal ones get their result here)."""
        members = []
        for item in self.files:
            if item.pending is None:
                continue
            try:
                item.read, item.loaded_at = item.pending.result()
            except FatalFileError as exc:
                item.result = FileResult(file=str(item.path), fatal=True, error=exc.reason,
                                         file_sha256=item.sha)
                continue
            members.append(item)
        return members

    def flush(self, build: Build) -> list[FileResult]:
        """Stage the files read so far in one transaction; a result for every file given."""
        with trace.step("read (waiting for the readers)"):
            members = self._wait_for_reads()
        counts: dict[int, tuple[int, Counter]] = {}
        if members:
            rows = [{"file_seq": m.seq, "file_sha256": m.sha, "file_name": stored_name(m.path),
                     "format": m.read.format, "sheet": m.read.sheet,
                     "header_row": m.read.header_row,
                     "title_text": "\n".join(m.read.title_lines) or None,
                     "extraction_date": m.read.extraction_date, "rows_read": m.read.rows_read,
                     "loaded_at": m.loaded_at, "encoding": m.read.encoding,
                     "dropped_columns": m.read.dropped_columns} for m in members]
            columns = ", ".join(f"unnest(?::{t}[]) AS {c}" for c, t in _BATCH_FILES.items())
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE batch_files AS SELECT {columns}",
                             [[row[c] for row in rows] for c in _BATCH_FILES])
            self._set_view(members)
            # No transaction: DuckDB lets one transaction write one database, and this writes
            # the in-memory delta and the catalog. Any failure here ends the whole build, which
            # is then discarded with every file it wrote (pipelines/warehouse.py).
            counts = self._stage(members)
            with trace.step("write delta to parquet"):
                build.flush_delta(self.source.name)
            build.changed = True
            build.loaded_sources.add(self.source.name)
        by_seq: dict[int, FileResult] = {}
        results = []
        for item in self.files:
            if item.result is None and item.same_as is None:
                staged, reasons = counts[item.seq]
                item.result = FileResult(
                    file=str(item.path), rows_read=item.read.rows_read, rows_staged=staged,
                    rows_rejected=sum(reasons.values()), rejected_by_reason=dict(reasons),
                    file_sha256=item.sha)
            elif item.result is None:  # same bytes as an earlier file of this batch
                first = by_seq[item.same_as]
                item.result = replace(first, file=str(item.path), already_loaded=not first.fatal,
                                      rejected_by_reason=dict(first.rejected_by_reason))
            if item.seq is not None:
                by_seq[item.seq] = item.result
            results.append(item.result)
        self.loaded.update(m.sha for m in members)
        self.con.execute("DELETE FROM scratch.src_norm")
        self._set_view([])
        for table in self.own_tables.values():  # fatal reads may have left one behind too
            self.con.execute(f"DROP TABLE IF EXISTS {table_ref(table)}")
        self.files, self.seq_by_sha, self.bytes, self.own_tables = [], {}, 0, {}
        return results

    def _check_area(self, members: list[_File]) -> None:
        """Raise OutsideWilayah when a staged row of this batch lies outside `only_kabkota`
        (delta holds this batch's staged rows only: every flush empties it)."""
        stg = self.source.staged_table
        outside = self.con.execute(
            f"SELECT file_sha256, list(DISTINCT kode_kabkota ORDER BY kode_kabkota) "
            f"FROM delta.{stg} WHERE kode_kabkota <> ? GROUP BY ALL ORDER BY ALL",
            [self.only_kabkota]).fetchall()
        if outside:
            names = {m.sha: m.path.name for m in members}
            raise OutsideWilayah(self.only_kabkota,
                                 {names.get(sha, sha): codes for sha, codes in outside})

    def _stage(self, members: list[_File]) -> dict[int, tuple[int, Counter]]:
        con, source = self.con, self.source
        with trace.step(f"stage {source.name}"):
            inserted = source.stage(con)
        if self.only_kabkota:
            self._check_area(members)
        raw_cols = ", ".join(
            "s." + quote_ident(c.name) for c in source.spec.columns if c.name not in source.personal)
        with trace.step("raw insert"):
            con.execute(
                f"INSERT INTO delta.{source.raw_table} BY NAME SELECT s.file_sha256, s.file_name, f.sheet, "
                f"s.row_number, s.loaded_at, {raw_cols}, s.extra "
                "FROM src_norm AS s JOIN batch_files AS f USING (file_seq)"
            )
        con.execute(
            "INSERT INTO delta.rejects SELECT ?, file_sha256, file_name, row_number, column_name, "
            "reason, message FROM parsed_rejects",
            [source.name],
        )
        staged = dict(con.execute(
            f"SELECT file_seq, count(*) FROM {source.parsed_table} WHERE reason IS NULL "
            "GROUP BY file_seq").fetchall())
        reasons: dict[int, Counter] = {}
        for seq, reason, n in con.execute(
                "SELECT file_seq, reason, count(*) FROM parsed_rejects GROUP BY ALL").fetchall():
            reasons.setdefault(seq, Counter())[reason] = n
        if inserted != sum(staged.values()):
            raise AccountingError(
                f"{source.name}: {inserted} rows inserted into staging but "
                f"{sum(staged.values())} passed every check")
        counts = {}
        for item in members:
            n_staged, n_reasons = staged.get(item.seq, 0), reasons.get(item.seq, Counter())
            if item.read.rows_read != n_staged + sum(n_reasons.values()):
                raise AccountingError(
                    f"{item.path.name}: {item.read.rows_read} rows read but {n_staged} staged + "
                    f"{sum(n_reasons.values())} rejected")
            counts[item.seq] = (n_staged, n_reasons)
        con.execute(
            "INSERT INTO load_files SELECT f.file_sha256, ?, f.file_name, f.format, f.sheet, "
            "f.header_row, f.title_text, f.extraction_date, f.rows_read, coalesce(s.n, 0), "
            "coalesce(r.n, 0), f.loaded_at, f.encoding, f.dropped_columns FROM batch_files AS f "
            f"LEFT JOIN (SELECT file_seq, count(*) AS n FROM {source.parsed_table} "
            "WHERE reason IS NULL GROUP BY file_seq) AS s USING (file_seq) "
            "LEFT JOIN (SELECT file_seq, count(*) AS n FROM parsed_rejects GROUP BY file_seq) AS r "
            "USING (file_seq)",
            [source.name],
        )
        con.execute("INSERT INTO load_rejects SELECT file_sha256, ?, reason, count(*) "
                    "FROM parsed_rejects GROUP BY ALL", [source.name])
        # each file's kab/kota-months (provenance) and area (quality mart, scope)
        record_file_areas(con, source.staged_table, schema="delta.")
        return counts


def ingest_files(jobs: Sequence[tuple[Source, Path]], warehouse: Path | None = None,
                 today: date | None = None, on_result: Callable[[FileResult], None] | None = None,
                 config: Config | None = None, only_kabkota: str | None = None
                 ) -> list[FileResult]:
    """Load each (source, file), batching consecutive files of the same source, then rebuild
    the marts and publish once. Nothing is published if nothing new loaded. Results come in
    the order of `jobs` (reported as each batch commits). With `only_kabkota` (a kab/kota code)
    a staged row of any other kab/kota raises OutsideWilayah and nothing is published."""
    results: list[FileResult] = []

    def emit(batch_results: list[FileResult]) -> None:
        for result in batch_results:
            results.append(result)
            if on_result:
                on_result(result)

    with building(warehouse, config) as build:
        # the key file is created here only for a warehouse's first load (keys.py, D31)
        key = key_for_load(build.con, build.config.privacy, build.config.base_dir, build.path)
        check_warehouse_key(build.con, key)  # before a file is read: a wrong key loads nothing
        prepare_session(build.con, key, today or date.today())
        loaded = {sha for (sha,) in build.con.execute("SELECT file_sha256 FROM load_files").fetchall()}
        readers = FileReaders(build.con, limits=Limits.of(build.config.limits))
        try:
            batch: Batch | None = None
            for source, path in jobs:
                if batch is not None and (batch.source.name != source.name or batch.full):
                    emit(batch.flush(build))
                if batch is None or batch.source.name != source.name:
                    batch = Batch(build.con, source, loaded, readers, only_kabkota)
                batch.add(Path(path))
            if batch is not None:
                emit(batch.flush(build))
        finally:
            readers.close()
    return results
