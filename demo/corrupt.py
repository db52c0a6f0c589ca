"""The written form of each kind of mess in a posyandu file, and the manifest line for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from demo import formats, mess
from demo.formats import Style
from demo.reference import AMBIGUOUS_BARE, KabKota


@dataclass(frozen=True)
class Change:
    """One corrupted output row: which cells get which text."""

    cells: dict[str, str | None]
    column: str  # as recorded in the manifest (the cell that decides the outcome)


def _pick(options: list, r: int):
    return options[r % len(options)]


def _title(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" "))


def _date(day: int, style: Style) -> str:
    return formats.fmt_date(day, style.date_style)


def _invalid_date(day: int, style: Style, r: int) -> str | None:
    """Blank, a placeholder, or a day that does not exist (30 February)."""
    year = (formats.EPOCH + dt.timedelta(days=int(day))).year
    bad = {"iso": f"{year}-02-30", "dmy_slash": f"30/02/{year}", "dmy_dash": f"31-02-{year}"}[style.date_style]
    return _pick([None, "-", "00-00-0000", bad, bad], r)


def _other_date_text(day: int, style: Style, r: int) -> str:
    others = [s for s in formats.DATE_STYLES if s != style.date_style]
    choice = _pick(others + ["serial"], r)
    if choice == "serial":
        return str(formats.excel_serial(day))
    return formats.fmt_date(day, choice)


def _kabkota_variants(kab: KabKota) -> list[str]:
    b = kab.bare
    if kab.jenis == "Kabupaten":
        out = [f"Kabupaten {_title(b)}", f"Kab {_title(b)}", f"KAB {b}", f"kab. {b.lower()}",
               f"KABUPATEN  {b}", f" Kab. {_title(b)} "]
    else:
        out = [f"Kota {_title(b)}", f"kota {b.lower()}", f"KOTA  {b}", f"Kota {_title(b)} ", f"KOTAMADYA {b}"]
    if b not in AMBIGUOUS_BARE:
        out += [b, _title(b)]
    return out


def _decimal_garbage(text: str, r: int, unit: str) -> str:
    sep = "," if "," in text else "."
    whole, _, frac = text.partition(sep)
    frac = frac or "0"
    return _pick([f"{whole}{sep}{sep}{frac}", f"{text} {unit}", f"{whole}{sep}{frac}{sep}5",
                  text.replace("0", "O", 1) if "0" in text else f"{text}a"], r)


def change_for(kind: str, r: int, vi: int, cells: dict[str, str | None], plan_style: Style,
               extraction_day: int | None, kab: KabKota, kec_keys: set[str],
               desa_names_other: list[str], desa_keys: set[str], ctx: dict) -> Change:
    """The cells to overwrite for one visit `vi` whose clean text is `cells`."""
    v, kids, ms = ctx["visits"], ctx["kids"], ctx["measures"]
    st = plan_style
    day, birth = int(v.day[vi]), int(kids.birth[v.child[vi]])
    desa = int(kids.desa[v.child[vi]])
    kec_upper = cells["Kec"] or ""
    desa_upper = cells["Desa/Kel"] or ""
    if kind == "kabkota_variant":
        return Change({"Kab/Kota": _pick(_kabkota_variants(kab), r)}, "Kab/Kota")
    if kind == "kecamatan_variant":
        t = _title(kec_upper)
        return Change({"Kec": _pick([f"Kec. {t}", f"KECAMATAN {kec_upper}", kec_upper.lower(),
                                     f"KEC {kec_upper}", t, f"KEC.  {kec_upper}"], r)}, "Kec")
    if kind == "desa_variant":
        t = _title(desa_upper)
        if kab.desa_jenis[desa] == "Kelurahan":
            opts = [f"KEL. {desa_upper}", f"KELURAHAN {desa_upper}", f"Kel. {t}", desa_upper.lower(), t]
        else:
            opts = [f"DESA {desa_upper}", f"Desa {t}", f"DS. {desa_upper}", desa_upper.lower(), t]
        return Change({"Desa/Kel": _pick(opts, r)}, "Desa/Kel")
    if kind == "posyandu_variant":
        base = kab.pos_nama[kids.pos[v.child[vi]]]
        opts = [f"POSYANDU {base.upper()}", base.upper(), f"Posyandu {base}", base.lower(),
                f"posyandu  {base.lower()}", base.upper().replace(" ", "  ")]
        cur = cells["Posyandu"]
        opts = [o for o in opts if o != cur]
        return Change({"Posyandu": _pick(opts, r)}, "Posyandu")
    if kind == "jk_variant":
        opts = (["Laki-laki", "LAKI-LAKI", "l", "1"] if cells["JK"] == "L"
                else ["Perempuan", "PEREMPUAN", "p", "2"])
        return Change({"JK": _pick(opts, r)}, "JK")
    if kind == "date_variant":
        col = _pick(["Tgl Lahir", "Tanggal Pengukuran"], r)
        d = birth if col == "Tgl Lahir" else day
        return Change({col: _other_date_text(d, st, r // 2)}, col)
    if kind == "cara_ukur_variant":
        opts = (["BERDIRI", "berdiri", "berdiri "] if ms.standing[vi]
                else ["Telentang", "TERLENTANG", "terlentang"])
        return Change({"Cara Ukur": _pick(opts, r)}, "Cara Ukur")
    if kind == "missing_cara_ukur":
        return Change({"Cara Ukur": None}, "Cara Ukur")
    if kind == "missing_berat":
        return Change({"Berat": None}, "Berat")
    if kind == "missing_tinggi":
        return Change({"Tinggi": None}, "Tinggi")
    if kind == "lying_after_24m":  # length taken lying: the lying-scale value, 0.7 cm more
        mm = int(ctx["growth"].eq_mm[vi])
        return Change({"Cara Ukur": "Terlentang",
                       "Tinggi": formats.fmt_decimal(mm, 1, st.decimal)}, "Cara Ukur")
    if kind == "standing_before_24m":
        mm = int(ctx["growth"].eq_mm[vi]) - 7
        return Change({"Cara Ukur": "Berdiri",
                       "Tinggi": formats.fmt_decimal(mm, 1, st.decimal)}, "Cara Ukur")
    if kind == "height_mm":
        return Change({"Tinggi": str(int(ms.rec_mm[vi]))}, "Tinggi")
    if kind == "weight_grams":
        return Change({"Berat": str(int(ms.weight_dag[vi]) * 10)}, "Berat")
    if kind == "sex":
        return Change({"JK": _pick([None, "-", "X", "?"], r)}, "JK")
    if kind == "birth_date":
        return Change({"Tgl Lahir": _invalid_date(birth, st, r)}, "Tgl Lahir")
    if kind == "measurement_date":
        return Change({"Tanggal Pengukuran": _invalid_date(day, st, r)}, "Tanggal Pengukuran")
    if kind == "date_order":  # born after the measurement
        return Change({"Tgl Lahir": _date(day + 1 + r % 120, st)}, "Tgl Lahir")
    if kind == "age_range":  # over 1856 days old
        return Change({"Tgl Lahir": _date(day - 1857 - r % 600, st)}, "Tgl Lahir")
    if kind == "future_date":
        assert extraction_day is not None
        return Change({"Tanggal Pengukuran": _date(extraction_day + 3 + r % 38, st)}, "Tanggal Pengukuran")
    if kind == "kabkota":
        if kab.bare in AMBIGUOUS_BARE and r % 5 < 3:
            return Change({"Kab/Kota": _pick([kab.bare, _title(kab.bare)], r // 5)}, "Kab/Kota")
        return Change({"Kab/Kota": _pick(list(mess.OTHER_KABKOTA), r // 5)}, "Kab/Kota")
    if kind == "kecamatan":
        opts = [k for k in mess.OTHER_KECAMATAN if _key(k) not in kec_keys]
        return Change({"Kec": _pick(opts, r)}, "Kec")
    if kind == "desa":
        opts = [d for d in list(mess.NOT_A_DESA) + desa_names_other if _key(d) not in desa_keys]
        return Change({"Desa/Kel": _pick(opts, r).upper()}, "Desa/Kel")
    if kind == "no_measurement":
        return Change({"Berat": None, "Tinggi": None}, "Berat")
    if kind == "bad_number":
        col = _pick(["Berat", "Tinggi"], r)
        garbage = _decimal_garbage(cells[col] or "1", r // 2, "kg" if col == "Berat" else "cm")
        return Change({col: garbage}, col)
    raise ValueError(kind)


def _key(s: str) -> str:
    return "".join(ch for ch in s.upper() if ch.isalnum())


def apply(changes: list[tuple[int, Change]], cols: dict[str, pa.Array]) -> None:
    """Write the changes into the column arrays (in place in the dict)."""
    by_col: dict[str, tuple[list[int], list[str | None]]] = {}
    for row, ch in changes:
        for c, val in ch.cells.items():
            rows, vals = by_col.setdefault(c, ([], []))
            rows.append(row)
            vals.append(val)
    for c, (rows, vals) in by_col.items():
        if c in cols:
            cols[c] = formats.patch(cols[c], np.array(rows), vals)


