"""Small e-PPGBM-like exports written on the fly, in every format the reader accepts."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest

from tests.export_writers import write_titled_csv, write_titled_xlsx

HEADER = ["No", "NIK", "Nama", "JK", "Tgl Lahir", "Nama Ortu", "Prov", "Kab/Kota", "Kec",
          "Pukesmas", "Desa/Kel", "Posyandu", "Alamat", "Tanggal Pengukuran", "Berat", "Tinggi",
          "Cara Ukur", "ZS TB/U", "Catatan Kader"]
TODAY = date(2026, 1, 15)


def row(n: int, **overrides) -> list[str]:
    """A valid row (Jember / Kencong / Wonorejo); keyword overrides by header name."""
    base = {
        "No": str(n), "NIK": f"35090123456{n:05d}", "Nama": f"ANAK {n}", "JK": "L",
        "Tgl Lahir": "2024-01-15", "Nama Ortu": "AYAH / IBU", "Prov": "JAWA TIMUR",
        "Kab/Kota": "KAB. JEMBER", "Kec": "Kencong", "Pukesmas": "Kencong", "Desa/Kel": "Wonorejo",
        "Posyandu": "POSYANDU MELATI 3", "Alamat": "JL. MAWAR 1", "Tanggal Pengukuran": "2025-11-10",
        "Berat": "10,2", "Tinggi": "80,1", "Cara Ukur": "Terlentang", "ZS TB/U": "-0,5",
        "Catatan Kader": "",
    }
    by_key = {h.replace("/", "_").replace(" ", "_"): h for h in HEADER}
    base.update({by_key[k]: v for k, v in overrides.items()})
    return [base[h] for h in HEADER]


def write_csv(path: Path, rows, title=("Daftar Status Gizi Balita", "Data Tanggal : 2025-12-05"),
              delimiter=";", encoding="utf-8", header=HEADER) -> Path:
    return write_titled_csv(path, header, rows, title, delimiter=delimiter, encoding=encoding,
                            title_end="\n")


def write_xlsx(path: Path, rows, title=("Daftar Status Gizi Balita", "Data Tanggal : 2025-12-05")) -> Path:
    return write_titled_xlsx(path, HEADER, rows, title, sheet="Data")


def write_html_xls(path: Path, rows, title=("Data Tanggal : 2025-12-05",)) -> Path:
    cells = lambda tag, values: "<tr>" + "".join(f"<{tag}>{html.escape(v)}</{tag}>" for v in values) + "</tr>"
    body = "".join(f"<p>{html.escape(t)}</p>" for t in title)
    body += "<table>" + cells("th", HEADER) + "".join(cells("td", r) for r in rows) + "</table>"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "w.duckdb"
