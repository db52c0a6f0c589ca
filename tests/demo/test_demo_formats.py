"""The writers: what a cell holds is what the reader gets back, in every format."""

from __future__ import annotations

import csv
import datetime as dt
import io

import lxml.html
import openpyxl
import pyarrow as pa

from demo import formats as F

TABLE = F.Table(
    header=["NIK", "Tgl Lahir", "Berat", "Nama"],
    columns=[pa.array(["3,50912E+15", "3509011201230001", None]),
             pa.array(["2023-02-30", "2023-01-12", "45292"]),  # 30 Feb does not exist
             pa.array(["12,5", "9.8", "10.7 kg"]),
             pa.array(['A & B', "<ANAK>", 'SAID "X"'])],
    numeric_columns=(2,), date_columns=(1,),
)


def test_csv_quotes_only_what_needs_it():
    style = F.Style(delimiter=",", title=("Daftar Status Gizi Balita", "Data Tanggal : 2024-02-05"))
    text = F.to_bytes(TABLE, style).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Daftar Status Gizi Balita"] and rows[2] == []
    assert rows[4:] == [["3,50912E+15", "2023-02-30", "12,5", "A & B"],
                        ["3509011201230001", "2023-01-12", "9.8", "<ANAK>"],
                        ["", "45292", "10.7 kg", 'SAID "X"']]
    assert '"3,50912E+15"' in text and ",9.8," in text  # quoted where needed, bare elsewhere
    semi = F.to_bytes(TABLE, F.Style(delimiter=";", encoding="utf-8-sig", newline="\r\n"))
    assert semi.startswith(b"\xef\xbb\xbfNIK;") and b"\r\n3,50912E+15;2023-02-30;12,5;A & B\r\n" in semi


def test_html_table_escapes_and_keeps_cells():
    doc = lxml.html.fromstring(F.to_bytes(TABLE, F.Style(fmt="html", title=("Daftar",))))
    rows = [[td.text_content() for td in tr.xpath("./td|./th")] for tr in doc.xpath("//tr")]
    assert rows[0] == ["Daftar"] and rows[2] == TABLE.header
    assert rows[3:] == [["3,50912E+15", "2023-02-30", "12,5", "A & B"],
                        ["3509011201230001", "2023-01-12", "9.8", "<ANAK>"],
                        ["", "45292", "10.7 kg", 'SAID "X"']]


def test_xlsx_cells_numbers_dates_and_text():
    style = F.Style(fmt="xlsx", date_cells=True, title=("Daftar", "Data Tanggal : 2024-02-05"), sheet="Data Anak")
    data = F.to_bytes(TABLE, style)
    assert data == F.to_bytes(TABLE, style)  # no clock in the bytes
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Data Anak"]
    rows = list(ws.values)
    assert rows[0][0] == "Daftar" and rows[3] == tuple(TABLE.header)
    assert rows[4] == ("3,50912E+15", "2023-02-30", "12,5", "A & B")  # an impossible date stays text
    assert rows[5] == ("3509011201230001", dt.datetime(2023, 1, 12), 9.8, "<ANAK>")
    assert rows[6] == (None, "45292", "10.7 kg", 'SAID "X"')
    assert wb.properties.created == F.FIXED_TIME


def test_long_tables_are_written_in_chunks_without_seams():
    n = 2 * F.ROWS_PER_CHUNK + 7
    values = [str(i) for i in range(n)]
    table = F.Table(["No", "Nama"], [pa.array(values), pa.array([f"ANAK {v}" for v in values])],
                    numeric_columns=(0,))
    text = F.to_bytes(table, F.Style(delimiter=";")).decode()
    assert text.splitlines()[1:] == [f"{v};ANAK {v}" for v in values]
    doc = lxml.html.fromstring(F.to_bytes(table, F.Style(fmt="html")))
    assert [tr.xpath("./td")[1].text for tr in doc.xpath("//tr")[1:]] == [f"ANAK {v}" for v in values]
    ws = openpyxl.load_workbook(io.BytesIO(F.to_bytes(table, F.Style(fmt="xlsx"))), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1:] == [(i, f"ANAK {i}") for i in range(n)]
