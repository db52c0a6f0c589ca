"""XLSX through python-calamine (pipelines/readers/xlsx_calamine.py): the same rows as openpyxl
for every workbook the other reader tests build, and a workbook calamine could not read safely
(a far cell it would allocate a range for, a part inflating past its declared size, a reference
spelled another way) goes to the other readers instead."""

from __future__ import annotations

import random
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from test_readers_fast_paths import _rewrite_sheet, _slow_sheets, _workbook

from pipelines.readers import xlsx_calamine
from pipelines.readers.header import HEADER_SEARCH_ROWS
from pipelines.readers.limits import LimitExceeded, Limits
from pipelines.readers.xlsx_calamine import calamine_xlsx_sheets, safe_for_calamine
from pipelines.readers.xlsx_fast import fast_xlsx_sheets


def test_calamine_reads_what_openpyxl_reads(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "book.xlsx")  # dates, times, booleans, a formula, merged cells
    sheets = calamine_xlsx_sheets(path)
    assert sheets is not None and sheets == _slow_sheets(path, monkeypatch)
    # the second sheet's only cell is B3: rows 1-2 empty, one empty cell before it
    assert sheets[1] == ("Catatan", [(1, []), (2, []), (3, [None, "lain"])])


def test_calamine_reads_cells_without_references_like_openpyxl(tmp_path, monkeypatch):
    book = _workbook(tmp_path / "book.xlsx")
    path = _rewrite_sheet(book, tmp_path / "noref.xlsx",
                          lambda d: re.sub(rb' r="[A-Z]*[0-9]+"', b"", d))
    assert calamine_xlsx_sheets(path) == _slow_sheets(path, monkeypatch)


def test_a_row_past_the_limit_is_refused_as_the_other_reader_does(tmp_path):
    path = tmp_path / "long.xlsx"
    wb = openpyxl.Workbook()
    for i in range(HEADER_SEARCH_ROWS + 20):
        wb.active.append([f"baris {i}"])
    wb.save(path)
    assert len(calamine_xlsx_sheets(path, Limits(max_rows=20))[0][1]) == HEADER_SEARCH_ROWS + 20
    for reader in (calamine_xlsx_sheets, fast_xlsx_sheets):
        with pytest.raises(LimitExceeded, match="more than 19 rows"):
            reader(path, Limits(max_rows=19))


def _far_cell(d: bytes) -> bytes:
    return d.replace(b'<row r="5"', b'<row r="1048577"', 1).replace(b' r="A5"', b' r="A1048577"', 1)


SPELLINGS = {  # a reference calamine would read, written so the main search does not see it
    "far row": _far_cell,
    "far column": lambda d: d.replace(b' r="A5"', b' r="BM5"', 1),
    "three letters": lambda d: d.replace(b' r="A5"', b' r="AAA5"', 1),
    "spaces around =": lambda d: d.replace(b' r="A5"', b' r = "XFD1048576"', 1),
    "single quotes": lambda d: d.replace(b' r="A5"', b" r='XFD1048576'", 1),
    "a tab before it": lambda d: d.replace(b' r="A5"', b'\tr="XFD1048576"', 1),
    "a namespace prefix": lambda d: d.replace(b' r="A5"', b' x:r="XFD1048576"', 1),
    "an entity": lambda d: d.replace(b' r="A5"', b' r="&#88;FD1048576"', 1),
    "not a number": lambda d: d.replace(b'<row r="5"', b'<row r="5.5"', 1),
}


@pytest.mark.parametrize("change", sorted(SPELLINGS))
def test_a_reference_calamine_must_not_see_sends_the_file_elsewhere(tmp_path, change):
    book = _workbook(tmp_path / "book.xlsx")
    path = _rewrite_sheet(book, tmp_path / "odd.xlsx", SPELLINGS[change])
    assert safe_for_calamine(book)
    assert not safe_for_calamine(path)
    assert calamine_xlsx_sheets(path) is None


def test_the_largest_allowed_range_is_still_read(tmp_path):
    book = _workbook(tmp_path / "book.xlsx")
    edge = _rewrite_sheet(book, tmp_path / "edge.xlsx",
                          lambda d: d.replace(b' r="A5"', b' r="BL5"', 1))
    assert safe_for_calamine(edge)  # column 64, the last one calamine may build
    assert calamine_xlsx_sheets(edge)[0][1][4][1][63] is not None


def test_a_part_longer_than_its_declared_size_is_not_inflated(tmp_path):
    path = _workbook(tmp_path / "book.xlsx")
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        whole = zf.read(info)
        assert xlsx_calamine._inflated(zf, info) == whole
        # what a lying directory says: a shorter size with the CRC of that prefix
        info.file_size -= 100
        info.CRC = zlib.crc32(whole[:info.file_size])
        assert xlsx_calamine._inflated(zf, info) is None
        info.file_size += 100
        info.CRC = zlib.crc32(whole) ^ 1  # a damaged part
        assert xlsx_calamine._inflated(zf, info) is None


def test_a_broken_zip_is_not_for_calamine(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert not safe_for_calamine(path)


@pytest.mark.parametrize(("limit", "digit"), [("1048576", "[0-9]"), ("BL", "[A-Z]"),
                                             ("XFD", "[A-Z]"), ("9", "[0-9]"), ("100", "[0-9]")])
def test_greater_than_pattern(limit, digit):
    pattern = re.compile(f"(?:{xlsx_calamine._greater_than(limit, digit)})$")
    alphabet = "0123456789" if digit == "[0-9]" else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rng = random.Random(7)
    samples = {limit, *(  # around the limit, and random lengths
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, len(limit) + 1)))
        for _ in range(3000))}
    for text in samples:
        if digit == "[0-9]":
            text = text.lstrip("0") or "0"
        bigger = (len(text), text) > (len(limit), limit)
        assert bool(pattern.match(text)) == bigger, text


def test_calamine_is_the_first_reader(tmp_path, monkeypatch):
    import pipelines.readers.workbook as workbook_module
    path = _workbook(tmp_path / "book.xlsx")
    calls: list[Path] = []
    monkeypatch.setattr(workbook_module, "fast_xlsx_sheets",
                        lambda p, limits=None: calls.append(p))
    assert [g.name for g in workbook_module.xlsx_grids(path, "book")] == ["Data", "Catatan"]
    assert calls == []  # lxml's reader was not needed
