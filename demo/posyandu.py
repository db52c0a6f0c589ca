"""Posyandu measurement exports (e-PPGBM individual layout, docs/contracts.md 1.1) for one
kab/kota: 24 monthly files from the cohort model, with mess injected and the truth recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo import cohort, formats, lms, mess, names
from demo.formats import Style
from demo.reference import KabKota

COLUMNS = ["No", "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov",
           "Kab/Kota", "Kec", "Pukesmas", "Desa/Kel", "Posyandu", "RT", "RW", "Alamat",
           "Usia Saat Ukur", "Tanggal Pengukuran", "Berat", "Tinggi", "Cara Ukur", "LiLA", "BB/U",
           "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB", "Naik Berat Badan",
           "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA"]  # fmt: skip
OPTIONAL = ("LiLA", "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA")
NUMERIC = ("BB Lahir", "TB Lahir", "Berat", "Tinggi", "LiLA", "ZS BB/U", "ZS TB/U", "ZS BB/TB",
           "PMT Diterima (kg)", "Jml Vit A")  # fmt: skip
DATES = ("Tgl Lahir", "Tanggal Pengukuran")

NIK_VALID, NIK_EMPTY, NIK_APOSTROPHE, NIK_SCIENTIFIC = 0, 1, 2, 3
# KBM, the minimum monthly gain of the Buku KIA, by completed month of age (kg); 200 g from 11.
KBM = np.array([0.8, 0.8, 0.9, 0.8, 0.6, 0.5, 0.4, 0.4, 0.3, 0.3, 0.3, 0.2] + [0.2] * 50)
CAT_TBU = np.array(["Sangat Pendek", "Pendek", "Normal", "Tinggi"], dtype=object)
CAT_BBU = np.array(["Sangat Kurang", "Kurang", "Normal", "Risiko Lebih"], dtype=object)
CAT_BBTB = np.array(["Gizi Buruk", "Gizi Kurang", "Gizi Baik", "Risiko Gizi Lebih", "Gizi Lebih",
                     "Obesitas"], dtype=object)  # fmt: skip


@dataclass
class Persons:
    """Per child: what the export shows about them (synthetic)."""

    name: np.ndarray
    nik_form: np.ndarray
    nik_text: pa.Array
    ortu: pa.Array
    rt: pa.Array
    rw: pa.Array
    alamat: pa.Array
    kia: pa.Array
    bb_lahir: np.ndarray  # decagrams; 0 = unknown (written "0" or "-")
    bb_lahir_grams: np.ndarray  # written in grams ("3100")
    tb_lahir: np.ndarray  # mm; 0 = empty


def make_persons(rng: np.random.Generator, kab: KabKota, kids: cohort.Children, clean: bool) -> Persons:
    n = len(kids)
    nm = names.child_names(rng, kids.sex)
    birth = cohort.EPOCH + kids.birth
    # The name key (name, birth date, sex, desa) must identify a child whose NIK is unusable.
    for _ in range(20):
        key = np.char.add(np.char.add(np.char.add(nm.astype(str), "|"),
                                      (kids.birth * 4 + kids.sex).astype(str)),
                          np.char.add("|", kids.desa.astype(str)))
        _, first = np.unique(key, return_index=True)
        dup = np.ones(n, bool)
        dup[first] = False
        if not dup.any():
            break
        nm[dup] = names.child_names(rng, kids.sex[dup])
    kec = np.array(kab.kec_kode, dtype=object)[kab.desa_kec[kids.desa]]
    digits = names.nik(kec, birth, kids.sex, rng)
    p = [0.90, 0.10, 0.0, 0.0] if clean else [0.84, 0.08, 0.05, 0.03]
    form = rng.choice(4, size=n, p=p).astype(np.int8)
    text = np.where(form == NIK_EMPTY, None, digits)
    text = np.where(form == NIK_APOSTROPHE, np.char.add("'", digits.astype(str)).astype(object), text)
    sci = np.array([f"{d[0]},{d[1:6]}E+15" for d in digits], dtype=object)
    text = np.where(form == NIK_SCIENTIFIC, sci, text)
    rt = rng.integers(1, 16, n)
    rw = rng.integers(1, 9, n)
    pad = rng.random() < 0.6  # "001" or "1", per kab/kota
    rt_s = np.char.zfill(rt.astype(str), 3) if pad else rt.astype(str)
    rw_s = np.char.zfill(rw.astype(str), 3) if pad else rw.astype(str)
    kel = kab.desa_jenis[kids.desa] == "Kelurahan"
    streets = np.array([t.upper() for t in names.THEMES])
    street = np.char.add("JL. ", streets[rng.integers(0, len(streets), n)])
    alamat = np.where(kel, np.char.add(np.char.add(street, " NO. "), rng.integers(1, 120, n).astype(str)),
                      np.char.add("DUSUN ", np.array(["KRAJAN", "KRAJAN LOR", "KRAJAN KIDUL", "WETAN",
                                                       "KULON", "TENGAH", "SUMBER", "GUNUNG"])[rng.integers(0, 8, n)]))
    bb = np.clip(rng.normal(3.1, 0.45, n), 1.4, 4.8)
    bb_dag = np.rint(bb * 10).astype(np.int32) * 10  # to 0.1 kg
    bb_dag[rng.random(n) < 0.08] = 0
    tb = np.clip(rng.normal(49.0, 2.0, n), 40, 56)
    tb_mm = np.rint(tb * 10).astype(np.int32)
    tb_mm[rng.random(n) < 0.15] = 0
    return Persons(
        name=nm, nik_form=form, nik_text=pa.array(text, pa.string(), from_pandas=True),
        ortu=formats.from_objects(names.parent_names(rng, n)),
        rt=formats.from_objects(rt_s.astype(object)), rw=formats.from_objects(rw_s.astype(object)),
        alamat=formats.from_objects(alamat.astype(object)),
        kia=formats.from_objects(np.where(rng.random(n) < 0.86, "Ya", "Tidak").astype(object)),
        bb_lahir=bb_dag, bb_lahir_grams=rng.random(n) < 0.1, tb_lahir=tb_mm,
    )


@dataclass
class FilePlan:
    month: int
    path: str  # relative to the output folder
    style: Style
    extraction_day: int | None  # day index of "Data Tanggal"
    header: list[tuple[str, str]]  # (canonical column, header text as written)
    pos_style: str  # upper | prefixed | title


def _month_label(m: int) -> str:
    return str(cohort.FIRST_MONTH + m)


def plan_files(rng: np.random.Generator, kab: KabKota, clean: bool) -> list[FilePlan]:
    pos_style = "upper" if clean else str(rng.choice(["upper", "prefixed", "title"], p=[0.5, 0.3, 0.2]))
    plans = []
    for m in range(cohort.N_MONTHS):
        label = _month_label(m)
        end = cohort.month_start_day(m + 1) - 1
        if clean:
            style, ext_day = Style(), None
        else:
            fmt = str(rng.choice(["csv", "xlsx", "html"], p=[0.94, 0.03, 0.03]))
            ext_day = end + int(rng.integers(2, 11))
            ext = formats.EPOCH + dt.timedelta(days=ext_day)
            date_line = (f"Data Tanggal : {ext:%Y-%m-%d}" if rng.random() < 0.7
                         else f"Tanggal Data: {ext:%d/%m/%Y}")
            title = ("Daftar Status Gizi Balita", f"Kab/Kota : {kab.e_ppgbm_name}",
                     f"Bulan : {label}", date_line)
            if fmt == "csv":
                titled = rng.random() < 0.25
                delim = str(rng.choice([",", ";"], p=[0.45, 0.55]))
                style = Style(
                    fmt="csv", delimiter=delim, decimal=str(rng.choice([",", "."], p=[0.6, 0.4])),
                    date_style=str(rng.choice(["iso", "dmy_slash", "dmy_dash"], p=[0.4, 0.4, 0.2])),
                    encoding=str(rng.choice(["utf-8", "utf-8-sig", "cp1252"], p=[0.7, 0.2, 0.1])),
                    newline=str(rng.choice(["\n", "\r\n"], p=[0.6, 0.4])),
                    title=title if titled else (), blank_after_title=bool(rng.random() < 0.5),
                )
                if not titled:
                    ext_day = None
            elif fmt == "xlsx":
                style = Style(fmt="xlsx", decimal=".", date_style=str(rng.choice(["iso", "dmy_slash"])),
                              title=title, blank_after_title=bool(rng.random() < 0.5),
                              sheet=str(rng.choice(["Sheet1", "Data Anak", "Status Gizi"])),
                              date_cells=bool(rng.random() < 0.5))
            else:
                style = Style(fmt="html", decimal=str(rng.choice([",", "."], p=[0.7, 0.3])),
                              date_style=str(rng.choice(["iso", "dmy_slash"])), title=title,
                              blank_after_title=bool(rng.random() < 0.5))
        header = [(c, c) for c in COLUMNS]
        if not clean:
            if rng.random() < 0.15:
                header = [(c, h) for c, h in header if c not in OPTIONAL]
            if rng.random() < 0.2:
                header = [(c, "Puskesmas" if h == "Pukesmas" else h) for c, h in header]
            if rng.random() < 0.1:
                header = [(c, h.upper()) for c, h in header]
        ext_name = {"csv": "csv", "xlsx": "xlsx", "html": "xls"}[style.fmt]
        path = f"posyandu/{label}/{kab.kode}_{label}.{ext_name}"
        plans.append(FilePlan(m, path, style, ext_day, header, pos_style))
    return plans


@dataclass
class Measures:
    """Per visit: what was measured and what e-PPGBM computed from it."""

    rec_mm: np.ndarray  # length/height as written, mm
    standing: np.ndarray
    weight_dag: np.ndarray  # decagrams (10 g)
    haz: np.ndarray  # e-PPGBM's own z-scores (NaN = blank)
    waz: np.ndarray
    whz: np.ndarray
    naik: np.ndarray  # 0 blank, 1 N, 2 T, 3 O, 4 B
    lila_mm: np.ndarray
    pmt_hg: np.ndarray  # PMT received, 100 g units; 0 = blank
    vita: np.ndarray
    kpsp: np.ndarray  # 0 blank, 1 Sesuai, 2 Meragukan, 3 Penyimpangan
    usia: np.ndarray  # index into the "Usia Saat Ukur" table


def _usia_index(birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Calendar age as years/months/days, like e-PPGBM's `Usia Saat Ukur`."""
    b = cohort.EPOCH + birth
    d = cohort.EPOCH + day
    bm, dm = b.astype("datetime64[M]"), d.astype("datetime64[M]")
    bd = (b - bm.astype("datetime64[D]")).astype(int)
    dd = (d - dm.astype("datetime64[D]")).astype(int)
    months = (dm - bm).astype(int) - (dd < bd)
    anchor_m = bm + months
    dim = ((anchor_m + 1).astype("datetime64[D]") - anchor_m.astype("datetime64[D]")).astype(int)
    anchor = anchor_m.astype("datetime64[D]") + np.minimum(bd, dim - 1)
    days = (d - anchor).astype(int)
    return (months // 12) * 372 + (months % 12) * 31 + np.clip(days, 0, 30)


USIA_TABLE = pa.array([f"{y} Tahun - {m} Bulan - {d} Hari" for y in range(6) for m in range(12)
                       for d in range(31)], pa.string())  # fmt: skip


CHUNK = 1 << 19  # rows per z-score batch: bounds the temporaries at full scale


def _in_chunks(func, n: int, *arrays) -> np.ndarray:
    out = np.empty(n, np.float32)  # z-scores carry 2 decimals; float32 holds them exactly enough
    for s in range(0, n, CHUNK):
        out[s:s + CHUNK] = func(*(a[s:s + CHUNK] for a in arrays))
    return out


def measures(rng: np.random.Generator, kids: cohort.Children, v: cohort.Visits, g: cohort.Growth,
             kind: np.ndarray) -> Measures:
    n = len(v)
    sex = kids.sex[v.child]
    standing = v.age >= lms.HEIGHT_SIDE_DAYS
    rec = np.where(standing, g.eq_mm - 7, g.eq_mm).astype(np.int32)
    # Scales: most posyandu weigh to 0.1 kg, some to 0.05 kg or 0.01 kg (digital).
    step = np.array([10, 5, 1])[rng.choice(3, size=int(kids.pos.max()) + 1, p=[0.7, 0.2, 0.1])]
    w = _in_chunks(lambda a, b, c, d: lms.weight_for_length_at(a, b, c / 10, d), n, sex, v.age, rec, g.whz)
    st = step[kids.pos[v.child]]
    weight_dag = (np.rint(w.astype(np.float64) * 100 / st) * st).astype(np.int32)
    del w
    # e-PPGBM's own z-scores: it ignores the position actually used, so rows measured in the
    # wrong position disagree with tumbuh's (the disagreement metric).
    lie_late = kind == mess.KIND_CODE["lying_after_24m"]
    stand_early = kind == mess.KIND_CODE["standing_before_24m"]
    rec_e = np.where(lie_late, g.eq_mm, np.where(stand_early, g.eq_mm - 7, rec)).astype(np.int32)

    def position(st_):
        return np.where(st_, "h", "l")

    haz = _in_chunks(lambda a, b, c, d: lms.haz(a, b, c / 10, position(d)), n, sex, v.age, rec_e, standing)
    waz = _in_chunks(lambda a, b, c: lms.waz(a, b, c / 100), n, sex, v.age, weight_dag)
    whz = _in_chunks(lambda a, b, c, d, e: lms.whz(a, b, c / 100, d / 10, position(e)), n,
                     sex, v.age, weight_dag, rec_e, standing)
    del rec_e
    blank = rng.random(len(v)) < 0.03
    haz, waz, whz = (np.where(blank | (np.abs(z) > 6), np.nan, z) for z in (haz, waz, whz))
    # Naik Berat Badan from the previous weighing of the same child.
    same = np.r_[False, v.child[1:] == v.child[:-1]]
    prev_month = np.r_[-1, v.month[:-1]]
    prev_w = np.r_[0, weight_dag[:-1]] / 100
    prev_waz = np.r_[np.nan, waz[:-1]]
    gain = weight_dag / 100 - prev_w
    kbm = KBM[np.minimum(v.age // 30, len(KBM) - 1)]
    following = (gain > 0) & ~(waz < prev_waz - 0.05)
    naik = np.where(~same, 4, np.where(prev_month != v.month - 1, 3,
                                       np.where((gain >= kbm) | following, 1, 2))).astype(np.int8)
    # A child's first row in these exports is "B" only for a newborn; older children were
    # weighed before January 2024, so their status then follows the usual N/T mix.
    older_first = ~same & (v.age > 60)
    naik = np.where(older_first, np.where(rng.random(len(v)) < 0.65, 1, 2), naik).astype(np.int8)
    lila = np.where((v.age >= 183) & (rng.random(len(v)) < 0.15),
                    np.clip(np.rint(10 * (13.2 + 0.25 * v.age / 365.25 + 0.9 * g.whz
                                          + rng.normal(0, 0.3, len(v)))), 90, 210), 0).astype(np.int16)
    thin = (np.nan_to_num(whz, nan=0) < -2) | (np.nan_to_num(waz, nan=0) < -2)
    pmt = np.where(thin & (v.month >= 12) & (rng.random(len(v)) < 0.5),
                   rng.choice([10, 15, 20, 30], size=len(v)), 0).astype(np.int16)
    vita = (v.month % 12 == 1) | (v.month % 12 == 7)
    vita &= (v.age >= 183) & (rng.random(len(v)) < 0.85)
    kpsp = rng.choice(4, size=len(v), p=[0.2, 0.7, 0.08, 0.02]).astype(np.int8)
    return Measures(rec, standing, weight_dag, haz, waz, whz, naik, lila, pmt, vita, kpsp,
                    _usia_index(kids.birth[v.child], v.day).astype(np.int32))


# --- text of one file -------------------------------------------------------------------------


@dataclass
class KabText:
    """Per-kab/kota lookup arrays for the text columns."""

    kec: pa.Array
    desa: pa.Array
    pusk: pa.Array
    pos: dict[str, pa.Array]
    kec_keys: set[str]
    desa_keys_by_kec: list[set[str]]
    cache: dict = field(default_factory=dict)


def _key(s: str) -> str:
    return "".join(ch for ch in s.upper() if ch.isalnum())


def kab_text(kab: KabKota) -> KabText:
    pos_upper = np.array([p.upper() for p in kab.pos_nama], dtype=object)
    pos = {
        "upper": formats.from_objects(pos_upper),
        "prefixed": formats.from_objects(np.array(["POSYANDU " + p for p in pos_upper], dtype=object)),
        "title": formats.from_objects(np.array(list(kab.pos_nama), dtype=object)),
    }
    desa_keys = [set() for _ in kab.kec_kode]
    for d, k in zip(kab.desa_nama, kab.desa_kec):
        desa_keys[k].add(_key(d))
    return KabText(
        kec=formats.from_objects(np.array([k.upper() for k in kab.kec_nama], dtype=object)),
        desa=formats.from_objects(np.array([d.upper() for d in kab.desa_nama], dtype=object)),
        pusk=formats.from_objects(np.array([p.replace("Puskesmas ", "").upper() for p in kab.desa_puskesmas],
                                           dtype=object)),
        pos=pos, kec_keys={_key(k) for k in kab.kec_nama}, desa_keys_by_kec=desa_keys,
    )


def _z_text(z: np.ndarray, table: pa.Array) -> pa.Array:
    ok = ~np.isnan(z)
    return formats.take(table, np.where(ok, np.rint(np.nan_to_num(z) * 100) + 600, 0).astype(np.int64), ok)


def _cat(z: np.ndarray, cuts: list[float], labels: np.ndarray) -> pa.Array:
    ok = ~np.isnan(z)
    # side="right": a boundary value belongs to the upper class (-2.00 is Normal, not Pendek)
    idx = np.searchsorted(np.array(cuts), np.nan_to_num(z), side="right")
    return formats.take(formats.from_objects(labels), idx, ok)


def file_columns(plan: FilePlan, src: np.ndarray, kab: KabKota, kt: KabText, kids: cohort.Children,
                 persons: Persons, v: cohort.Visits, ms: Measures) -> dict[str, pa.Array]:
    """The clean text of every column for the output rows `src` (visit indices)."""
    st = plan.style
    dec = st.decimal
    child = v.child[src]
    desa = kids.desa[child]
    n = len(src)
    dates = formats.date_table(st.date_style)
    ztab = formats.zscore_table(dec)
    bb = persons.bb_lahir[child]
    grams = persons.bb_lahir_grams[child]
    bb_text = formats.take(formats.decimal_table(600, 2, dec, True), bb)
    bb_text = pc.if_else(pa.array(grams & (bb > 0)), formats.take(formats.int_table(6000), bb * 10), bb_text)
    bb_text = pc.if_else(pa.array(bb == 0), formats.constant("0", n), bb_text)
    tb = persons.tb_lahir[child]
    z_haz, z_waz, z_whz = ms.haz[src], ms.waz[src], ms.whz[src]
    cols = {
        "No": formats.take(formats.int_table(max(n + 1, 2)), np.arange(1, n + 1)),
        "NIK": pc.take(persons.nik_text, pa.array(child)),
        "Nama": pc.take(formats.from_objects(persons.name), pa.array(child)),
        "JK": formats.take(pa.array(["L", "P"]), kids.sex[child] - 1),
        "Tgl Lahir": formats.take(dates, kids.birth[child]),
        "BB Lahir": bb_text,
        "TB Lahir": formats.take(formats.decimal_table(700, 1, dec), tb, tb > 0),
        "Nama Ortu": pc.take(persons.ortu, pa.array(child)),
        "Prov": formats.constant("JAWA TIMUR", n),
        "Kab/Kota": formats.constant(kab.e_ppgbm_name, n),
        "Kec": pc.take(kt.kec, pa.array(kab.desa_kec[desa])),
        "Pukesmas": pc.take(kt.pusk, pa.array(desa)),
        "Desa/Kel": pc.take(kt.desa, pa.array(desa)),
        "Posyandu": pc.take(kt.pos[plan.pos_style], pa.array(kids.pos[child])),
        "RT": pc.take(persons.rt, pa.array(child)),
        "RW": pc.take(persons.rw, pa.array(child)),
        "Alamat": pc.take(persons.alamat, pa.array(child)),
        "Usia Saat Ukur": formats.take(USIA_TABLE, ms.usia[src]),
        "Tanggal Pengukuran": formats.take(dates, v.day[src]),
        "Berat": formats.take(formats.decimal_table(6000, 2, dec, True), ms.weight_dag[src]),
        "Tinggi": formats.take(formats.decimal_table(1600, 1, dec), ms.rec_mm[src]),
        "Cara Ukur": formats.take(pa.array(["Terlentang", "Berdiri"]), ms.standing[src].astype(np.int64)),
        "LiLA": formats.take(formats.decimal_table(300, 1, dec), ms.lila_mm[src], ms.lila_mm[src] > 0),
        "BB/U": _cat(z_waz, [-3, -2, 1.000001], CAT_BBU),
        "ZS BB/U": _z_text(z_waz, ztab),
        "TB/U": _cat(z_haz, [-3, -2, 3.000001], CAT_TBU),
        "ZS TB/U": _z_text(z_haz, ztab),
        "BB/TB": _cat(z_whz, [-3, -2, 1.000001, 2.000001, 3.000001], CAT_BBTB),
        "ZS BB/TB": _z_text(z_whz, ztab),
        "Naik Berat Badan": formats.take(pa.array(["", "N", "T", "O", "B"]), ms.naik[src], ms.naik[src] > 0),
        "PMT Diterima (kg)": formats.take(formats.decimal_table(100, 1, dec), ms.pmt_hg[src], ms.pmt_hg[src] > 0),
        "Jml Vit A": formats.take(formats.int_table(2), np.ones(n, np.int64), ms.vita[src]),
        "KPSP": formats.take(pa.array(["", "Sesuai", "Meragukan", "Penyimpangan"]), ms.kpsp[src], ms.kpsp[src] > 0),
        "KIA": pc.take(persons.kia, pa.array(child)),
    }
    return cols
