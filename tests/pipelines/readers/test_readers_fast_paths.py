"""The fast paths give what the general paths give: small CSVs read in memory vs streamed from
disk, CSV cells left unstripped when the bytes show none needs it, and XLSX sheets parsed with
lxml vs through openpyxl's read-only worksheets."""

from __future__ import annotations

import dataclasses
import datetime
import random
import re
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from readers_support import HEADER, SPEC, csv_text, data_row, write

import pipelines.readers.table as table_module
import pipelines.readers.workbook as workbook_module
from pipelines.readers import FatalFileError, read_table, xlsx_fast
from pipelines.readers.csv_lines import cells_need_no_trim
from pipelines.readers.load import _cell as trim_expression
from pipelines.readers.xlsx_fast import fast_xlsx_sheets


def _read_all(con, path: Path) -> tuple[dict, list[tuple]]:
    result = read_table(con, path, SPEC)
    rows = con.execute("SELECT * FROM src_rows").fetchall()
    return dataclasses.asdict(result), rows


def _tricky_csv(tmp_path: Path, encoding: str) -> Path:
    rows = [["Laporan"], [], HEADER + ["Catatan"]]
    rows += [data_row(n) + [f" catatan {n}\t"] for n in range(1, 6)]
    rows[4][2] = "ANAK\nDUA BARIS"  # a quoted line break: one row over two lines
    rows += [[], ["Jumlah", "", "", "", "", "", "", "", "", "", "", "5"], [" ", "é"]]
    return write(tmp_path / "tricky.csv", csv_text(rows, ";") + "\n\n", encoding=encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_small_csv_in_memory_reads_like_a_streamed_one(tmp_path, con, monkeypatch, encoding):
    path = _tricky_csv(tmp_path, encoding)
    in_memory = _read_all(con, path)
    monkeypatch.setattr(table_module, "SMALL_FILE", 0)  # every file streamed from disk
    assert _read_all(con, path) == in_memory
    assert (
        in_memory[0]["encoding"] == encoding and in_memory[0]["rows_read"] == 6
    )  # " ", "é" is data


def _slow_sheets(path: Path, monkeypatch) -> list:
    """The sheets as openpyxl's read-only worksheets give them (neither fast path)."""
    with monkeypatch.context() as m:
        m.setattr(workbook_module, "calamine_xlsx_sheets", lambda path, limits=None: None)
        m.setattr(workbook_module, "fast_xlsx_sheets", lambda path, limits=None: None)
        return [(g.name, list(g.rows)) for g in workbook_module.xlsx_grids(path, str(path))]


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Daftar Status Gizi Balita"])
    ws.append(["Data Tanggal :", datetime.datetime(2025, 12, 5)])
    ws.append([])
    ws.append(HEADER + ["Waktu", "Flag"])
    for n in range(1, 8):
        row: list[object] = data_row(n)
        row[1] = int(row[1])  # NIK as a number
        row[4] = datetime.date(2023, 1, n)
        row[11] = 9.25 + n
        ws.append(row + [datetime.time(8, n), n % 2 == 0])
    ws["C6"] = "  spasi  "
    ws["M7"] = "=L7*2"  # a formula without a cached value
    ws.merge_cells("A1:D1")
    ws.freeze_panes = "A5"
    ws.column_dimensions["B"].width = 30
    wb.create_sheet("Catatan")["B3"] = "lain"
    wb.save(path)
    return path


def test_fast_xlsx_sheets_match_openpyxl(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "book.xlsx")
    fast = fast_xlsx_sheets(path)
    assert fast is not None
    assert fast == _slow_sheets(path, monkeypatch)
    assert [name for name, _ in fast] == ["Data", "Catatan"]


def _rewrite_sheet(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(item, data)
    return dst


def test_fast_xlsx_handles_rows_and_cells_without_references(tmp_path, monkeypatch):
    book = _workbook(tmp_path / "book.xlsx")
    path = _rewrite_sheet(
        book, tmp_path / "noref.xlsx", lambda d: re.sub(rb' r="[A-Z]*[0-9]+"', b"", d)
    )
    fast = fast_xlsx_sheets(path)
    assert fast is not None and fast == _slow_sheets(path, monkeypatch)


def test_unusual_xlsx_goes_through_openpyxl_and_fails_the_same_way(tmp_path, con):
    book = _workbook(tmp_path / "book.xlsx")
    path = _rewrite_sheet(
        book, tmp_path / "bad.xlsx", lambda d: d.replace(b'<row r="5"', b'<row r="5.5"')
    )
    assert fast_xlsx_sheets(path) is None
    with pytest.raises(FatalFileError, match=r"xlsx sheet Data: 5\.5 is not a valid row number"):
        read_table(con, path, SPEC)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b\n1,2\n", True),
        (b"\xef\xbb\xbfa;b\r\n1;2\r\n", True),  # DuckDB drops the byte order mark
        (b"a,b\n1, 2\n", False),  # starts with a space
        (b"a,b\n1 ,2\n", False),  # ends with a space
        (b'a,b\n1,""\n', False),  # empty quoted cell
        (b'a,b\n1,"\nx"\n', False),  # quoted cell starting with a line break
        (b"a,b\r\r\nQ,1\n", False),  # mixed line breaks put one inside a cell
        (b"a,b\n1,\xc3\xa9\n", False),  # non-ASCII
        (b"a\tb\n1\t2\n", False),  # tabs
    ],
)
def test_cells_need_no_trim(data, expected):
    assert cells_need_no_trim(data, ";" if b";" in data else ",") is expected


def test_cells_need_no_trim_agrees_with_duckdb(tmp_path, con):
    """Random small files: whenever the bytes say no cell needs stripping, stripping every cell
    DuckDB parses changes nothing."""
    rng = random.Random(7)
    plain = ["a", "Q1", "b.", "-", "7", "x y"] * 4
    pieces = plain + [" ", '"', '""', '"a,b"', ",", "\n", "\r\n", "\r", "\t", "é", ""]
    path = tmp_path / "f.csv"
    columns = ", ".join(f"'c{j}': 'VARCHAR'" for j in range(4))
    checked = 0
    for _ in range(400):
        lines = [
            ",".join(
                "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
                for _ in range(rng.randint(1, 4))
            )
            for _ in range(rng.randint(1, 6))
        ]
        data = "\n".join(lines).encode()
        if not cells_need_no_trim(data, ","):
            continue
        path.write_bytes(data)
        source = (
            f"read_csv('{path}', header=false, skip={rng.randint(0, 1)}, columns={{{columns}}}, "
            "delim=',', quote='\"', escape='\"', strict_mode=false, null_padding=true, "
            "auto_detect=false, encoding='utf-8')"
        )
        stripped = ", ".join(trim_expression(f"c{j}") for j in range(4))
        try:
            raw = con.execute(f"SELECT * FROM {source}").fetchall()
        except duckdb.Error:
            continue
        assert con.execute(f"SELECT {stripped} FROM {source}").fetchall() == raw, data
        checked += 1
    assert checked > 30


def test_fast_xlsx_streams_a_sheet_longer_than_its_checked_head(tmp_path, monkeypatch):
    """A sheet is parsed from the zip member in pieces: only its first PROLOG_BYTES are checked
    for a DOCTYPE, and rows after that head come out exactly as openpyxl gives them."""
    path = tmp_path / "long.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NIK", "Nama", "JK", "Tgl Lahir", "Berat"])
    for i in range(3000):
        ws.append([f"'35{i:014d}", f"ANAK {i}", "L" if i % 2 else "P", 45000 + i % 900, 9.5 + i % 7])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 2 * xlsx_fast.PROLOG_BYTES
    fast = fast_xlsx_sheets(path)
    assert fast is not None and len(fast[0][1]) == 3001
    assert fast == _slow_sheets(path, monkeypatch)


def test_fast_xlsx_leaves_a_doctype_to_openpyxl(tmp_path):
    book = _workbook(tmp_path / "book.xlsx")
    path = _rewrite_sheet(
        book, tmp_path / "doctype.xlsx",
        lambda d: d.replace(b"<worksheet", b"<!DOCTYPE worksheet []><worksheet", 1),
    )
    with zipfile.ZipFile(path) as z:
        assert b"<!DOCTYPE" in z.read("xl/worksheets/sheet1.xml")
    assert fast_xlsx_sheets(path) is None
