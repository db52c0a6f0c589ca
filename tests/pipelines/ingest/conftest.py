"""Small e-PPGBM-like exports written on the fly, in every format the reader accepts."""

from __future__ import annotations

import csv
import html
from datetime import date
from pathlib import Path

import openpyxl
import pytest

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
    with open(path, "w", newline="", encoding=encoding) as fh:
        fh.writelines(line + "\n" for line in title)
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows, title=("Daftar Status Gizi Balita", "Data Tanggal : 2025-12-05")) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for line in title:
        ws.append([line])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_html_xls(path: Path, rows, title=("Data Tanggal : 2025-12-05",)) -> Path:
    cells = lambda tag, values: "<tr>" + "".join(f"<{tag}>{html.escape(v)}</{tag}>" for v in values) + "</tr>"
    body = "".join(f"<p>{html.escape(t)}</p>" for t in title)
    body += "<table>" + cells("th", HEADER) + "".join(cells("td", r) for r in rows) + "</table>"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "w.duckdb"
