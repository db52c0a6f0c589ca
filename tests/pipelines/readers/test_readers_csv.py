"""CSV exports: delimiters, encodings, header search, physical row numbers, blank and footer
rows."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from readers_support import HEADER, SPEC, csv_text, data_row, extras, fetch, write

from pipelines.readers import FatalFileError, read_table


def line(row: list[str]) -> str:
    return csv_text([row]).rstrip("\n")


TITLES = [["Daftar Status Gizi Balita"], ["Kab/Kota : KAB. JEMBER"], ["Data Tanggal : 2025-12-05"]]


def test_comma_csv_with_title_rows(tmp_path, con):
    path = write(
        tmp_path / "35.09_2025-11.csv", csv_text(TITLES + [HEADER, data_row(1), data_row(2)])
    )
    result = read_table(con, path, SPEC)

    assert (result.format, result.encoding, result.delimiter, result.sheet) == (
        "csv",
        "utf-8",
        ",",
        None,
    )
    assert result.file_name == "35.09_2025-11.csv"
    assert result.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.header_row == 4
    assert result.title_lines == [
        "Daftar Status Gizi Balita",
        "Kab/Kota : KAB. JEMBER",
        "Data Tanggal : 2025-12-05",
    ]
    assert result.extraction_date == datetime.date(2025, 12, 5)
    assert result.columns == [c.name for c in SPEC.columns]
    assert result.extra_columns == []
    assert result.rows_read == 2
    # The header is on line 4, so the first data row is line 5; decimal comma kept as text.
    assert fetch(con, "src_rows", "row_number", "nik", "jk", "berat", "extra") == [
        (5, "3509012345670001", "L", "9,5", None),
        (6, "3509012345670002", "P", "9,5", None),
    ]
    types = con.execute("SELECT column_name, column_type FROM (DESCRIBE src_rows)").fetchall()
    assert types[0] == ("row_number", "INTEGER")
    assert types[-1] == ("extra", "VARCHAR")
    assert {t for _, t in types[1:]} == {"VARCHAR"}


def test_semicolon_csv_keeps_decimal_commas(tmp_path, con):
    path = write(tmp_path / "s.csv", csv_text([HEADER, data_row(1, Tinggi="75,5")], delimiter=";"))
    result = read_table(con, path, SPEC)
    assert result.delimiter == ";"
    assert result.header_row == 1
    assert fetch(con, "src_rows", "row_number", "berat", "tinggi") == [(2, "9,5", "75,5")]


def test_tab_separated_csv(tmp_path, con):
    path = write(tmp_path / "t.txt", csv_text([HEADER, data_row(1)], delimiter="\t"))
    result = read_table(con, path, SPEC)
    assert result.delimiter == "\t"
    assert fetch(con, "src_rows", "kab_kota") == [("KAB. JEMBER",)]


def test_utf8_bom(tmp_path, con):
    text = csv_text([HEADER, data_row(1, **{"Desa/Kel": "SUMBERSARI – TIMUR"})])
    path = write(tmp_path / "bom.csv", "\ufeff" + text)
    result = read_table(con, path, SPEC)
    assert result.encoding == "utf-8-sig"
    assert "no" in result.columns  # the BOM does not stick to the first header cell
    assert fetch(con, "src_rows", "no", "desa_kel") == [("1", "SUMBERSARI – TIMUR")]


def test_windows_1252(tmp_path, con):
    rows = [HEADER, data_row(1, Nama="JOSÉ D’ARCY"), data_row(2, Kec="PATRANG")]
    path = write(tmp_path / "cp.csv", csv_text(rows, delimiter=";"), encoding="cp1252")
    result = read_table(con, path, SPEC)
    assert result.encoding == "cp1252"
    assert fetch(con, "src_rows", "row_number", "nama", "kec") == [
        (2, "JOSÉ D’ARCY", "SUMBERSARI"),
        (3, "ANAK 2", "PATRANG"),
    ]


def test_windows_1252_byte_far_below_the_head(tmp_path, con):
    # The first 64 KiB are plain ASCII; the only cp1252 byte comes near the end, so the UTF-8
    # guess fails only in the full scan that runs beside DuckDB.
    rows = [HEADER] + [data_row(n) for n in range(1, 2001)] + [data_row(2001, Nama="RENÉ")]
    path = write(tmp_path / "late.csv", csv_text(rows), encoding="cp1252")
    assert path.stat().st_size > 200_000
    result = read_table(con, path, SPEC)
    assert result.encoding == "cp1252"
    assert result.rows_read == 2001
    assert fetch(con, "src_rows WHERE no = '2001'", "row_number", "nama") == [(2002, "RENÉ")]


def test_csv_named_xlsx_is_read_as_csv(tmp_path, con):
    path = write(tmp_path / "looks_like.xlsx", csv_text([HEADER, data_row(1)]))
    result = read_table(con, path, SPEC)
    assert result.format == "csv"
    assert result.rows_read == 1


def test_row_numbers_are_physical_lines(tmp_path, con):
    """Blank lines (which DuckDB skips), a quoted line break, whitespace-only and delimiter-only
    lines, a footer and a print stamp: row_number stays the line a text editor shows."""
    lines = [
        line(HEADER),  # 1
        line(data_row(1)),  # 2
        "",  # 3 blank
        line(data_row(2)),  # 4
        "   ",  # 5 whitespace only: blank row
        line(data_row(3, Nama="ANAK\nTIGA")),  # 6-7: a quoted line break
        line(data_row(4)),  # 8
        "," * (len(HEADER) - 1),  # 9 every cell empty
        ",,ANAK TANPA TANGGAL" + "," * (len(HEADER) - 3),  # 10: data row with keys empty
        "",  # 11 blank
        "Jumlah" + "," * 11 + '"38,3"',  # 12 totals footer
        "Dicetak oleh: admin 2025-12-05",  # 13 print stamp
        "",  # 14
        "",  # 15 trailing blank lines
    ]
    path = write(tmp_path / "gaps.csv", "\n".join(lines))
    result = read_table(con, path, SPEC)
    assert fetch(con, "src_rows", "row_number", "nama") == [
        (2, "ANAK 1"),
        (4, "ANAK 2"),
        (6, "ANAK\nTIGA"),
        (8, "ANAK 4"),
        (10, "ANAK TANPA TANGGAL"),
    ]
    assert result.rows_read == 5


def test_row_numbers_with_crlf_and_blank_lines(tmp_path, con):
    rows = [TITLES[0], [], HEADER, data_row(1), [], [], data_row(2)]
    text = "".join(line(r) + "\r\n" for r in rows)
    path = write(tmp_path / "crlf.csv", text)
    result = read_table(con, path, SPEC)
    assert result.header_row == 3
    assert result.title_lines == ["Daftar Status Gizi Balita"]
    assert fetch(con, "src_rows", "row_number", "tinggi") == [(4, "75.5"), (7, "75.5")]


def test_subtotal_and_grand_total_rows_are_footers(tmp_path, con):
    rows = [
        HEADER,
        data_row(1),
        ["Sub Total"] + [""] * 10 + ["9,5", ""],
        data_row(2),
        ["", "GRAND TOTAL", "", "", "", "", "", "", "", "", "", "19", ""],
        ["Sumber: e-PPGBM"],
        ["Keterangan: data sementara"],
    ]
    path = write(tmp_path / "foot.csv", csv_text(rows))
    result = read_table(con, path, SPEC)
    assert fetch(con, "src_rows", "row_number") == [(2,), (4,)]
    assert result.rows_read == 2


def test_footer_word_in_a_row_with_key_columns_is_data(tmp_path, con):
    path = write(tmp_path / "f.csv", csv_text([HEADER, data_row(1, Nama="JUMLAH ANAK")]))
    assert read_table(con, path, SPEC).rows_read == 1


def test_header_only_gives_zero_rows(tmp_path, con):
    path = write(tmp_path / "empty_body.csv", csv_text(TITLES + [HEADER]))
    result = read_table(con, path, SPEC)
    assert result.rows_read == 0
    assert result.header_row == 4
    assert fetch(con, "src_rows") == []
    assert "tgl_lahir" in [c for (c, *_) in con.execute("DESCRIBE src_rows").fetchall()]


@pytest.mark.parametrize("header_line", [1, 7, 15])
def test_header_found_anywhere_in_the_first_15_lines(tmp_path, con, header_line):
    titles = [[f"judul {i}"] for i in range(1, header_line)]
    path = write(tmp_path / "h.csv", csv_text(titles + [HEADER, data_row(1)]))
    result = read_table(con, path, SPEC)
    assert result.header_row == header_line
    assert len(result.title_lines) == header_line - 1
    assert fetch(con, "src_rows", "row_number") == [(header_line + 1,)]


def test_header_on_line_16_is_not_found(tmp_path, con):
    titles = [[f"judul {i}"] for i in range(1, 16)]
    path = write(tmp_path / "h16.csv", csv_text(titles + [HEADER, data_row(1)]))
    with pytest.raises(FatalFileError) as err:
        read_table(con, path, SPEC)
    assert err.value.reason.startswith("no header with the required columns in the first 15 rows")
    assert str(err.value) == f"{path}: {err.value.reason}"


def test_missing_required_columns_are_named(tmp_path, con):
    header = [h for h in HEADER if h not in ("Tanggal Pengukuran", "Berat", "Tinggi")]
    path = write(tmp_path / "m.csv", csv_text([["Daftar"], header, header]))
    with pytest.raises(FatalFileError) as err:
        read_table(con, path, SPEC)
    assert err.value.reason == (
        "no header with the required columns in the first 15 rows "
        "(missing: Tanggal Pengukuran, Berat or Tinggi)"
    )


def test_alias_matching_ignores_case_spaces_and_punctuation(tmp_path, con):
    header = [
        "NO.",
        "nik",
        " NAMA ",
        "jenis kelamin",
        "TGL_LAHIR",
        "KAB / KOTA",
        "kecamatan",
        "Puskesmas",
        "desa-kel",
        "POSYANDU",
        "tanggal.pengukuran",
        "BB",
        "tb",
    ]
    path = write(tmp_path / "a.csv", csv_text([header, data_row(1)]))
    result = read_table(con, path, SPEC)
    assert result.columns == [c.name for c in SPEC.columns]
    assert result.extra_columns == []
    assert fetch(con, "src_rows", "pukesmas", "berat", "tinggi") == [("SUMBERSARI", "9,5", "75.5")]


def test_extra_columns_and_duplicate_headers_go_to_extra(tmp_path, con):
    """Allowed unknown columns and a second header of a known column go to `extra`; an unnamed
    column and any other unknown one are dropped and named in dropped_columns."""
    header = HEADER + ["Naik Berat Badan", "Berat", "", "KIA", "Ibu Kandung"]
    rows = [header, data_row(1) + ["N", "9,6", "x", "Ya", "SITI"],
            data_row(2) + ["", "", "", "", ""]]
    path = write(tmp_path / "x.csv", csv_text(rows))
    result = read_table(con, path, SPEC)
    assert result.extra_columns == ["Naik Berat Badan", "Berat (2)", "KIA"]
    assert result.dropped_columns == ["column_16", "Ibu Kandung"]
    assert extras(con, "src_rows") == [
        {"Naik Berat Badan": "N", "Berat (2)": "9,6", "KIA": "Ya"},
        None,  # nothing in any unknown column
    ]
    assert fetch(con, "src_rows", "berat") == [("9,5",), ("9,5",)]  # the first "Berat" wins


def test_ragged_rows(tmp_path, con):
    short = data_row(1)[:11]  # stops after Tanggal Pengukuran
    long = data_row(2) + ["surplus", "cells"]
    path = write(tmp_path / "r.csv", csv_text([HEADER, short, long]))
    result = read_table(con, path, SPEC)
    assert result.rows_read == 2
    assert fetch(con, "src_rows", "row_number", "berat", "tinggi", "extra") == [
        (2, None, None, None),
        (3, "9,5", "75.5", None),  # cells beyond the header are dropped
    ]


def test_cells_are_stripped_and_empty_cells_are_null(tmp_path, con):
    row = data_row(
        1,
        JK="  L  ",
        Berat="9.5",
        Kec="SUMBERSARI  ",
        Posyandu="\tPOSYANDU MAWAR\t ",
        **{"Kab/Kota": "\u00a0KAB. JEMBER ", "Desa/Kel": '""', "Nama": "  "},
    )
    text = csv_text([HEADER]) + ",".join(row) + "\n"
    path = write(tmp_path / "ws.csv", text)
    read_table(con, path, SPEC)
    assert fetch(con, "src_rows", "jk", "kec", "posyandu", "kab_kota", "desa_kel", "nama") == [
        ("L", "SUMBERSARI", "POSYANDU MAWAR", "KAB. JEMBER", None, None)
    ]


def test_title_cells_are_joined_and_give_the_extraction_date(tmp_path, con):
    titles = [["Laporan", "", "Posyandu"], ["Tanggal Data:", "05/12/2025"]]
    path = write(tmp_path / "t.csv", csv_text(titles + [HEADER, data_row(1)], delimiter=";"))
    result = read_table(con, path, SPEC)
    assert result.title_lines == ["Laporan Posyandu", "Tanggal Data: 05/12/2025"]
    assert result.extraction_date == datetime.date(2025, 12, 5)


def test_no_title_rows_no_extraction_date(tmp_path, con):
    path = write(tmp_path / "n.csv", csv_text([HEADER, data_row(1)]))
    result = read_table(con, path, SPEC)
    assert (result.title_lines, result.extraction_date) == ([], None)


def test_table_is_replaced_and_dropped_on_failure(tmp_path, con):
    first = write(tmp_path / "one.csv", csv_text([HEADER, data_row(1), data_row(2)]))
    second = write(tmp_path / "two.csv", csv_text([HEADER, data_row(3)]))
    read_table(con, first, SPEC, table="rows_x")
    read_table(con, second, SPEC, table="rows_x")
    assert fetch(con, "rows_x", "no") == [("3",)]
    with pytest.raises(FatalFileError):
        read_table(con, write(tmp_path / "bad.csv", "hello\n"), SPEC, table="rows_x")
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert ("rows_x",) not in tables  # no stale rows of the previous file


def test_row_order_holds_without_insertion_order(tmp_path, con):
    con.execute("SET preserve_insertion_order = false")
    rows = [HEADER] + [data_row(n) for n in range(1, 3001)]
    path = write(tmp_path / "o.csv", csv_text(rows))
    read_table(con, path, SPEC)
    mismatched = con.execute(
        "SELECT count(*) FROM src_rows WHERE CAST(no AS INTEGER) + 1 <> row_number"
    ).fetchall()
    assert mismatched == [(0,)]
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [
        (False,)
    ]


def test_literal_quote_inside_a_cell_with_blank_lines(tmp_path, con):
    # A quote inside an unquoted cell is literal for DuckDB; the fast parity count of the line
    # numbering is thrown off by it and the full parse takes over.
    row1 = line(data_row(1, Berat="9.5")).replace("ANAK 1", 'ANAK 5" X')
    path = write(tmp_path / "lit.csv", "\n".join([line(HEADER), row1, "", line(data_row(2))]))
    read_table(con, path, SPEC)
    assert fetch(con, "src_rows", "row_number", "nama") == [(2, 'ANAK 5" X'), (4, "ANAK 2")]


@pytest.mark.parametrize("tail", ['2,"unclosed,L\n', '2,"unclosed,L\n3,x,y\n\n4,z\n'])
def test_unclosed_quote_swallowing_lines_is_fatal(tmp_path, con, tail):
    path = write(tmp_path / "q.csv", csv_text([HEADER, data_row(1)]) + tail)
    with pytest.raises(FatalFileError, match="quote opened in the row on line 3 is never closed"):
        read_table(con, path, SPEC)


def test_file_name_that_looks_like_a_glob(tmp_path, con):
    # DuckDB expands "?" in a path: "data?.csv" must not also read data1.csv.
    write(tmp_path / "data1.csv", csv_text([HEADER, data_row(7)]))
    path = write(tmp_path / "data?.csv", csv_text([HEADER, data_row(1), data_row(2)]))
    result = read_table(con, path, SPEC)
    assert result.rows_read == 2
    assert fetch(con, "src_rows", "no") == [("1",), ("2",)]
