"""Exports a hostile or careless user could hand tumbuh (issue 16): personal columns under names
the specs do not know, NIKs, names and phone numbers in the wrong columns, personal text in the
titles and the sheet name, for every source and in CSV, XLSX and HTML-saved-as-XLS. Every
personal value is listed in PERSONAL, so a scan can look for each one everywhere.

Known limitation, so not planted here: a name typed into a free-text or place column (Keterangan,
Desa/Kel, Posyandu) is kept, since no rule tells it from a note or a place name."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from tests.export_writers import write_titled_csv, write_titled_xlsx

# Personal columns under names no spec knows (the probe's list, and a few more).
PERSONAL_HEADERS = ["Ibu Kandung", "Orang Tua", "Ayah", "No KTP", "Nomor Induk Kependudukan",
                    "Kontak", "Wali", "Nm Anak", "Tempat Tgl Lahir", "Tempat Tinggal",
                    "Telepon Rumah", "Surel Ortu"]


def personal_values(tag: int) -> list[str]:
    """One value per PERSONAL_HEADERS column, unique per `tag` (a row or file number)."""
    return [f"SRI WAHYUNINGSIH {chr(65 + tag)}", f"AHMAD FAUZI {chr(65 + tag)}",
            f"BAMBANG SUTRISNO {chr(65 + tag)}", f"35090145069{tag:05d}", f"35090112078{tag:05d}",
            f"0813321{tag:05d}", f"KARTINI LESTARI {chr(65 + tag)}", f"NUR HASANAH {chr(65 + tag)}",
            f"SURABAYA, 1{tag % 9} MEI 1990", f"JL. KENANGA NO. {tag + 17} RT 02/RW 05",
            f"+62 857-3312-{tag:04d}", f"ortu.{tag}.balita@gmail.com"]


# Values planted in the wrong column, or in the file's title lines and sheet name.
STRAY = {
    "nik_in_no": "3509016602210004",
    "name_in_tgl_lahir": "DEWI ANGGRAENI",
    "single_name_in_tanggal": "Kusumawardani",
    "phone_in_berat": "081234987654",
    "name_in_jk": "RUDI HARTONO",
    "name_in_prov": "YULIANTI PRATIWI",
    "email_in_note": "rudi.hartono77@yahoo.co.id",
    "title_person": "MULYADI SUPRAPTO",
    "title_phone": "081298765432",
    "sheet_nik": "3509019876540005",
    "kader_in_count": "ENDANG SUSILOWATI",
}
TITLES = ["Daftar Status Gizi Balita", f"Petugas : {STRAY['title_person']}",
          f"HP Petugas {STRAY['title_phone']}", "Data Tanggal : 2025-12-05"]
N_ROWS = 4


def planted() -> list[str]:
    """Every personal value the files below hold: the planted ones, and those the base rows
    carry in the spec's own personal columns (NIK, Nama, Nama Ortu, Alamat, kader names)."""
    from tests.pipelines.intervensi.conftest import PELAPOR
    from tests.pipelines.spm.test_pkk_ingest import KADER as PKK_KADER
    from tests.pipelines.spm.test_spm_ingest import KADER as SPM_KADER

    values = [v for tag in range(N_ROWS) for v in personal_values(tag)]
    base = [f"35090123456{n:05d}" for n in range(1, N_ROWS + 1)] + ["JL. MAWAR 1",
                                                                     "AYAH / IBU"]
    return values + list(STRAY.values()) + base + [PELAPOR, PKK_KADER, SPM_KADER]


def _posyandu() -> tuple[list[str], list[list[str]]]:
    from tests.pipelines.ingest.conftest import HEADER, row

    header = HEADER + PERSONAL_HEADERS
    rows = [row(n + 1) + personal_values(n) for n in range(N_ROWS)]
    no, tgl, jk, berat, prov = (HEADER.index(h) for h in ("No", "Tgl Lahir", "JK", "Berat", "Prov"))
    rows[0][no] = STRAY["nik_in_no"]
    rows[1][tgl] = STRAY["name_in_tgl_lahir"]
    rows[2][berat] = STRAY["phone_in_berat"]
    rows[2][prov] = STRAY["name_in_prov"]
    rows[3][jk] = STRAY["name_in_jk"]
    rows[3][HEADER.index("Catatan Kader")] = f"hubungi {STRAY['email_in_note']}"
    return header, rows


def _pkk() -> tuple[list[str], list[list[object]]]:
    from tests.pipelines.spm.test_pkk_ingest import HEADER, row

    header = HEADER + PERSONAL_HEADERS
    desa = ["Padomasan", "Keting", "Padomasan", "Keting"]
    months = ["2025-08", "2025-08", "2025-09", "2025-09"]
    rows = [row(n + 1, "KAB. JEMBER", "Jombang", desa[n], months[n]) + personal_values(n)
            for n in range(N_ROWS)]
    rows[1][HEADER.index("Jml KK")] = STRAY["kader_in_count"]
    rows[2][HEADER.index("No")] = STRAY["nik_in_no"]
    return header, rows


def _spm() -> tuple[list[str], list[list[object]]]:
    from tests.pipelines.spm.test_spm_ingest import HEADER, rec

    header = HEADER + PERSONAL_HEADERS
    codes = ["KES01", "KES02", "KES03", "KES04"]
    rows = [rec(n + 1, "Melati 1", "Kesehatan", codes[n], 40, 30) + personal_values(n)
            for n in range(N_ROWS)]
    rows[0][HEADER.index("Sasaran")] = STRAY["phone_in_berat"]
    rows[3][HEADER.index("Bulan")] = STRAY["single_name_in_tanggal"]
    return header, rows


def _intervensi() -> tuple[list[str], list[list[object]]]:
    from tests.pipelines.intervensi.conftest import HEADER, PELAPOR

    header = HEADER + PERSONAL_HEADERS
    days = ["2025-11-10", "2025-11-11", "2025-11-12", "2025-11-13"]
    rows = [[days[n], "KAB. JEMBER", None, PELAPOR, 10, 2, 1, 200, 5, 0, 1, None]
            + personal_values(n) for n in range(N_ROWS)]
    rows[1][0] = STRAY["single_name_in_tanggal"]
    rows[2][HEADER.index("Kunjungan Rumah")] = STRAY["kader_in_count"]
    rows[3][HEADER.index("Keterangan")] = STRAY["email_in_note"]
    return header, rows


SOURCES = {"posyandu": _posyandu, "pkk": _pkk, "spm": _spm, "intervensi": _intervensi}
FORMATS = ("csv", "xlsx", "html")


def write(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
          titles: Sequence[str] = TITLES) -> Path:
    """The table in the format the suffix names (.csv, .xlsx, .xls for HTML)."""
    cells = [["" if c is None else str(c) for c in r] for r in rows]
    if path.suffix == ".csv":
        write_titled_csv(path, header, cells, titles, title_end="\n")
    elif path.suffix == ".xlsx":
        write_titled_xlsx(path, header, rows, titles, sheet=STRAY["sheet_nik"])
    else:
        tr = lambda tag, vals: "<tr>" + "".join(f"<{tag}>{html.escape(v)}</{tag}>" for v in vals)
        body = "".join(f"<p>{html.escape(t)}</p>" for t in titles)
        body += ("<table>" + tr("th", header) + "</tr>"
                 + "".join(tr("td", r) + "</tr>" for r in cells) + "</table>")
        path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def write_source(folder: Path, source: str, fmt: str) -> Path:
    """The hostile export of `source` in `fmt` (csv, xlsx, html); a NIK in its file name too."""
    header, rows = SOURCES[source]()
    suffix = {"csv": ".csv", "xlsx": ".xlsx", "html": ".xls"}[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / f"{source}_{STRAY['sheet_nik']}{suffix}", header, rows)
