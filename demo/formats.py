"""How values look in the exports and how files are written (CSV, XLSX, HTML saved as .xls).

Columns are built as pyarrow string arrays by taking from small lookup tables (every date,
weight, length and z-score a file can hold), so formatting a million rows costs a few array
takes; CSV and HTML bodies are joined in pyarrow too. Output is byte-for-byte reproducible:
no clock, fixed workbook metadata.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = dt.date(2018, 1, 1)
N_DAYS = 3652  # lookup range for dates: 2018-01-01 .. 2027-12-31
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)  # workbook created/modified stamp

DATE_STYLES = {"iso": "%Y-%m-%d", "dmy_slash": "%d/%m/%Y", "dmy_dash": "%d-%m-%Y"}


@dataclass(frozen=True)
class Style:
    """File-level presentation of one export."""

    fmt: str = "csv"  # csv | xlsx | html
    delimiter: str = ","
    decimal: str = "."
    date_style: str = "iso"
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252
    newline: str = "\n"
    title: tuple[str, ...] = ()  # title lines above the header
    blank_after_title: bool = True
    sheet: str = "Sheet1"
    date_cells: bool = False  # xlsx: dates as real date cells

    @property
    def title_rows(self) -> int:
        return len(self.title) + (1 if self.title and self.blank_after_title else 0)

    @property
    def header_row(self) -> int:
        return self.title_rows + 1



def fmt_date(day: int, style: str) -> str:
    return (EPOCH + dt.timedelta(days=int(day))).strftime(DATE_STYLES[style])


def excel_serial(day: int) -> int:
    return (EPOCH - dt.date(1899, 12, 30)).days + int(day)


def fmt_decimal(value_int: int, decimals: int, decimal: str, strip: bool = False) -> str:
    """value_int / 10**decimals with the given separator; strip drops a trailing zero of the
    second decimal (12,30 -> 12,3), as exports of 50 g scales show."""
    neg = value_int < 0
    v = abs(int(value_int))
    whole, frac = divmod(v, 10**decimals)
    text = f"{whole}{decimal}{frac:0{decimals}d}" if decimals else str(whole)
    if strip and decimals == 2 and text.endswith("0"):
        text = text[:-1]
    return ("-" if neg else "") + text


@cache
def date_table(style: str) -> pa.Array:
    return pa.array([fmt_date(d, style) for d in range(N_DAYS)], pa.string())


@cache
def decimal_table(n: int, decimals: int, decimal: str, strip: bool = False) -> pa.Array:
    """Strings for the integers 0 .. n-1 read as fixed-point numbers."""
    return pa.array([fmt_decimal(i, decimals, decimal, strip) for i in range(n)], pa.string())


@cache
def zscore_table(decimal: str) -> pa.Array:
    """z from -6.00 to +6.00 in steps of 0.01, index = round(z * 100) + 600."""
    return pa.array([fmt_decimal(i - 600, 2, decimal) for i in range(1201)], pa.string())


@cache
def int_table(n: int) -> pa.Array:
    return pa.array([str(i) for i in range(n)], pa.string())


def take(table: pa.Array, index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """table[index] as a string array; positions where `valid` is False become null (empty)."""
    idx = pa.array(index.astype(np.int32), mask=None if valid is None else ~valid)
    return pc.take(table, idx)


def constant(value: str | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()) if value is None else pa.array(np.full(n, value, dtype=object), pa.string())


def from_objects(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string(), from_pandas=True)


def patch(arr: pa.Array, rows: np.ndarray, values: list[str | None]) -> pa.Array:
    """Replace the cells at `rows` (sorted, unique) with `values` (None = empty)."""
    if len(rows) == 0:
        return arr
    mask = np.zeros(len(arr), bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")
    repl = pa.array([values[i] for i in order], pa.string())
    return pc.replace_with_mask(arr, pa.array(mask), repl)


# --- writers --------------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    columns: list[pa.Array]
    # xlsx only: columns whose plain numbers become number cells, and whose dates (in the
    # file's date style) become date cells when the style asks for it
    numeric_columns: tuple[int, ...] = ()
    date_columns: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _joined(columns: list[pa.Array], sep: str, prefix: str, suffix: str) -> bytes:
    cols = [pc.fill_null(c, "") for c in columns]
    line = pc.binary_join_element_wise(*cols, sep)
    line = pc.binary_join_element_wise(pa.scalar(prefix), line, pa.scalar(suffix), "")
    if isinstance(line, pa.ChunkedArray):
        line = line.combine_chunks()
    if len(line) == 0:
        return b""
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset: line.offset + len(line) + 1]
    return line.buffers()[2].to_pybytes()[offsets[0]: offsets[-1]]


def csv_quoted(col: pa.Array, delimiter: str) -> pa.Array:
    """Quote the cells that need it (a decimal comma in a comma-separated file, a quote)."""
    needs = pc.or_(pc.match_substring(col, delimiter), pc.match_substring(col, '"'))
    if not pc.any(needs).as_py():
        return col
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, col)


ROWS_PER_CHUNK = 20_000  # bodies are joined and written this many rows at a time


def _chunks(table: Table):
    for start in range(0, len(table), ROWS_PER_CHUNK):
        yield [c.slice(start, ROWS_PER_CHUNK) for c in table.columns]


def _csv_body(columns: list[pa.Array], d: str, nl: str) -> bytes:
    body = _joined(columns, d, "", nl)
    # Quoting is rare (decimal commas in comma files): look at whole lines first.
    if body.count(d.encode()) != len(columns[0]) * (len(columns) - 1) or b'"' in body:
        body = _joined([csv_quoted(c, d) for c in columns], d, "", nl)
    return body


def write_csv(fh: BinaryIO, table: Table, style: Style) -> None:
    nl, d = style.newline, style.delimiter
    head = "".join(t + nl for t in style.title)
    if style.title and style.blank_after_title:
        head += nl
    head += d.join(table.header) + nl

    def encoded(data: bytes) -> bytes:  # our text is ASCII bar the odd name; transcode per chunk
        return data.decode("utf-8").encode("cp1252") if style.encoding == "cp1252" else data

    if style.encoding == "utf-8-sig":
        fh.write(b"\xef\xbb\xbf")
    fh.write(encoded(head.encode("utf-8")))
    fh.writelines(encoded(_csv_body(columns, d, nl)) for columns in _chunks(table))


def write_html(fh: BinaryIO, table: Table, style: Style) -> None:
    """The e-PPGBM "Excel" download: an HTML table with title rows, saved with a .xls name."""
    width = len(table.header)
    parts = [('<html xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head><meta charset="utf-8">'
             "</head>\n<body>\n<table border=\"1\">\n")]
    for t in style.title:
        parts.append(f'<tr><td colspan="{width}"><b>{html.escape(t)}</b></td></tr>\n')
    if style.title and style.blank_after_title:
        parts.append(f'<tr><td colspan="{width}"></td></tr>\n')
    parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in table.header) + "</tr>\n")
    fh.write("".join(parts).encode("utf-8"))
    for columns in _chunks(table):
        escaped = [pc.replace_substring(pc.replace_substring(c, "&", "&amp;"), "<", "&lt;") for c in columns]
        fh.write(_joined(escaped, "</td><td>", "<tr><td>", "</td></tr>\n"))
    fh.write(b"</table>\n</body>\n</html>\n")


# --- XLSX: the sheet XML is joined in pyarrow like the HTML body, then zipped with fixed stamps --

_NUMBER_RE = r"^-?\d+(\.\d+)?$"
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (  # 0 plain, 1 bold, 2 a date shown dd/mm/yyyy
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _col_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _xml_text(col: pa.Array) -> pa.Array:
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        col = pc.replace_substring(col, a, b)
    return col


def _string_cells(col: pa.Array, refs: pa.Array, bold: bool = False) -> pa.Array:
    style = ' s="1"' if bold else ""
    cell = pc.binary_join_element_wise('<c r="', refs, f'"{style} t="inlineStr"><is><t xml:space="preserve">',
                                       _xml_text(col), "</t></is></c>", "")
    return pc.fill_null(cell, "")  # an empty cell is no cell


def _sheet_cells(col: pa.Array, refs: pa.Array, numeric: bool, date_format: str | None) -> pa.Array:
    cell = _string_cells(col, refs)
    if numeric:
        is_num = pc.fill_null(pc.match_substring_regex(col, _NUMBER_RE), False)
        num = pc.binary_join_element_wise('<c r="', refs, '"><v>', col, "</v></c>", "")
        cell = pc.if_else(is_num, num, cell)
    if date_format:
        ts = pc.strptime(col, format=date_format, unit="s", error_is_null=True)
        days = pc.divide(pc.cast(pc.cast(ts, pa.int64()), pa.int64()), 86400)
        serial = pc.cast(pc.add(days, (dt.date(1970, 1, 1) - dt.date(1899, 12, 30)).days), pa.string())
        date = pc.binary_join_element_wise('<c r="', refs, '" s="2"><v>', serial, "</v></c>", "")
        # Arrow rolls 30 February over into March: only a date that prints back the same is one
        real = pc.fill_null(pc.equal(pc.strftime(ts, format=date_format), col), False)
        cell = pc.if_else(real, date, cell)
    return cell


def write_xlsx(fh: BinaryIO, table: Table, style: Style) -> None:
    """A one-sheet workbook as people re-save the download: title rows in bold, the header,
    numbers as number cells and (if the style says so) dates as date cells."""
    lines, row = [], 0
    for t in style.title:
        row += 1
        lines.append(f'<row r="{row}"><c r="A{row}" s="1" t="inlineStr"><is><t xml:space="preserve">'
                     f"{html.escape(t, quote=False)}</t></is></c></row>")
    if style.title and style.blank_after_title:
        row += 1
    row += 1
    head = "".join(f'<c r="{_col_letter(i)}{row}" s="1" t="inlineStr"><is><t>{html.escape(h, quote=False)}</t></is></c>'
                   for i, h in enumerate(table.header))
    lines.append(f'<row r="{row}">{head}</row>')
    date_format = DATE_STYLES[style.date_style] if style.date_cells else None

    def sheet_rows():  # the sheet XML, a chunk of rows at a time
        yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               + "".join(lines)).encode()
        first = row + 1
        for columns in _chunks(table):
            numbers = pa.array([str(r) for r in range(first, first + len(columns[0]))], pa.string())
            first += len(columns[0])
            cells = [_sheet_cells(col, pc.binary_join_element_wise(_col_letter(i), numbers, ""),
                                  i in table.numeric_columns, date_format if i in table.date_columns else None)
                     for i, col in enumerate(columns)]
            yield _joined([pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")],
                          "", "", "")
        yield b"</sheetData></worksheet>"

    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{html.escape(style.sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{html.escape(style.title[0] if style.title else '')}</dc:title>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("docProps/core.xml", core), ("xl/workbook.xml", workbook),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as sheet:
            for part in sheet_rows():
                sheet.write(part)


WRITERS = {"csv": write_csv, "html": write_html, "xlsx": write_xlsx}


def write_table(path: Path, table: Table, style: Style) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        WRITERS[style.fmt](fh, table, style)


def to_bytes(table: Table, style: Style) -> bytes:
    """The file's bytes in memory (tests, small files)."""
    buf = io.BytesIO()
    WRITERS[style.fmt](buf, table, style)
    return buf.getvalue()
