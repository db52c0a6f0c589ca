"""XLSX, legacy XLS and HTML-saved-as-.xls: sheet choice, title rows, cell values to text."""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from readers_support import HEADER, SPEC, data_row, extras, fetch, write

from pipelines.readers import FatalFileError, read_table
from pipelines.readers.cells import cell_text

FIXTURES = Path(__file__).parent / "fixtures"


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def _typed_row(n: int, **overrides: object) -> list[object]:
    values: dict[str, object] = dict(zip(HEADER, data_row(n)))
    values.update(overrides)
    return [values[h] for h in HEADER]


def test_xlsx_title_rows_header_on_row_4_and_cell_types(tmp_path, con):
    rows = [
        ["Daftar Status Gizi Balita"],
        ["Kab/Kota :", "KAB. JEMBER"],
        ["Data Tanggal :", datetime.datetime(2025, 12, 5)],
        HEADER + ["Naik Berat Badan", "KIA"],
        # row 5: NIK stored as a number, dates as dates, integral float, bool
        _typed_row(
            1,
            No=1,
            NIK=3509012345670001.0,
            **{
                "Tgl Lahir": datetime.datetime(2023, 1, 15),
                "Tanggal Pengukuran": datetime.date(2025, 11, 3),
            },
            Berat=9.0,
            Tinggi=75.5,
        )
        + ["N", True],
        # row 6: serial date left as a number, a timestamp with a time, padded text
        _typed_row(
            2,
            **{"Tgl Lahir": 44942, "Tanggal Pengukuran": datetime.datetime(2025, 11, 4, 8, 30)},
            JK="  P ",
            Berat=9.25,
            Tinggi=80,
        )
        + [None, False],
        [],  # row 7 blank
        _typed_row(3),  # row 8
        ["Total", None, None, None, None, None, None, None, None, None, None, 27.25],  # row 9
    ]
    path = _xlsx(tmp_path / "35.09_2025-11.xlsx", {"Data": rows})
    result = read_table(con, path, SPEC)

    assert (result.format, result.sheet, result.header_row) == ("xlsx", "Data", 4)
    assert (result.encoding, result.delimiter) == (None, None)
    assert result.title_lines == [
        "Daftar Status Gizi Balita",
        "Kab/Kota : KAB. JEMBER",
        "Data Tanggal : 2025-12-05",
    ]
    assert result.extraction_date == datetime.date(2025, 12, 5)
    assert result.extra_columns == ["Naik Berat Badan", "KIA"]
    assert result.rows_read == 3
    assert fetch(
        con,
        "src_rows",
        "row_number",
        "no",
        "nik",
        "jk",
        "tgl_lahir",
        "tanggal_pengukuran",
        "berat",
        "tinggi",
    ) == [
        (5, "1", "3509012345670001", "L", "2023-01-15", "2025-11-03", "9", "75.5"),
        (6, "2", "3509012345670002", "P", "44942", "2025-11-04 08:30:00", "9.25", "80"),
        (8, "3", "3509012345670003", "L", "2023-01-15", "2025-11-03", "9,5", "75.5"),
    ]
    assert extras(con, "src_rows") == [
        {"Naik Berat Badan": "N", "KIA": "TRUE"},
        {"Naik Berat Badan": None, "KIA": "FALSE"},
        None,
    ]


def test_xlsx_cover_sheet_is_skipped(tmp_path, con):
    cover = [["Petunjuk pengisian"], [], ["Isi sheet Data, mulai baris 2"]]
    data = [HEADER, data_row(1), data_row(2)]
    path = _xlsx(tmp_path / "book.xlsx", {"Petunjuk": cover, "Data": data})
    result = read_table(con, path, SPEC)
    assert (result.sheet, result.header_row, result.title_lines) == ("Data", 1, [])
    assert fetch(con, "src_rows", "row_number") == [(2,), (3,)]


def test_xlsx_header_on_row_15_found_and_row_16_not(tmp_path, con):
    titles = [[f"judul {i}"] for i in range(1, 15)]
    found = _xlsx(tmp_path / "r15.xlsx", {"S": titles + [HEADER, data_row(1)]})
    assert read_table(con, found, SPEC).header_row == 15
    assert fetch(con, "src_rows", "row_number") == [(16,)]

    missed = _xlsx(tmp_path / "r16.xlsx", {"S": titles + [["judul 15"], HEADER, data_row(1)]})
    with pytest.raises(FatalFileError) as err:
        read_table(con, missed, SPEC)
    assert err.value.reason.startswith("no header with the required columns in the first 15 rows")


def test_workbook_without_the_header_names_what_is_missing(tmp_path, con):
    header = [h for h in HEADER if h != "Posyandu"]
    path = _xlsx(tmp_path / "m.xlsx", {"Cover": [["Laporan"]], "Data": [header, header]})
    with pytest.raises(FatalFileError) as err:
        read_table(con, path, SPEC)
    assert err.value.reason.endswith("(missing: Posyandu)")


def test_empty_workbook_is_not_a_table(tmp_path, con):
    path = _xlsx(tmp_path / "empty.xlsx", {"Sheet1": []})
    with pytest.raises(FatalFileError) as err:
        read_table(con, path, SPEC)
    assert err.value.reason == "not a readable table (no cells with text)"


def test_xlsx_header_only(tmp_path, con):
    path = _xlsx(tmp_path / "h.xlsx", {"Data": [["Judul"], HEADER]})
    result = read_table(con, path, SPEC)
    assert (result.rows_read, result.header_row) == (0, 2)
    assert fetch(con, "src_rows") == []


def test_legacy_xls_fixture(con):
    """posyandu_legacy.xls is written by fixtures/make_xls.py (xlwt, BIFF8)."""
    path = FIXTURES / "posyandu_legacy.xls"
    result = read_table(con, path, SPEC)
    assert (result.format, result.sheet, result.header_row) == ("xls", "Data", 4)
    assert result.title_lines == ["Daftar Status Gizi Balita", "Diunduh: 2025-12-05 14:30:00"]
    assert result.extraction_date == datetime.date(2025, 12, 5)
    assert result.rows_read == 2  # row 7 is blank, row 8 a "Jumlah" footer
    assert fetch(
        con,
        "src_rows",
        "row_number",
        "no",
        "nik",
        "tgl_lahir",
        "tanggal_pengukuran",
        "berat",
        "tinggi",
    ) == [
        (5, "1", "3509012345670001", "2023-01-15", "2025-11-03", "9", "75.5"),
        (6, "2", "3509012345670002", "44942", "2025-11-04", "9.25", "80"),
    ]
    assert extras(con, "src_rows") == [
        {"Naik Berat Badan": "N", "KIA": "TRUE"},
        {"Naik Berat Badan": None, "KIA": "FALSE"},
    ]


def _html_export() -> str:
    head = "".join(f"<th>{h}</th>" for h in HEADER + ["Naik Berat Badan"])
    body = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in data_row(n) + ["N"]) + "</tr>" for n in (1, 2)
    )
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Export</title><style>td {{ mso-number-format: "\\@"; }}</style></head>
<body>
<h3>Daftar Status Gizi Balita</h3>
<p>Data Tanggal : <b>05/12/2025</b></p>
<table><tr><td>Filter</td><td>Semua Desa</td></tr></table>
<table border="1">
<tr><td colspan="14">KAB. JEMBER – Ëxport</td></tr>
<thead><tr>{head}</tr></thead>
<tbody>{body}
<tr><td>&nbsp;</td></tr>
<tr><td colspan="11">Total</td><td>19</td><td></td><td></td></tr>
</tbody></table></body></html>"""


def test_html_table_saved_as_xls(tmp_path, con):
    path = write(tmp_path / "Daftar Status Gizi.xls", "\ufeff  " + _html_export())
    result = read_table(con, path, SPEC)
    assert (result.format, result.sheet, result.header_row) == ("html", "table2", 2)
    assert result.title_lines == [
        "Daftar Status Gizi Balita",
        "Data Tanggal : 05/12/2025",
        "Filter Semua Desa",
        "KAB. JEMBER – Ëxport",
    ]
    assert result.extraction_date == datetime.date(2025, 12, 5)
    assert result.extra_columns == ["Naik Berat Badan"]
    # The &nbsp; row is blank and the colspan "Total" row a footer: neither is data.
    assert fetch(con, "src_rows", "row_number", "nik", "berat") == [
        (3, "3509012345670001", "9,5"),
        (4, "3509012345670002", "9,5"),
    ]
    assert result.rows_read == 2


def test_html_windows_1252_declared(tmp_path, con):
    html = _html_export().replace("charset=utf-8", "charset=windows-1252")
    path = write(tmp_path / "cp.xls", html.replace("ANAK 1", "RENÉ"), encoding="cp1252")
    read_table(con, path, SPEC)
    assert fetch(con, "src_rows", "nama") == [("RENÉ",), ("ANAK 2",)]


def test_html_rowspan_and_colspan_keep_columns_aligned(tmp_path, con):
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    cells = data_row(1)
    # Kab/Kota spans two rows; the second row lacks that cell.
    first = "".join(
        f'<td rowspan="2">{c}</td>' if h == "Kab/Kota" else f"<td>{c}</td>"
        for h, c in zip(HEADER, cells)
    )
    second = "".join(f"<td>{c}</td>" for h, c in zip(HEADER, data_row(2)) if h != "Kab/Kota")
    html = f"<table><tr>{head}</tr><tr>{first}</tr><tr>{second}</tr></table>"
    path = write(tmp_path / "span.html", html)
    read_table(con, path, SPEC)
    assert fetch(con, "src_rows", "row_number", "kab_kota", "kec", "tinggi") == [
        (2, "KAB. JEMBER", "SUMBERSARI", "75.5"),
        (3, None, "SUMBERSARI", "75.5"),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("  KAB. JEMBER\u00a0", "KAB. JEMBER"),
        ("   ", None),
        (True, "TRUE"),
        (False, "FALSE"),
        (7, "7"),
        (3509012345670001.0, "3509012345670001"),  # NIK stored as a number
        (9.0, "9"),
        (-0.0, "0"),
        (9.5, "9.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (45234, "45234"),  # an Excel serial stays a number
        (datetime.date(2025, 12, 5), "2025-12-05"),
        (datetime.datetime(2025, 12, 5, 0, 0), "2025-12-05"),
        (datetime.datetime(2025, 12, 5, 14, 30, 5), "2025-12-05 14:30:05"),
        (datetime.datetime(2025, 12, 5, 14, 29, 59, 999_600), "2025-12-05 14:30:00"),
        (datetime.time(8, 15), "08:15:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_xlsx_with_a_wrong_stored_dimension(tmp_path, con):
    # Some writers store <dimension ref="A1"/>; openpyxl's read-only mode would then see one cell.
    good = _xlsx(tmp_path / "good.xlsx", {"Data": [HEADER, data_row(1), data_row(2)]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
                assert b'<dimension ref="A1"' in data
            dst.writestr(item, data)
    result = read_table(con, bad, SPEC)
    assert result.rows_read == 2
    assert fetch(con, "src_rows", "row_number", "tinggi") == [(2, "75.5"), (3, "75.5")]


def test_damaged_xlsx_shared_string_is_a_fatal_file(tmp_path, con):
    """A shared-string index past the end of the table is the file's fault: FatalFileError
    naming the file, not an exception that would stop the other files of the command."""
    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(data_row(1))
    wb.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes inline strings: make cell A1 point into the (empty) shared table
                data, n = re.subn(rb'<c r="A1" t="inlineStr"><is><t>[^<]*</t></is></c>',
                                  b'<c r="A1" t="s"><v>99999</v></c>', data)
                assert n == 1
            dst.writestr(item, data)
    with pytest.raises(FatalFileError) as err:
        read_table(con, bad, SPEC)
    assert "not a readable table" in str(err.value) and "bad.xlsx" in str(err.value)
