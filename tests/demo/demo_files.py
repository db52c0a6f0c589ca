"""Read the demo exports back for the tests, independently of the pipeline's readers: each file
is read with the layout its manifest entry states, and values are parsed by the contract's
rules (docs/contracts.md 1), not by the generator's own formatting code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from functools import cache
from pathlib import Path

import lxml.html
import numpy as np
import openpyxl
import pandas as pd

from demo.pkk import MEASURES as PKK_MEASURES
from pipelines.config import REFERENCE_DIR

TODAY = dt.date.today()

POSYANDU_COLUMNS = ["No", "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov",
                    "Kab/Kota", "Kec", "Pukesmas", "Desa/Kel", "Posyandu", "RT", "RW", "Alamat",
                    "Usia Saat Ukur", "Tanggal Pengukuran", "Berat", "Tinggi", "Cara Ukur", "LiLA",
                    "BB/U", "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB", "Naik Berat Badan",
                    "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA"]  # fmt: skip
HEADER_ALIASES = {"puskesmas": "Pukesmas", "memilikijambankeluarga": "Memiliki Sarana MCK dan Septic Tank",
                  "tidaksehathuni": "Tidak Sehat Layak Huni",
                  "memilikitmppembsampah": "Memiliki Tempat Pembuangan Sampah"}  # fmt: skip


def norm(text: str) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def load_manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def load_lines(out: Path) -> pd.DataFrame:
    df = pd.read_csv(out / "manifest_rows.csv", dtype=object, keep_default_na=False)
    return df.astype({"physical_row": int, "data_row": int})


def _cell(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return str(v).strip() or None


def _grid(path: Path, entry: dict) -> list[list[str | None]]:
    """All rows of the file (title rows included), cells as text."""
    fmt = entry["format"]
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [[_cell(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        return rows
    if fmt == "html":
        doc = lxml.html.fromstring(path.read_bytes())
        return [[(td.text_content().strip() or None) for td in tr.xpath("./td|./th")]
                for tr in doc.xpath("//tr")]
    raw = path.read_bytes()
    enc = entry.get("encoding") or "utf-8"
    text = raw.decode("utf-8-sig" if enc.startswith("utf-8") else enc)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=entry.get("delimiter") or ",")
    return [[(c.strip() or None) for c in row] for row in reader]


def read_table(out: Path, entry: dict) -> pd.DataFrame:
    """Data rows of one export with canonical column names, plus `physical_row`."""
    grid = _grid(out / entry["path"], entry)
    h = entry["header_row"]
    header = grid[h - 1]
    names = {}
    for i, text in enumerate(header):
        key = norm(text or "")
        names[i] = HEADER_ALIASES.get(key) or next(
            (c for c in POSYANDU_COLUMNS + _OTHER_COLUMNS if norm(c) == key), text)
    body = grid[h:]
    width = len(header)
    df = pd.DataFrame([(r + [None] * width)[:width] for r in body], columns=[names[i] for i in range(width)],
                      dtype=object)
    df.insert(0, "physical_row", range(h + 1, h + 1 + len(df)))
    return df


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns with None for missing cells (pandas fills NaN when frames are joined)."""
    df = df.astype(object)
    return df.where(df.notna(), None)


_OTHER_COLUMNS = ["Bulan", "Bidang", "Kode Indikator", "Indikator", "Satuan", "Sasaran", "Dilayani",
                  "Tanggal", "Pelapor", "Keterangan"] + PKK_MEASURES  # fmt: skip


# --- parsing by the contract ------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(s: str | None) -> dt.date | None:
    if s is None:
        return None
    s = s.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", s):
            return dt.datetime.strptime(s, "%Y-%m-%d").date()
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", s):
            return dt.datetime.strptime(s, "%d/%m/%Y").date()
        if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", s):
            return dt.datetime.strptime(s, "%d-%m-%Y").date()
        if re.fullmatch(r"\d{5}(\.\d+)?", s):
            return EXCEL_EPOCH + dt.timedelta(days=int(float(s)))
    except ValueError:
        return None
    return None


def parse_num(s: str | None) -> float | None:
    if s is None or not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", s.strip()):
        return None
    return float(s.strip().replace(",", "."))


def blank(s: str | None) -> bool:
    return s is None or s.strip() in ("", "-")


def parse_sex(s: str | None) -> int | None:
    k = norm(s or "").upper()
    return {"L": 1, "LAKILAKI": 1, "1": 1, "P": 2, "PEREMPUAN": 2, "2": 2}.get(k)


def parse_measure(s: str | None) -> str:
    k = norm(s or "").upper()
    return {"TERLENTANG": "l", "TELENTANG": "l", "BERDIRI": "h"}.get(k, "")


def clean_nik(s: str | None) -> str | None:
    t = re.sub(r"^'|\s", "", s or "")
    return t if re.fullmatch(r"\d{16}", t) else None


# --- wilayah names -> codes ------------------------------------------------------------------


@cache
def wilayah() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "wilayah_jatim.csv", dtype=str, keep_default_na=False)


def _strip(name: str, prefixes: str) -> str:
    return norm(re.sub(rf"^({prefixes})([ .]+|$)", "", (name or "").strip().upper()))


@cache
def _lookups():
    w = wilayah()
    kab, kec, desa = {}, {}, {}
    for r in w.itertuples():
        if r.tingkat == "kabkota":
            kab.setdefault(_strip(r.nama, "KABUPATEN|KOTA"), []).append((r.kode, r.jenis))
        elif r.tingkat == "kecamatan":
            kec[(r.kode_induk, norm(r.nama))] = r.kode
        else:
            desa[(r.kode_induk, norm(r.nama))] = r.kode
    return kab, kec, desa


def resolve(kab_name: str | None, kec_name: str | None, desa_name: str | None):
    """(kode_kabkota, kode_kecamatan, kode_desa) by name within the parent; None where it does
    not resolve to exactly one unit (a bare name shared by a Kabupaten and a Kota)."""
    kab, kec, desa = _lookups()
    up = (kab_name or "").strip().upper()
    jenis = ("Kabupaten" if re.match(r"^(KABUPATEN|KAB)([ .]|$)", up)
             else "Kota" if re.match(r"^(KOTAMADYA|KOTA)([ .]|$)", up) else None)
    cands = [k for k, j in kab.get(_strip(up, "KABUPATEN|KAB|KOTAMADYA|KOTA"), []) if jenis in (None, j)]
    if len(cands) != 1:
        return None, None, None
    k = cands[0]
    c = kec.get((k, _strip(kec_name or "", "KECAMATAN|KEC")))
    if c is None:
        return k, None, None
    return k, c, desa.get((c, _strip(desa_name or "", "DESA|DS|KELURAHAN|KEL")))


def first_reason(row, extraction: dt.date | None) -> str | None:
    """The contract's reject order, applied to one posyandu row (duplicates aside)."""
    sex = parse_sex(row["JK"])
    if sex is None:
        return "sex"
    birth, meas = parse_date(row["Tgl Lahir"]), parse_date(row["Tanggal Pengukuran"])
    if birth is None:
        return "birth_date"
    if meas is None:
        return "measurement_date"
    if meas < birth:
        return "date_order"
    if (meas - birth).days > 1856:
        return "age_range"
    if meas > (extraction or TODAY):
        return "future_date"
    kab, kec, desa = resolve(row["Kab/Kota"], row["Kec"], row["Desa/Kel"])
    if kab is None:
        return "kabkota"
    if kec is None:
        return "kecamatan"
    if desa is None:
        return "desa"
    b_miss = blank(row["Berat"]) or parse_num(row["Berat"]) == 0
    t_miss = blank(row["Tinggi"]) or parse_num(row["Tinggi"]) == 0
    if b_miss and t_miss:
        return "no_measurement"
    if (not b_miss and parse_num(row["Berat"]) is None) or (not t_miss and parse_num(row["Tinggi"]) is None):
        return "bad_number"
    return None


# --- administrative prevalence, computed the way the marts do --------------------------------


def _mapped(col: pd.Series, func) -> pd.Series:
    """Apply a parser once per distinct value (dates and numbers repeat a lot)."""
    uniq = {v: func(v) for v in col.dropna().unique()}
    return col.map(uniq)


def staged_measurements(df: pd.DataFrame) -> pd.DataFrame:
    """Typed values of staged posyandu rows: codes, child key, dates, measures."""
    out = pd.DataFrame(index=df.index)
    triples = df[["Kab/Kota", "Kec", "Desa/Kel"]].drop_duplicates()
    codes = {tuple(t): resolve(*t) for t in triples.itertuples(index=False)}
    resolved = [codes[t] for t in df[["Kab/Kota", "Kec", "Desa/Kel"]].itertuples(index=False)]
    out["kode_kabkota"] = [c[0] for c in resolved]
    out["kode_desa"] = [c[2] for c in resolved]
    out["sex"] = _mapped(df.JK, parse_sex)
    out["birth"] = pd.to_datetime(_mapped(df["Tgl Lahir"], parse_date))
    out["meas"] = pd.to_datetime(_mapped(df["Tanggal Pengukuran"], parse_date))
    out["age_days"] = (out.meas - out.birth).dt.days
    out["weight_kg"] = _mapped(df.Berat, parse_num).astype(float)
    out["lenhei_cm"] = _mapped(df.Tinggi, parse_num).astype(float)
    out["measure"] = _mapped(df["Cara Ukur"], parse_measure).replace("", None)
    nik = _mapped(df.NIK, clean_nik)
    name = (df.Nama.str.strip().str.upper() + "|" + out.birth.astype(str) + "|" + out.sex.astype(str)
            + "|" + out.kode_desa.astype(str))
    out["child"] = nik.where(nik.notna(), "name:" + name)
    return out


def with_haz(m: pd.DataFrame) -> pd.DataFrame:
    """zlen and flen from the project's WHO SQL (pipelines.who), not from the generator."""
    import duckdb

    from pipelines.who.tables import install_who_tables
    from pipelines.who.zscore import zscore_select

    con = duckdb.connect()
    install_who_tables(con)
    src = m[["sex", "age_days", "weight_kg", "lenhei_cm", "measure"]].copy()
    src["rid"] = np.arange(len(src))
    src["sex"] = src.sex.astype("int8")
    src["age_days"] = src.age_days.astype(float)
    con.register("zin", src)
    z = con.execute(f"SELECT rid, zlen, flen FROM ({zscore_select('zin')}) ORDER BY rid").df()
    con.close()
    out = m.copy()
    out["zlen"] = z.zlen.to_numpy()
    out["flen"] = z.flen.to_numpy()
    return out


def admin_prevalence(m: pd.DataFrame) -> pd.DataFrame:
    """Per kab/kota and calendar year: children whose latest valid length (z-score present and
    not flagged, age 0-59 completed months) is in the year, and of those the stunted."""
    v = m[m.zlen.notna() & (m.flen == 0) & (m.age_days <= 1826)].copy()
    v["year"] = v.meas.dt.year
    latest = v.sort_values("meas").groupby(["kode_kabkota", "year", "child"]).tail(1)
    g = latest.groupby(["kode_kabkota", "year"])
    return pd.DataFrame({"children": g.size(), "stunted": g.zlen.apply(lambda z: int((z < -2).sum()))})


def first_reasons(df: pd.DataFrame, extraction: pd.Series) -> pd.Series:
    """first_reason for every row at once ("" = staged); `extraction` is per row (NaT = none)."""
    sex = _mapped(df.JK, parse_sex)
    birth = pd.to_datetime(_mapped(df["Tgl Lahir"], parse_date))
    meas = pd.to_datetime(_mapped(df["Tanggal Pengukuran"], parse_date))
    age = (meas - birth).dt.days
    limit = pd.to_datetime(extraction).fillna(pd.Timestamp(TODAY))
    triples = df[["Kab/Kota", "Kec", "Desa/Kel"]].drop_duplicates()
    codes = {tuple(t): resolve(*t) for t in triples.itertuples(index=False)}
    res = [codes[t] for t in df[["Kab/Kota", "Kec", "Desa/Kel"]].itertuples(index=False)]
    kab = pd.Series([r[0] for r in res], index=df.index)
    kec = pd.Series([r[1] for r in res], index=df.index)
    desa = pd.Series([r[2] for r in res], index=df.index)
    b_num, t_num = _mapped(df.Berat, parse_num), _mapped(df.Tinggi, parse_num)
    b_miss = df.Berat.map(blank) | (b_num == 0)
    t_miss = df.Tinggi.map(blank) | (t_num == 0)
    conditions = [sex.isna(), birth.isna(), meas.isna(), meas < birth, age > 1856, meas > limit,
                  kab.isna(), kec.isna(), desa.isna(), b_miss & t_miss,
                  (~b_miss & b_num.isna()) | (~t_miss & t_num.isna())]
    names = ["sex", "birth_date", "measurement_date", "date_order", "age_range", "future_date",
             "kabkota", "kecamatan", "desa", "no_measurement", "bad_number"]
    out = np.select([c.fillna(False).to_numpy(bool) for c in conditions], names, default="")
    return pd.Series(out, index=df.index)
