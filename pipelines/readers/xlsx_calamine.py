"""XLSX sheets through python-calamine (Rust's calamine): the same rows as
`xlsx_fast.fast_xlsx_sheets` and openpyxl, several times faster (issue 18.7, D-CAL).

calamine builds each sheet as one dense range from its first to its last cell, so a sheet of two
cells, A1 and XFD1048576, asks for 17 billion cells and aborts the process (a Rust allocation
failure is not an exception). Before calamine opens a workbook, every part is inflated here the
way Python's zipfile would (its compressed bytes must inflate to exactly the declared size, and
the CRC must match: calamine's zip reader would not stop at a declared size) and searched for
a cell or row reference past MAX_COLUMNS columns or MAX_ROWS rows, or one that is not a plain
reference (an entity could spell one). Any of these, or any error, returns None: the caller then
reads the workbook as before (xlsx_fast, else openpyxl), which cuts wide rows and refuses long
sheets with the usual messages.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from pipelines.readers.cells import cell_text
from pipelines.readers.header import HEADER_SEARCH_ROWS
from pipelines.readers.limits import Limits

Row = tuple[int, list[str | None]]

# The largest dense range calamine may build: 64 columns (e-PPGBM exports have ~34, PKK recaps
# ~45) x XLSX's 1,048,576 rows, 64 Mi cells of 32 bytes (2 GiB) at worst.
MAX_COLUMNS = 64
MAX_ROWS = 1_048_576
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def _letters(number: int) -> str:
    """Column number (1-based) -> letters: 64 -> 'BL'."""
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _greater_than(limit: str, digit: str) -> str:
    """A regex for the strings of `digit` characters greater than `limit` read as a number
    (more characters, or as many and larger at the first difference)."""
    high = digit[3]  # digit is a class like '[0-9]'
    more = f"{digit}{{{len(limit) + 1},}}"
    same = []
    for i, ch in enumerate(limit):
        if ch < high:
            above = f"[{chr(ord(ch) + 1)}-{high}]"
            same.append(re.escape(limit[:i]) + above + (f"{digit}{{{len(limit) - i - 1}}}"
                                                         if i < len(limit) - 1 else ""))
    return "|".join([more, *same])


_COLUMN = "[A-Z]"
_ROW = "[0-9]"
# A reference attribute as openpyxl and Excel write it, r="B12": one search with a literal
# prefix (a pattern without one costs seconds on a 100 MB sheet) finds any that is not a plain
# reference or lies past the range.
_BAD_REFERENCE = re.compile(
    b' r=(?:(?!"[A-Z]{0,3}[0-9]{1,7}")'
    + b'|"(?:' + _greater_than(_letters(MAX_COLUMNS), _COLUMN).encode() + b")[0-9]"
    + b'|"[A-Z]{0,3}(?:' + _greater_than(str(MAX_ROWS), _ROW).encode() + b')")'
)
# Another spelling of an r attribute (spaces around '=', single quotes, a tab or line break
# before it, a namespace prefix) is valid XML that calamine reads too: a workbook holding one
# goes to the other readers. Each check is one pass with a literal prefix.
_SPACE_BEFORE_EQUALS = re.compile(b"r[ \t\r\n]+=")


def _plain_references(data: bytes) -> bool:
    if _SPACE_BEFORE_EQUALS.search(data):
        return False
    if any(odd in data for odd in (b"\tr=", b"\nr=", b"\rr=", b"r='")):
        return False
    if data.count(b":r=") != data.count(b"xmlns:r="):
        return False
    return _BAD_REFERENCE.search(data) is None


def _inflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A part's bytes, or None when its compressed bytes say more than its declared size (or
    less), its stream does not end there, its CRC differs, or its method is not store/deflate."""
    zf.fp.seek(info.header_offset)
    header = zf.fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
    zf.fp.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    raw = zf.fp.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(raw, info.file_size + 1)
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
            return None
    else:
        return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data


def safe_for_calamine(path: Path) -> bool:
    """Every part inflates to its declared size and no reference lies outside the range
    calamine may build."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                data = _inflated(zf, info)
                if data is None or not _plain_references(data):
                    return False
    except (OSError, zipfile.BadZipFile, zlib.error, ValueError, EOFError):
        return False
    return True


def _rows(sheet, limits: Limits) -> Iterator[Row]:
    """Rows numbered from 1 with their leading empty rows and cells, as openpyxl yields them
    (`skip_empty_area=False`: calamine's range then starts at A1)."""
    width = limits.max_columns + 1
    for number, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        cells = [cell_text(v) for v in values[:width]]
        while cells and cells[-1] is None:
            cells.pop()
        yield number, cells


def calamine_xlsx_sheets(path: Path, limits: Limits | None = None
                         ) -> list[tuple[str, list[Row]]] | None:
    """(sheet title, rows numbered from 1, cells as text) for each worksheet in workbook order,
    as `xlsx_fast.fast_xlsx_sheets` returns them; None when calamine may not read this file.
    LimitExceeded for a sheet longer than max_rows after the header search window."""
    limits = limits or Limits()
    if not safe_for_calamine(path):
        return None
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            result = []
            for index, meta in enumerate(workbook.sheets_metadata):
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue  # a chartsheet has no cells (openpyxl's worksheets skip it too)
                sheet = workbook.get_sheet_by_index(index)
                last = (sheet.start or (0, 0))[0] + sheet.height
                if last > limits.max_rows + HEADER_SEARCH_ROWS:
                    limits.check_rows(last - HEADER_SEARCH_ROWS)
                result.append((meta.name, list(_rows(sheet, limits))))
            return result
        finally:
            workbook.close()
    except (CalamineError, ValueError, TypeError, OSError):
        return None
