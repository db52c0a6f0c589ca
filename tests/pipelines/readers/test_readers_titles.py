"""Extraction dates from the title rows above a header."""

from __future__ import annotations

import datetime

import pytest

from pipelines.readers.titles import extraction_date

D = datetime.date


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Data Tanggal : 2025-12-05"], D(2025, 12, 5)),
        (["Tanggal Data: 05/12/2025"], D(2025, 12, 5)),
        (["Per Tanggal 05-12-2025 10:15:00"], D(2025, 12, 5)),
        (["Data per 5 Desember 2025"], D(2025, 12, 5)),
        (["Diunduh: 05 Des 2025 pukul 14.30"], D(2025, 12, 5)),
        (["Tgl. download 1 Agt. 2025"], D(2025, 8, 1)),
        (["Extracted 2025-09-30 23:59:59"], D(2025, 9, 30)),
        (["Tanggal Pengukuran 3 Mei 2025"], D(2025, 5, 3)),
        (["tgl data 7 oktober 2024"], D(2024, 10, 7)),
        # A line that names the date wins over an earlier line that only holds one.
        (["Periode 2025-11-01 s/d 2025-11-30", "Data Tanggal : 2025-12-05"], D(2025, 12, 5)),
        # A line saying when the file was made (printed, downloaded) wins over any other.
        (["Laporan 30/11/2025", "Dicetak 2025-12-06"], D(2025, 12, 6)),
        (["Tanggal Pengukuran 3 Mei 2025", "Tanggal Unduh: 05/01/2026"], D(2026, 1, 5)),
        # Without such a line, the first date anywhere.
        (["Laporan 30/11/2025", "Kepala Puskesmas 2025-12-06"], D(2025, 11, 30)),
        # A period bounds the measurements; it is not when the file was extracted.
        (["Filter Tanggal Pengukuran: 01/12/2025 s/d 31/12/2025", "Tanggal Unduh: 05/01/2026"],
         D(2026, 1, 5)),
        (["Periode Pengukuran: 01/12/2025 s/d 31/12/2025"], None),
        (["Periode: 01/12/2025 - 31/12/2025"], None),
        # Month abbreviations between dashes or slashes.
        (["Tanggal Cetak: 05-Jan-2026"], D(2026, 1, 5)),
        (["Tgl Cetak 5/Des/2025"], D(2025, 12, 5)),
        # Not dates: an impossible day, a month only, digits glued to other digits.
        (["Data Tanggal : 2025-13-45", "Tanggal : 31/02/2025"], None),
        (["Bulan 2025-11", "Kode 35.09.01.2001"], None),
        (["Kab/Kota : KAB. JEMBER"], None),
        ([], None),
        # The first valid date on a line with the keyword, skipping an impossible one.
        (["Tanggal 2025-02-30 atau 2025-03-01"], D(2025, 3, 1)),
    ],
)
def test_extraction_date(lines, expected):
    assert extraction_date(lines) == expected
