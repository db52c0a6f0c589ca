"""Byte-level facts about a CSV (hash, encoding, line count) and the physical line number of
each row DuckDB parsed: DuckDB drops empty lines and a quoted line break makes one row span
two lines, so "header line + row index" holds only when neither happens.

A small file (most exports) is read into memory once and every pass here works on those bytes;
a large one is streamed from disk in chunks."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

import duckdb
import pyarrow as pa

from pipelines.readers.detect import UTF8_BOM
from pipelines.readers.encoding import cp1252_problem
from pipelines.readers.load import quote_ident, table_ref
from pipelines.readers.spec import FatalFileError

CHUNK = 1 << 24
SMALL_FILE = 8 << 20  # files up to this size are read into memory whole


@dataclass(frozen=True)
class CsvFile:
    """A CSV on disk and, when it is small, its bytes."""

    path: Path
    data: bytes | None = None
    _decoded: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def binary(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")

    def text(self, encoding: str) -> TextIO:
        """The file as open_text would read it (no newline translation)."""
        if self.data is None:
            return open_text(self.path, encoding)
        if encoding not in self._decoded:  # decoded once, read once per delimiter tried
            self._decoded[encoding] = self.data.decode(encoding, errors="replace")
        return io.StringIO(self._decoded[encoding], newline="")


@dataclass(frozen=True)
class TextScan:
    sha256: str
    encoding: str  # "utf-8", "utf-8-sig" or "cp1252"
    lines: int  # physical lines, not counting line breaks at the very end of the file
    # not UTF-8: why it is not plausibly Windows-1252 either (pipelines/readers/encoding.py)
    problem: str | None = None


def scan_bytes(data: bytes) -> TextScan:
    """scan_text for a file already in memory."""
    try:
        if not data.isascii():
            codecs.utf_8_decode(data, "strict", True)
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    encoding = ("utf-8-sig" if data.startswith(UTF8_BOM) else "utf-8") if utf8 else "cp1252"
    trailing = data.count(b"\n", len(data.rstrip(b"\r\n")))
    return TextScan(hashlib.sha256(data).hexdigest(), encoding, data.count(b"\n") - trailing + 1,
                    None if utf8 else cp1252_problem([data]))


def _byte_classes(delimiter: str) -> bytes:
    """A bytes.translate table: delimiter and line breaks -> D, space -> S, quote -> Q, other
    control characters -> C, anything else -> x."""
    table = bytearray(b"x" * 256)
    for b in range(32):
        table[b] = ord("C")
    for b in (ord(delimiter), ord("\n"), ord("\r")):
        table[b] = ord("D")
    table[ord(" ")], table[ord('"')] = ord("S"), ord("Q")
    return bytes(table)


_CLASSES = {d: _byte_classes(d) for d in (",", ";")}


def cells_need_no_trim(data: bytes, delimiter: str) -> bool:
    """True when no cell DuckDB parses from `data` can start with a space, a control or a
    non-ASCII character, end with a space, or be an empty quoted string: then stripping every
    cell changes nothing and can be skipped. Conservative: False whenever unsure."""
    data = data.removeprefix(UTF8_BOM)  # DuckDB drops a leading byte order mark
    if delimiter not in _CLASSES or not data.isascii():
        return False
    classes = data.translate(_CLASSES[delimiter])  # one byte of class per byte of data
    if b"C" in classes or classes.startswith((b"S", b"Q")) or classes.endswith(b"S"):
        return False
    if classes.count(b"Q") & 1:
        return False  # an unclosed quote: DuckDB's cells at the end of the file can be cut
    if b"\r" in data:
        crlf = data.count(b"\r\n")
        if not data.count(b"\r") == crlf == data.count(b"\n"):
            return False  # mixed line breaks ("\r\r\n") can leave a line break inside a cell
    # A cell starts after a delimiter, a line break or an opening quote and ends before one of
    # them or a closing quote; `""` is an empty cell or an escaped quote; an opening quote
    # right after a delimiter or line break and followed by a line break starts a cell with a
    # line break (DQD also matches a quoted delimiter: conservative).
    return not any(p in classes for p in (b"DS", b"SD", b"QS", b"SQ", b"QQ", b"DQD"))


def scan_text(path: Path) -> TextScan:
    """One pass over the bytes: hash, line count, and whether all of it is valid UTF-8."""
    digest = hashlib.sha256()
    newlines = 0
    utf8, pending = True, b""
    buffer = bytearray(CHUNK)  # reused: no 16 MiB allocation per chunk
    with open(path, "rb") as fh:
        first = fh.read(len(UTF8_BOM))
        fh.seek(0)
        while size := fh.readinto(buffer):
            chunk = buffer if size == CHUNK else buffer[:size]
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            if utf8 and (pending or not chunk.isascii()):
                try:
                    _, used = codecs.utf_8_decode(pending + chunk, "strict", False)
                    pending = (pending + chunk)[used:]
                except UnicodeDecodeError:
                    utf8 = False
    utf8 = utf8 and not pending
    encoding = ("utf-8-sig" if first == UTF8_BOM else "utf-8") if utf8 else "cp1252"
    problem = None if utf8 else cp1252_problem(_chunks(path))  # a second pass, rarely needed
    return TextScan(digest.hexdigest(), encoding, newlines - _trailing_newlines(path) + 1, problem)


def _chunks(path: Path) -> Iterable[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _trailing_newlines(path: Path) -> int:
    """Line breaks after the last character that is not one (they end no row)."""
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        window = 1 << 16
        while True:
            fh.seek(max(0, size - window))
            tail = fh.read()
            body = tail.rstrip(b"\r\n")
            if body or window >= size:
                return tail.count(b"\n", len(body))
            window *= 4


def open_text(path: Path, encoding: str) -> TextIO:
    # Undefined cp1252 bytes (0x81, 0x8D, ...) become U+FFFD rather than failing the file.
    return open(path, encoding=encoding, errors="replace", newline="")


def csv_reader(lines: Iterable[str], delimiter: str, strict: bool = False):
    """Python's parser with DuckDB's dialect; a blank line is a record with no cells."""
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=strict)


def _record_start_lines_by_parity(file: CsvFile, header_row: int) -> list[int]:
    """First physical line of each record from the header on, tracking only whether a line
    leaves a quote open (odd number of quotes). Right for well-formed quoting and ~10x faster
    than a full parse; a literal quote inside an unquoted cell throws it off, which the caller
    notices by the row count."""
    starts = []
    in_quote = False
    with file.binary() as fh:
        lines = itertools.islice(fh, header_row - 1, None)
        for number, line in enumerate(lines, start=header_row):
            if not in_quote:
                if not line.strip(b"\r\n"):
                    continue  # DuckDB drops empty lines
                starts.append(number)
            if line.count(b'"') & 1:
                in_quote = not in_quote
    return starts


def _record_start_lines(
    file: CsvFile, encoding: str, delimiter: str, header_index: int
) -> list[int]:
    """First physical line of each record DuckDB returns, from the header on, with Python's
    csv parser (which, like DuckDB, takes a quote inside an unquoted cell literally)."""
    starts = []
    with file.text(encoding) as fh:
        reader, previous = csv_reader(fh, delimiter), 0
        for index, cells in enumerate(reader):
            start, previous = previous + 1, reader.line_num
            if index >= header_index and cells:  # DuckDB drops empty lines
                starts.append(start)
    return starts


def _last_line(file: CsvFile, encoding: str) -> str:
    """The last non-empty line, read from the end of the file."""
    if file.data is not None:
        tail = file.data.rstrip(b"\r\n")
        cut = max(tail.rfind(b"\n"), tail.rfind(b"\r"))
        return tail[cut + 1 :].decode(encoding, errors="replace")
    with open(file.path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        window = 1 << 16
        while True:
            start = max(0, size - window)
            fh.seek(start)
            tail = fh.read().rstrip(b"\r\n")
            cut = max(tail.rfind(b"\n"), tail.rfind(b"\r"))
            if cut >= 0 or start == 0:
                return tail[cut + 1 :].decode(encoding, errors="replace")
            window *= 4


def _ends_inside_quotes(lines: Iterable[str], delimiter: str) -> bool:
    """An unclosed quote swallows the rest of the file into one cell; DuckDB (strict_mode off)
    and Python's lenient parser accept that silently, so parse the last record strictly."""
    try:
        for _ in csv_reader(lines, delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _unclosed_quote(label: str, line: int) -> FatalFileError:
    return FatalFileError(
        label,
        f"not a readable table (csv: the quote opened in the row on line {line} is never closed)",
    )


def number_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    file: CsvFile,
    scan: TextScan,
    delimiter: str,
    header_index: int,
    header_row: int,
    count: int,
    label: str,
) -> None:
    """Set row_number to the physical line of each row; `rowid` is the index of the row in the
    file because the table was filled with insertion order preserved (header = rowid 0).
    `count` is the number of rows DuckDB parsed (rows deleted since keep their rowid)."""
    if count == scan.lines - header_row + 1:
        # Every line from the header to the end is one row: no blank or multi-line rows.
        if _ends_inside_quotes([_last_line(file, scan.encoding)], delimiter):
            raise _unclosed_quote(label, scan.lines)
        con.execute(f"UPDATE {table_ref(table)} SET row_number = rowid + {header_row}")
        return
    starts = _record_start_lines_by_parity(file, header_row)
    if len(starts) != count:
        try:
            starts = _record_start_lines(file, scan.encoding, delimiter, header_index)
        except csv.Error as exc:
            raise FatalFileError(label, f"not a readable table (csv: {exc})") from exc
    with file.text(scan.encoding) as fh:
        if starts and _ends_inside_quotes(itertools.islice(fh, starts[-1] - 1, None), delimiter):
            raise _unclosed_quote(label, starts[-1])
    if len(starts) != count:
        raise FatalFileError(
            label,
            f"not a readable table (csv: DuckDB parsed {count} rows where Python finds "
            f"{len(starts)}; check for unbalanced quotes)",
        )
    view = f"__tumbuh_lines_{uuid.uuid4().hex}"
    lines = pa.table(
        {"ord": pa.array(range(count), pa.int64()), "line": pa.array(starts, pa.int32())}
    )
    con.register(view, lines)
    try:
        con.execute(
            f"UPDATE {table_ref(table)} AS t SET row_number = m.line "
            f"FROM {quote_ident(view)} AS m WHERE t.rowid = m.ord"
        )
    finally:
        con.unregister(view)
