"""CSV exports: Python finds the encoding, delimiter and header in the first lines; DuckDB's
read_csv parses the body (a million rows must not go through a Python loop)."""

from __future__ import annotations

import codecs
import csv
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipelines.readers.csv_lines import (
    CHUNK,
    CsvFile,
    cells_need_no_trim,
    csv_reader,
    number_rows,
    scan_bytes,
    scan_text,
)
from pipelines.readers.detect import UTF8_BOM
from pipelines.readers.encoding import encoding_refusal
from pipelines.readers.header import (
    HEADER_SEARCH_ROWS,
    HeaderMatch,
    HeaderMiss,
    Layout,
    check_columns,
    find_header,
)
from pipelines.readers.limits import Limits
from pipelines.readers.load import (
    canonical_order,
    create_rows_table,
    delete_non_data_rows,
    quote_ident,
    quote_literal,
    raw_column,
)
from pipelines.readers.mask import mask_numbers
from pipelines.readers.spec import CELL_WHITESPACE, FatalFileError, TableSpec

DELIMITERS = (",", ";", "\t")
GLOB_CHARS = "*?[{"


@dataclass(frozen=True)
class CsvOutcome:
    sha256: str
    encoding: str
    delimiter: str
    header_row: int
    title_lines: list[str]
    layout: Layout
    rows_read: int


def _head_records(file: CsvFile, encoding: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(first physical line, cells) of the records that start in the header search window;
    a blank line is a record with no cells, as DuckDB's `skip` counts it."""
    records = []
    with file.text(encoding) as fh:
        reader, previous = csv_reader(fh, delimiter), 0
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if start > HEADER_SEARCH_ROWS:
                break
            records.append((start, cells))
    return records


def _choose_delimiter(
    file: CsvFile, head: bytes, encoding: str, spec: TableSpec, label: str, limits: Limits
) -> tuple[str, HeaderMatch]:
    matches: list[tuple[str, HeaderMatch]] = []
    misses: list[HeaderMiss] = []
    has_text = False
    for delimiter in DELIMITERS:
        try:
            records = _head_records(file, encoding, delimiter)
        except csv.Error as exc:
            raise FatalFileError(label, f"not a readable table (csv: {exc})") from exc
        found = find_header(records, spec)
        if isinstance(found, HeaderMatch):
            matches.append((delimiter, found))
        else:
            has_text = has_text or found.has_text
            misses.append(found)
    if matches:
        # The right delimiter splits the header into the most cells.
        chosen = max(matches, key=lambda m: len(m[1].layout.header_cells))
        check_columns(chosen[1].layout, limits.max_columns)
        return chosen
    if not has_text:
        raise FatalFileError(label, "not a readable table (no text)")
    if not any(d.encode() in head for d in DELIMITERS):
        raise FatalFileError(
            label, "not a readable table (no comma-, semicolon- or tab-separated lines)"
        )
    raise FatalFileError(label, max(misses, key=lambda m: m.groups_found).reason())


@contextmanager
def _duckdb_path(file: CsvFile, transcode: bool) -> Iterator[Path]:
    """A path DuckDB reads as exactly this file, in UTF-8: a temporary UTF-8 copy of a
    Windows-1252 file (transcoded in chunks; single-byte, so no character is split), or a
    symlink when the name holds characters DuckDB would expand as a glob ("data?.csv")."""
    path = file.path
    if not transcode and not any(ch in str(path) for ch in GLOB_CHARS):
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="tumbuh-reader-"))
    target = folder / "data.csv"
    try:
        if transcode and file.data is not None:
            target.write_bytes(file.data.decode("cp1252", errors="replace").encode("utf-8"))
        elif transcode:
            with open(path, "rb") as src, open(target, "wb") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk.decode("cp1252", errors="replace").encode("utf-8"))
        else:
            target.symlink_to(path.resolve())
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_csv_sql(path: Path, skip: int, width: int, delimiter: str, parallel: bool) -> str:
    columns = ", ".join(f"'{raw_column(pos)}': 'VARCHAR'" for pos in range(width))
    return (
        f"read_csv({quote_literal(str(path))}, header=false, skip={skip}, "
        f"columns={{{columns}}}, delim={quote_literal(delimiter)}, quote='\"', escape='\"', "
        "strict_mode=false, null_padding=true, auto_detect=false, encoding='utf-8', "
        f"parallel={str(parallel).lower()})"
    )


def _create_from_csv(con, table, file, data_path, match, delimiter, spec, label, limits) -> int:
    # A small file whose bytes show no cell needing it is not stripped cell by cell.
    trim = file.data is None or not cells_need_no_trim(file.data, delimiter)
    for parallel in (True, False):
        source = _read_csv_sql(data_path, match.index, match.layout.width, delimiter, parallel)
        try:
            # the header, the rows the limit allows and one more, to tell a file over it
            count = create_rows_table(
                con, table, source, "NULL", match.layout, spec, trim, many_rows=file.data is None,
                limit=limits.max_rows + 2,
            )
            limits.check_rows(count - 1)
            return count
        except duckdb.Error as exc:
            # DuckDB's parallel scanner refuses quoted line breaks together with null_padding.
            if parallel and "quoted new lines" in str(exc):
                continue
            first_line = str(exc).strip().splitlines()[0]
            raise FatalFileError(label, f"not a readable table (csv: {first_line})") from exc
    raise AssertionError("unreachable")


def _drop_header_and_non_data_rows(
    con, table: str, match: HeaderMatch, spec: TableSpec, count: int, label: str, many_rows: bool
) -> int:
    """Drop the header (rowid 0), blank and footer rows; return the number of data rows.
    DuckDB's `skip` counts records like Python's csv module; make sure row 0 is the header.
    Deleted rows keep their rowid, so the rows can be numbered afterwards."""
    names = canonical_order(match.layout, spec)
    header = f"[{', '.join(quote_ident(n) for n, _ in names)}]"
    rows_read, dropped = delete_non_data_rows(
        con,
        table,
        match.layout,
        spec,
        count,
        also="rowid = 0",
        returning=f"CASE WHEN rowid = 0 THEN {header} END",
        many_rows=many_rows,
    )
    header_rows = [cells for (cells,) in dropped if cells is not None]
    got = tuple(header_rows[0])
    texts = [match.layout.header_cells[pos].strip(CELL_WHITESPACE) or None for _, pos in names]
    # the header row went through the number masks too (pipelines/readers/mask.py)
    expected = tuple(
        text if text is None or name in spec.personal else mask_numbers(text)
        for text, (name, _) in zip(texts, names)
    )
    if got != expected:
        raise FatalFileError(
            label,
            f"not a readable table (csv: the header on line {match.row_number} could not be "
            "aligned with the parsed rows)",
        )
    return rows_read


def _head_encoding(head: bytes) -> str:
    """A first guess from the head; the full scan running beside DuckDB confirms it."""
    try:
        codecs.utf_8_decode(head, "strict", False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig" if head.startswith(UTF8_BOM) else "utf-8"


@dataclass(frozen=True)
class _Parsed:
    delimiter: str
    match: HeaderMatch
    count: int  # rows DuckDB parsed, the header included
    rows_read: int


def _parse(
    con, file: CsvFile, head: bytes, data_path: Path, encoding: str, spec, table, label, limits
) -> _Parsed:
    delimiter, match = _choose_delimiter(file, head, encoding, spec, label, limits)
    count = _create_from_csv(con, table, file, data_path, match, delimiter, spec, label, limits)
    rows_read = _drop_header_and_non_data_rows(
        con, table, match, spec, count, label, many_rows=file.data is None
    )
    return _Parsed(delimiter, match, count, rows_read)


def _parse_in_memory(con, file: CsvFile, head: bytes, spec, table, label, limits):
    """A small file: scan its bytes first (cheaper than a thread), then parse once in the
    encoding the scan found."""
    scan = scan_bytes(file.data)
    if scan.problem:
        raise FatalFileError(label, encoding_refusal(scan.problem))
    with _duckdb_path(file, transcode=scan.encoding == "cp1252") as data_path:
        return scan, _parse(con, file, head, data_path, scan.encoding, spec, table, label, limits)


def _parse_and_scan(con, file: CsvFile, head: bytes, spec, table, label, limits):
    """Parse with DuckDB while a thread hashes and scans the bytes (the two overlap: DuckDB
    releases the GIL). A Windows-1252 file goes through a UTF-8 copy."""
    guess = _head_encoding(head)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending_scan = pool.submit(scan_text, file.path)
        if guess != "cp1252":
            try:
                with _duckdb_path(file, transcode=False) as data_path:
                    parsed = _parse(con, file, head, data_path, guess, spec, table, label, limits)
                error = None
            except (FatalFileError, duckdb.Error) as exc:
                parsed, error = None, exc
        scan = pending_scan.result()
    if guess != "cp1252" and scan.encoding == guess:
        if error is not None:
            raise error
        return scan, parsed
    # Not UTF-8 after all (DuckDB has refused it or read the head only): read it as cp1252 if
    # that is plausible.
    if scan.problem:
        raise FatalFileError(label, encoding_refusal(scan.problem))
    scan = replace(scan, encoding="cp1252")
    with _duckdb_path(file, transcode=True) as data_path:
        return scan, _parse(con, file, head, data_path, "cp1252", spec, table, label, limits)


def load_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    spec: TableSpec,
    table: str,
    label: str,
    data: bytes | None = None,
    limits: Limits | None = None,
) -> CsvOutcome:
    """`data`: the whole file when the caller has read it (a small file). LimitExceeded for a
    file over `limits`; FatalFileError for one neither UTF-8 nor plausibly Windows-1252."""
    limits = limits or Limits()
    file = CsvFile(path, data)
    ordered = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    try:
        if not ordered:  # rowid must follow the file's order
            con.execute("SET preserve_insertion_order = true")
        if data is not None:
            scan, parsed = _parse_in_memory(con, file, head, spec, table, label, limits)
        else:
            scan, parsed = _parse_and_scan(con, file, head, spec, table, label, limits)
    finally:
        if not ordered:
            con.execute("SET preserve_insertion_order = false")
    match = parsed.match
    number_rows(
        con,
        table,
        file,
        scan,
        parsed.delimiter,
        match.index,
        match.row_number,
        parsed.count,
        label,
    )
    return CsvOutcome(
        sha256=scan.sha256,
        encoding=scan.encoding,
        delimiter=parsed.delimiter,
        header_row=match.row_number,
        title_lines=match.title_lines,
        layout=match.layout,
        rows_read=parsed.rows_read,
    )
