"""Files that are no table at all: each is one FatalFileError with a reason a person can act on."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from readers_support import HEADER, SPEC, csv_text, data_row, write

from pipelines.readers import FatalFileError, read_table


def _reason(con, path) -> str:
    with pytest.raises(FatalFileError) as err:
        read_table(con, path, SPEC)
    assert str(err.value) == f"{path}: {err.value.reason}"
    return err.value.reason


def test_empty_file(tmp_path, con):
    assert _reason(con, write(tmp_path / "empty.csv", b"")) == "empty file"


def test_binary_garbage(tmp_path, con):
    garbage = random.Random(7).randbytes(4096)
    assert (
        _reason(con, write(tmp_path / "x.xls", garbage)) == "not a readable table (binary content)"
    )


def test_pdf(tmp_path, con):
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
    assert (
        _reason(con, write(tmp_path / "laporan.xlsx", pdf)) == "not a readable table (PDF document)"
    )


def test_zip_that_is_not_a_workbook(tmp_path, con):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("data.csv", csv_text([HEADER, data_row(1)]))
    assert _reason(con, write(tmp_path / "data.xlsx", buffer.getvalue())) == (
        "not a readable table (zip archive that is not an XLSX workbook)"
    )


def test_ole2_that_is_not_a_workbook(tmp_path, con):
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"not really a compound document"
    assert _reason(con, write(tmp_path / "x.xls", fake)).startswith("not a readable table (xls: ")


def test_text_without_a_table(tmp_path, con):
    prose = "Laporan bulanan posyandu\nSemua data sudah dikirim lewat aplikasi\n"
    assert _reason(con, write(tmp_path / "readme.csv", prose)) == (
        "not a readable table (no comma-, semicolon- or tab-separated lines)"
    )


def test_whitespace_only(tmp_path, con):
    assert (
        _reason(con, write(tmp_path / "blank.csv", "\n \n\t\n")) == "not a readable table (no text)"
    )


def test_html_without_a_table(tmp_path, con):
    page = "<!DOCTYPE html><html><body><p>Sesi habis, silakan login lagi</p></body></html>"
    assert _reason(con, write(tmp_path / "export.xls", page)) == (
        "not a readable table (HTML without a <table>)"
    )


def test_utf16_text_is_refused_with_a_reason(tmp_path, con):
    path = write(tmp_path / "u16.txt", csv_text([HEADER, data_row(1)], "\t"), encoding="utf-16")
    assert _reason(con, path).startswith("not a readable table (UTF-16 text is not supported")


def test_missing_file(tmp_path, con):
    assert _reason(con, tmp_path / "nope.csv").startswith("cannot open file (")
