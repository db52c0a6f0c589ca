"""Sheets of XLSX (openpyxl) and legacy XLS (xlrd) workbooks as grids of cell texts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import xlrd

from pipelines.readers.cells import cell_text
from pipelines.readers.grid import Grid
from pipelines.readers.header import HEADER_SEARCH_ROWS
from pipelines.readers.limits import Limits
from pipelines.readers.spec import FatalFileError
from pipelines.readers.xlsx_calamine import calamine_xlsx_sheets
from pipelines.readers.xlsx_fast import fast_xlsx_sheets


def _xlsx_rows(ws: object, label: str, limits: Limits) -> Iterator[tuple[int, list[str | None]]]:
    # max_col: a cell far right (XFD) would widen every row to 16,384 cells; one cell more than
    # the column limit is enough to see a header over it.
    values = ws.iter_rows(values_only=True, max_col=limits.max_columns + 1)
    number = 0
    while True:
        try:
            row = next(values)
        except StopIteration:
            return
        except (OSError, EOFError, KeyError, ValueError, TypeError, SyntaxError) as exc:
            # Damaged sheet XML surfaces only while iterating (XML errors are SyntaxErrors).
            raise FatalFileError(
                label, f"not a readable table (xlsx sheet {ws.title}: {exc})"
            ) from exc
        number += 1  # openpyxl fills in missing rows, so this is the sheet's row number
        cells = [cell_text(v) for v in row]
        while cells and cells[-1] is None:  # max_col pads every row to its width
            cells.pop()
        yield number, cells


def xlsx_grids(path: Path, label: str, limits: Limits | None = None) -> Iterator[Grid]:
    """The sheets of an XLSX whose zip sizes the caller has checked (Limits.check_workbook)."""
    limits = limits or Limits()
    sheets = calamine_xlsx_sheets(path, limits)
    if sheets is None:  # a workbook calamine may not read safely (xlsx_calamine)
        sheets = fast_xlsx_sheets(path, limits)
    if sheets is not None:
        for title, rows in sheets:
            yield Grid(name=title, rows=iter(rows))
        return
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged packages
        raise FatalFileError(label, f"not a readable table (xlsx: {exc})") from exc
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "reset_dimensions"):
                continue  # a chartsheet has no cells
            # The stored dimension is often wrong (some writers say A1); read what is there.
            ws.reset_dimensions()
            yield Grid(name=ws.title, rows=_xlsx_rows(ws, label, limits))
    finally:
        wb.close()


def _xls_cell(book: xlrd.Book, ctype: int, value: object) -> str | None:
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate.xldate_as_datetime(value, book.datemode))
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return cell_text(value)  # a date format on a number that is no date: keep the number
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(value))
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, f"#ERR{value}")
    return cell_text(value)


def _xls_rows(book: xlrd.Book, sheet: xlrd.sheet.Sheet, limits: Limits
              ) -> Iterator[tuple[int, list[str | None]]]:
    limits.check_rows(sheet.nrows - HEADER_SEARCH_ROWS)
    width = limits.max_columns + 1
    for r in range(sheet.nrows):
        types, values = sheet.row_types(r, end_colx=width), sheet.row_values(r, end_colx=width)
        yield r + 1, [_xls_cell(book, t, v) for t, v in zip(types, values)]


def xls_grids(data: bytes, label: str, limits: Limits | None = None) -> Iterator[Grid]:
    limits = limits or Limits()
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd.XLRDError and struct errors on damaged files
        raise FatalFileError(label, f"not a readable table (xls: {exc})") from exc
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            yield Grid(name=sheet.name, rows=_xls_rows(book, sheet, limits))
            book.unload_sheet(index)
    finally:
        book.release_resources()
