"""A hand-made staging fixture for the stunting and quality marts (30 children, 2 kab/kota).

Months: July 2025 and August 2025 (August is a bulan timbang). Every child is measured once in
each month unless a comment says otherwise. HAZ values and the counts they give, per posyandu:

Kab. Jember (35.09)
  Mawar  (kec 35.09.01 Jombang, desa 35.09.01.2001 Padomasan): A01-A12
    A01 -3.5 / -3.2  severely stunted both months
    A02 -2.5 / -2.4  stunted
    A03 -2.01 / -2.00  stunted in July; -2.00 is NOT stunted (z < -2 needed)
    A04 -1.0 / two August visits: 5 Aug -2.6, 20 Aug -1.9 -> the later one counts (not stunted)
    A05 -6.5 flagged in July (n_flag_haz) / -1.5 in August
    A06 59 months in July (-2.2 stunted), 60 months in August -> left out in August
    A07 -2.3 / August weight only (no HAZ); the year takes July's HAZ
    A08-A12 -0.5 / -0.5 (A08 WAZ -2.5 underweight; A09 WHZ 5.5 flagged in July)
  Melati (kec 35.09.02 Kencong, desa 35.09.02.2001 Cakru): A13-A16, a small (suppressed) unit
    A13 -2.5 / -2.5, A14 and A15 -1.0
    A16 -1.0 in Melati in July; moves to Mawar in August with -2.1 (counted in Mawar)
Kab. Banyuwangi (35.10)
  Anggrek (kec 35.10.01 Pesanggaran, desa 35.10.01.2001 Sarongan): B01-B11
    B01-B03 -2.5, B04 -3.1 (severe), B05-B11 -0.8; B05 WHZ -2.5 wasted, B06 WHZ 2.5 overweight
  Dahlia (kec 35.10.02 Bangorejo, desa 35.10.02.2001 Sukorejo): B12-B14 (suppressed)
    B12 -2.2, B13 and B14 -0.8

Hand counts (n_children / n_haz / n_stunted / n_severe):
  Mawar   Jul 12/11/5/1 (A05 flagged)   Aug 12/11/3/1   year 13/13/5/1
  Melati  Jul 4/4/1/0                   Aug 3/3/1/0     year 3/3/1/0
  Jember  Jul 16/15/6/1                 Aug 15/14/4/1   year 16/16/6/1
  Banyuwangi  Jul = Aug = year 14/14/5/1
  Jawa Timur  Jul 30/29/11/2           Aug 29/28/9/2   year 30/30/11/2
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

LOADED_AT = datetime(2025, 9, 1, 8, 0, 0)

POSYANDU = {
    "Mawar": ("35.09", "35.09.01", "35.09.01.2001"),
    "Melati": ("35.09", "35.09.02", "35.09.02.2001"),
    "Anggrek": ("35.10", "35.10.01", "35.10.01.2001"),
    "Dahlia": ("35.10", "35.10.02", "35.10.02.2001"),
}


@dataclass
class Ukur:
    child: str
    posyandu: str
    day: date
    haz: float | None
    waz: float | None = -1.0
    whz: float | None = 0.5
    flen: int | None = None
    fwei: int | None = None
    fwfl: int | None = None
    height: float | None = 80.0
    weight: float | None = 10.0
    measure: str | None = "h"


# Birth dates: A06 turns 60 months between the July and August visits; several birth dates on
# the 1st or 15th (birth-date heaping in the quality mart).
BIRTH = {f"A{i:02d}": date(2023, 1, 1 + i) for i in range(1, 17)}
BIRTH |= {f"B{i:02d}": date(2022, 6, 1 + i) for i in range(1, 15)}
BIRTH |= {
    "A06": date(2020, 8, 1),
    "A01": date(2023, 3, 1),
    "A02": date(2023, 3, 15),
    "B01": date(2022, 6, 15),
}

JUL, AUG = date(2025, 7, 10), date(2025, 8, 12)


def _pair(child: str, pos: str, haz_jul: float, haz_aug: float, **kw: object) -> list[Ukur]:
    return [Ukur(child, pos, JUL, haz_jul, **kw), Ukur(child, pos, AUG, haz_aug, **kw)]


def measurements() -> list[Ukur]:
    rows: list[Ukur] = []
    rows += _pair("A01", "Mawar", -3.5, -3.2)
    rows += _pair("A02", "Mawar", -2.5, -2.4)
    rows += _pair("A03", "Mawar", -2.01, -2.00)
    rows += [
        Ukur("A04", "Mawar", JUL, -1.0),
        Ukur("A04", "Mawar", date(2025, 8, 5), -2.6),
        Ukur("A04", "Mawar", date(2025, 8, 20), -1.9),
    ]
    rows += [Ukur("A05", "Mawar", JUL, -6.5, flen=1), Ukur("A05", "Mawar", AUG, -1.5)]
    rows += _pair("A06", "Mawar", -2.2, -2.2)
    rows += [
        Ukur("A07", "Mawar", JUL, -2.3),
        Ukur("A07", "Mawar", AUG, None, whz=None, height=None, measure=None),
    ]
    rows += _pair("A08", "Mawar", -0.5, -0.5, waz=-2.5)
    rows += [Ukur("A09", "Mawar", JUL, -0.5, whz=5.5, fwfl=1), Ukur("A09", "Mawar", AUG, -0.5)]
    for c in ("A10", "A11", "A12"):
        rows += _pair(c, "Mawar", -0.5, -0.5)
    rows += _pair("A13", "Melati", -2.5, -2.5)
    rows += _pair("A14", "Melati", -1.0, -1.0)
    rows += _pair("A15", "Melati", -1.0, -1.0)
    rows += [Ukur("A16", "Melati", JUL, -1.0), Ukur("A16", "Mawar", AUG, -2.1)]
    for c in ("B01", "B02", "B03"):
        rows += _pair(c, "Anggrek", -2.5, -2.5)
    rows += _pair("B04", "Anggrek", -3.1, -3.1)
    rows += _pair("B05", "Anggrek", -0.8, -0.8, whz=-2.5)
    rows += _pair("B06", "Anggrek", -0.8, -0.8, whz=2.5)
    for c in ("B07", "B08", "B09", "B10", "B11"):
        rows += _pair(c, "Anggrek", -0.8, -0.8)
    rows += _pair("B12", "Dahlia", -2.2, -2.2)
    rows += _pair("B13", "Dahlia", -0.8, -0.8)
    rows += _pair("B14", "Dahlia", -0.8, -0.8)
    _set_heights(rows)
    return rows


def _set_heights(rows: list[Ukur]) -> None:
    """Heights in Jember's July rows end in .0 or .5 except two (digit preference); one August
    height in Banyuwangi has no measuring position (missing field)."""
    jul_jember = [r for r in rows if r.day == JUL and POSYANDU[r.posyandu][0] == "35.09"]
    for i, r in enumerate(jul_jember):
        r.height = 80.0 + 0.5 * i if i < 14 else 80.3 + i
    for r in rows:
        if r.child == "B07" and r.day == AUG:
            r.measure = None


def file_of(u: Ukur) -> str:
    """One export file per kab/kota and month, as the demo writes them."""
    return f"f{POSYANDU[u.posyandu][0]}-{u.day:%Y-%m}"


def staging_rows() -> list[dict]:
    rows = []
    counters: dict[str, int] = {}
    for u in measurements():
        kab, kec, desa = POSYANDU[u.posyandu]
        birth = BIRTH[u.child]
        age_days = (u.day - birth).days
        fname = file_of(u)
        counters[fname] = counters.get(fname, 0) + 1
        rows.append(
            {
                "file_sha256": fname,
                "row_number": counters[fname],
                "child_key": f"key-{u.child}",
                "child_key_source": "nik",
                "sex": 1,
                "birth_date": birth,
                "measurement_date": u.day,
                "age_days": age_days,
                "age_months": int(age_days // 30.4375),
                "kode_kabkota": kab,
                "kode_kecamatan": kec,
                "kode_desa": desa,
                "posyandu_key": f"{desa}|{u.posyandu.upper()}",
                "posyandu_nama": u.posyandu,
                "weight_kg": u.weight,
                "lenhei_cm": u.height,
                "measure": u.measure,
                "zlen": u.haz,
                "flen": (u.flen or 0) if u.haz is not None else None,
                "zwei": u.waz,
                "fwei": (u.fwei or 0) if u.waz is not None else None,
                "zwfl": u.whz,
                "fwfl": (u.fwfl or 0) if u.whz is not None else None,
                "kat_tbu": None
                if u.haz is None or u.flen
                else ("Sangat Pendek" if u.haz < -3 else "Pendek" if u.haz < -2 else "Normal"),
                # e-PPGBM's own label; it disagrees with tumbuh's for A03 in August (-2.00)
                "src_kat_tbu": None
                if u.haz is None or u.flen
                else (
                    "Pendek"
                    if u.child == "A03" and u.day == AUG
                    else "Sangat Pendek"
                    if u.haz < -3
                    else "Pendek"
                    if u.haz < -2
                    else "Normal"
                ),
                "loaded_at": LOADED_AT,
            }
        )
    return rows


def load_files_rows() -> list[dict]:
    """load_files for the four posyandu exports: every file had one rejected row, and July's
    Jember file two."""
    staged: dict[str, int] = {}
    for r in staging_rows():
        staged[r["file_sha256"]] = staged.get(r["file_sha256"], 0) + 1
    rows = []
    for fname, n in sorted(staged.items()):
        rejected = 2 if fname == "f35.09-2025-07" else 1
        rows.append(
            {
                "file_sha256": fname,
                "source": "posyandu",
                "file_name": f"{fname}.csv",
                "format": "csv",
                "rows_read": n + rejected,
                "rows_staged": n,
                "rows_rejected": rejected,
                "loaded_at": LOADED_AT,
            }
        )
    return rows


def spm_rows() -> list[dict]:
    """KES01 sasaran (S) of posyandu Mawar for July 2025: 15 balita."""
    return [
        {
            "file_sha256": "spm-1",
            "row_number": 1,
            "kode_kabkota": "35.09",
            "kode_kecamatan": "35.09.01",
            "kode_desa": "35.09.01.2001",
            "posyandu_key": "35.09.01.2001|MAWAR",
            "posyandu_nama": "Mawar",
            "bulan": date(2025, 7, 1),
            "bidang": "Kesehatan",
            "kode_indikator": "KES01",
            "sasaran": 15,
            "dilayani": 12,
        }
    ]


def lineage_rows() -> dict[str, list[dict]]:
    """raw_*, rejects and load_files rows that make the fixture's lineage add up (rows read =
    staged + rejected, per file), so the audits of every domain hold on this warehouse."""
    raw_pengukuran, rejects = [], []
    for f in load_files_rows():
        for row_number in range(1, f["rows_read"] + 1):
            raw_pengukuran.append(
                {
                    "file_sha256": f["file_sha256"],
                    "file_name": f["file_name"],
                    "row_number": row_number,
                    "loaded_at": LOADED_AT,
                }
            )
        for k in range(f["rows_rejected"]):
            rejects.append(
                {
                    "source": "posyandu",
                    "file_sha256": f["file_sha256"],
                    "file_name": f["file_name"],
                    "row_number": f["rows_staged"] + k + 1,
                    "column_name": "tgl_lahir",
                    "reason": "date_missing",
                    "message": "Tgl Lahir kosong",
                }
            )
    spm_file = {
        "file_sha256": "spm-1",
        "source": "spm",
        "file_name": "spm-1.csv",
        "format": "csv",
        "rows_read": 1,
        "rows_staged": 1,
        "rows_rejected": 0,
        "loaded_at": LOADED_AT,
    }
    raw_spm = [
        {"file_sha256": "spm-1", "file_name": "spm-1.csv", "row_number": 1, "loaded_at": LOADED_AT}
    ]
    return {
        "load_files": load_files_rows() + [spm_file],
        "raw_pengukuran": raw_pengukuran,
        "rejects": rejects,
        "raw_spm": raw_spm,
    }


# PKK Dasa Wisma recaps for the coverage mart (mart_cakupan_pengukuran); only the coverage tests
# load them. Kecamatan 35.09.01 Jombang has six desa in ref_wilayah:
#   July 2025: every desa reports; Padomasan 10 balita (12 children measured there: 120 %,
#     flagged over 100 %), the five others 5 each -> the kecamatan is complete, 35 balita
#     (12 children: 34.3 %)
#   August 2025: only Padomasan reports, 20 balita (12 children: 60 %) -> the kecamatan is
#     incomplete (1 of 6 desa): no denominator
#   year 2025: each desa's latest recap (Padomasan August 20, the others July 5) -> complete,
#     45 balita (13 children: 28.9 %); Padomasan 13 / 20 = 65 %
# Kecamatan 35.09.02 Kencong: Cakru reports July with Balita P not recorded (NULL) -> no
# denominator for Cakru or Kencong.
PKK_DESA_JOMBANG = ("35.09.01.2001", "35.09.01.2002", "35.09.01.2003", "35.09.01.2004",
                    "35.09.01.2005", "35.09.01.2006")


def pkk_rows() -> list[dict]:
    def row(file: str, n: int, kec: str, desa: str, bulan: date, boys: int | None,
            girls: int | None) -> dict:
        return {"file_sha256": file, "row_number": n, "kode_kabkota": desa[:5],
                "kode_kecamatan": kec, "kode_desa": desa, "bulan": bulan, "jml_krt": 40,
                "balita_l": boys, "balita_p": girls}

    jul, aug = date(2025, 7, 1), date(2025, 8, 1)
    rows = [row("pkk-jul", 1, "35.09.01", PKK_DESA_JOMBANG[0], jul, 6, 4)]
    rows += [row("pkk-jul", i + 1, "35.09.01", d, jul, 3, 2)
             for i, d in enumerate(PKK_DESA_JOMBANG[1:], start=1)]
    rows.append(row("pkk-jul", 7, "35.09.02", "35.09.02.2001", jul, 3, None))
    rows.append(row("pkk-aug", 1, "35.09.01", PKK_DESA_JOMBANG[0], aug, 11, 9))
    return rows


def pkk_lineage_rows() -> dict[str, list[dict]]:
    """load_files and raw_pkk rows for the PKK recaps (every row staged)."""
    files: dict[str, int] = {}
    for r in pkk_rows():
        files[r["file_sha256"]] = files.get(r["file_sha256"], 0) + 1
    return {
        "load_files": [{"file_sha256": f, "source": "pkk", "file_name": f"{f}.csv",
                        "format": "csv", "rows_read": n, "rows_staged": n, "rows_rejected": 0,
                        "loaded_at": LOADED_AT} for f, n in files.items()],
        "raw_pkk": [{"file_sha256": f, "file_name": f"{f}.csv", "row_number": i,
                     "loaded_at": LOADED_AT} for f, n in files.items() for i in range(1, n + 1)],
    }
