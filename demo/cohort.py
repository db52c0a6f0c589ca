"""The cohort model behind the posyandu exports: children are born, come to their posyandu on
most hari buka, age through 0-59 months and age out; each follows their own growth trajectory.

Everything is numeric here (days, millimetres, decagrams); formatting lives in posyandu.py.
Days are counted from EPOCH. One call handles one kab/kota, whose children never move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from demo import lms
from demo.reference import KabKota

EPOCH = np.datetime64("2018-01-01", "D")
FIRST_MONTH = np.datetime64("2024-01", "M")
N_MONTHS = 24  # January 2024 .. December 2025
BIRTH_FROM = np.datetime64("2019-01-01", "D")  # the oldest child still under 60 months in Jan 2024
BIRTH_TO = np.datetime64("2025-12-31", "D")
MAX_AGE = lms.MAX_AGE_DAYS
BULAN_TIMBANG = (1, 7)  # February and August (0-based month of year)

# Knot values keep this distance from the -2 cut-off so that rounding a length to 0.1 cm can
# never move a child across it (0.05 cm is at most 0.027 SD, at birth).
STUNTED_MAX = -2.05
NORMAL_MIN = -1.95
STAY_STUNTED = 0.78  # share of children stunted one year who are still stunted the next


def day_of(d: np.datetime64) -> int:
    return int((np.datetime64(d, "D") - EPOCH).astype(int))


def month_start_day(m: int) -> int:
    return day_of((FIRST_MONTH + m).astype("datetime64[D]"))


def month_days(m: int) -> int:
    return month_start_day(m + 1) - month_start_day(m)


@dataclass
class Children:
    birth: np.ndarray  # day index
    sex: np.ndarray  # 1 / 2
    desa: np.ndarray  # index into the kab/kota's desa arrays
    pos: np.ndarray  # index into the kab/kota's posyandu arrays
    propensity: np.ndarray  # how reliably the family comes to the posyandu

    def __len__(self) -> int:
        return len(self.sex)


@dataclass
class Visits:
    """One row per measurement (child and month), sorted by child then date."""

    child: np.ndarray
    month: np.ndarray  # 0..23
    day: np.ndarray  # day index of the measurement
    age: np.ndarray  # days

    def __len__(self) -> int:
        return len(self.child)


@dataclass
class KabParams:
    participation: float  # D/S in an ordinary month
    participation_trend: float  # change per year
    whz_mean: float
    p2024: float  # target share stunted (0-1)
    p2025: float


def kab_params(rng: np.random.Generator, p2024: float, p2025: float) -> KabParams:
    return KabParams(
        participation=float(rng.uniform(0.62, 0.84)),
        participation_trend=float(rng.uniform(-0.02, 0.05)),
        # Thinner children where stunting is higher, without making wasting mirror stunting.
        whz_mean=float(-0.05 - 2.0 * (p2025 - 0.05) + rng.normal(0, 0.1)),
        p2024=p2024, p2025=p2025,
    )


def make_children(rng: np.random.Generator, kab: KabKota, balita_6_59: float) -> Children:
    """Births at the rate that fills the published balita count (54 monthly cohorts of 6-59
    months), slowly declining; each child belongs to one posyandu of one desa."""
    first, last = day_of(BIRTH_FROM), day_of(BIRTH_TO)
    days = np.arange(first, last + 1)
    per_day = balita_6_59 / 54 * 12 / 365.25
    years = (days - day_of(np.datetime64("2022-01-01"))) / 365.25
    rate = per_day * np.exp(-0.012 * years)
    n = int(rng.poisson(rate.sum()))
    birth = np.sort(rng.choice(days, size=n, p=rate / rate.sum()))
    sex = np.where(rng.random(n) < 0.512, 1, 2).astype(np.int8)
    desa = rng.choice(len(kab.desa_kode), size=n, p=kab.desa_weight).astype(np.int32)
    # Posyandu within the desa: uneven sizes, no posyandu left empty by design.
    pos_of_desa = [np.flatnonzero(kab.pos_desa == d) for d in range(len(kab.desa_kode))]
    u = rng.random(n)
    pos = np.empty(n, dtype=np.int32)
    for d, plist in enumerate(pos_of_desa):
        mask = desa == d
        if len(plist) == 1:
            pos[mask] = plist[0]
        else:
            w = np.cumsum(np.linspace(1.3, 0.7, len(plist)))
            pos[mask] = plist[np.searchsorted(w / w[-1], u[mask], side="right").clip(0, len(plist) - 1)]
    propensity = np.clip(rng.normal(1.0, 0.2, n), 0.35, 1.3)
    return Children(birth, sex, desa, pos, propensity)


def hari_buka(rng: np.random.Generator, n_posyandu: int) -> np.ndarray:
    """Day of month of each posyandu's service day, per month: a fixed week and weekday."""
    week = rng.integers(0, 4, n_posyandu)
    weekday = rng.integers(0, 6, n_posyandu)  # Monday .. Saturday
    out = np.empty((N_MONTHS, n_posyandu), dtype=np.int16)
    for m in range(N_MONTHS):
        start = (FIRST_MONTH + m).astype("datetime64[D]")
        first_wd = int((start.astype(int) + 3) % 7)  # 1970-01-01 was a Thursday (3)
        out[m] = 1 + (weekday - first_wd) % 7 + 7 * week
    return out


def participation(p: KabParams, m: int) -> float:
    base = p.participation + p.participation_trend * m / 12
    if m % 12 in BULAN_TIMBANG:
        base += 0.13  # bulan timbang: every balita should be weighed and measured
    if m == 5:
        base += 0.10  # June 2024: Intervensi Serentak Pencegahan Stunting
    return min(base, 0.97)


def schedule(rng: np.random.Generator, kids: Children, params: KabParams, buka: np.ndarray) -> Visits:
    """Who is measured when: on the posyandu's day, or now and then on another day of the
    month (sweeping, a home visit)."""
    parts = []
    for m in range(N_MONTHS):
        start, ndays = month_start_day(m), month_days(m)
        dom = buka[m][kids.pos].astype(np.int32)
        off = rng.random(len(kids)) < 0.08
        dom = np.where(off, rng.integers(1, ndays + 1, len(kids)), dom)
        day = start + dom - 1
        age = day - kids.birth
        age_months = age / 30.4375
        # Older children come less often; infants almost always.
        age_factor = np.where(age_months < 24, 1.0, 1.0 - 0.18 * (age_months - 24) / 36)
        p = np.clip(participation(params, m) * kids.propensity * age_factor, 0, 0.98)
        p = np.where(age_months < 2, np.maximum(p, 0.85), p)
        measured = (age >= 3) & (age <= MAX_AGE) & (rng.random(len(kids)) < p)
        idx = np.flatnonzero(measured)
        parts.append((idx, np.full(len(idx), m, np.int8), day[idx], age[idx]))
    child = np.concatenate([p[0] for p in parts]).astype(np.int32)
    month = np.concatenate([p[1] for p in parts])
    day = np.concatenate([p[2] for p in parts]).astype(np.int32)
    age = np.concatenate([p[3] for p in parts]).astype(np.int32)
    order = np.lexsort((day, child))
    return Visits(child[order], month[order], day[order], age[order])


# --- growth ---------------------------------------------------------------------------------


def _eq_mm(sex, age, z) -> np.ndarray:
    """Length on the lying scale in mm: standing height + 7 mm from 731 days, so that one
    number grows monotonically across the switch from length to height."""
    cm = lms.length_at(sex, age, z) + np.where(age >= lms.HEIGHT_SIDE_DAYS, 0.7, 0.0)
    return np.rint(cm * 10).astype(np.int32)


def _top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of a weighted sample of exactly k without replacement (Gumbel top-k)."""
    k = int(min(max(k, 0), len(weights)))
    if k == 0:
        return np.zeros(0, dtype=np.intp)
    keys = np.log(weights) + rng.gumbel(size=len(weights))
    return np.argpartition(-keys, k - 1)[:k]


def _stunted_level(rng, n) -> np.ndarray:
    """HAZ of a stunted child: most between -2 and -3, about a quarter below -3."""
    return np.clip(STUNTED_MAX - rng.exponential(0.65, n), -4.6, STUNTED_MAX)


def _normal_level(rng, n, mean: float) -> np.ndarray:
    """HAZ of a child who is not stunted: N(mean, 1) truncated to [-1.95, 3]."""
    lo, hi = ndtr(NORMAL_MIN - mean), ndtr(3.0 - mean)
    return mean + ndtri(lo + rng.random(n) * (hi - lo))


def _age_weight(age_days: np.ndarray) -> np.ndarray:
    """Relative chance of being stunted by age: low in early infancy, highest at 2-3 years."""
    mo = age_days / 30.4375
    return np.select([mo < 6, mo < 12, mo < 24, mo < 36], [0.45, 0.8, 1.1, 1.3], 1.1)


@dataclass
class Growth:
    eq_mm: np.ndarray  # length on the lying scale per visit
    whz: np.ndarray  # the child's weight-for-length z per visit (before rounding the weight)
    stunted_knot: np.ndarray  # per visit: 1/0 at the visit that decides the child's year, -1 else
    counted: dict[int, int]  # year -> children with a valid length in the year
    stunted: dict[int, int]  # year -> of those, stunted at their latest valid length
    shortfall: int  # children the 2025 quota could not place (0 unless the data are tiny)


def grow(rng: np.random.Generator, kids: Children, v: Visits, valid_haz: np.ndarray,
         kab: KabKota, params: KabParams) -> Growth:
    """Lengths and weight-for-length z for every visit.

    For each child and year the latest visit with a valid length (`valid_haz`: not rejected,
    not flagged, length present) is a knot. Exactly round(target x counted) of the year's knots
    are stunted (quota, weighted towards deprived desa and the ages stunting peaks at), so the
    prevalence computed like the marts do lands on the target. Between knots a child's HAZ
    moves linearly, with measurement noise, and length never decreases.
    """
    n = len(v)
    sex = kids.sex[v.child]
    year = (v.month >= 12).astype(np.int8)  # 0 = 2024, 1 = 2025
    key = v.child.astype(np.int64) * 2 + year
    pv = np.flatnonzero(valid_haz)
    last = np.r_[key[pv][1:] != key[pv][:-1], True]
    knot_rows = pv[last]  # one per (child, year) that is counted
    knot_child = v.child[knot_rows]
    knot_year = year[knot_rows]

    n_kids = len(kids)
    k24 = np.full(n_kids, -1, np.int64)
    k25 = np.full(n_kids, -1, np.int64)
    k24[knot_child[knot_year == 0]] = knot_rows[knot_year == 0]
    k25[knot_child[knot_year == 1]] = knot_rows[knot_year == 1]

    depriv = np.exp(0.45 * kab.desa_deprivation[kids.desa])
    mean_normal = -2.0 - float(ndtri(max(params.p2025, 1e-3)))
    a24 = np.full(n_kids, np.nan)
    a25 = np.full(n_kids, np.nan)
    s24 = np.zeros(n_kids, bool)
    s25 = np.zeros(n_kids, bool)

    # 2024: a quota among children counted in 2024.
    c24 = np.flatnonzero(k24 >= 0)
    q24 = round(params.p2024 * len(c24))
    pick = c24[_top_k(rng, depriv[c24] * _age_weight(v.age[k24[c24]]), q24)]
    s24[pick] = True
    a24[c24] = _normal_level(rng, len(c24), mean_normal)
    a24[pick] = _stunted_level(rng, len(pick))

    # 2025: persistence from 2024, new children at the year's rate, and new cases among the
    # rest only where the child's length can stay monotone (a fall in HAZ needs growth time).
    c25 = np.flatnonzero(k25 >= 0)
    q25 = round(params.p2025 * len(c25))
    # Rounding must not undo the direction of the targets (a small kota moves by a child or two).
    if len(c24) and len(c25) and params.p2025 != params.p2024:
        fell = params.p2025 < params.p2024
        while q25 > 0 and fell and q25 / len(c25) >= q24 / len(c24):
            q25 -= 1
        while q25 < len(c25) and not fell and q25 / len(c25) <= q24 / len(c24):
            q25 += 1
    both = c25[k24[c25] >= 0]
    new = c25[k24[c25] < 0]
    s_both, ns_both = both[s24[both]], both[~s24[both]]
    h24 = np.zeros(n_kids, np.int64)
    h24[both] = _eq_mm(kids.sex[both], v.age[k24[both]], a24[both])
    age25 = v.age[k25]  # valid where k25 >= 0
    t = lms.tables()["lhfa"]

    def bound(ch):  # lowest 2025 level keeping the knot length >= the 2024 knot length + 1 mm
        if len(ch) == 0:
            return np.zeros(0)
        ag = age25[ch]
        cm = (h24[ch] + 1) / 10 - np.where(ag >= lms.HEIGHT_SIDE_DAYS, 0.7, 0.0)
        return (cm / t.m[kids.sex[ch] - 1, ag] - 1) / t.s[kids.sex[ch] - 1, ag]

    feasible = ns_both[bound(ns_both) <= STUNTED_MAX - 0.05]
    # Two knots a few days apart (late December, early January) leave no room to stay below
    # the cut-off with a longer length; such children count as recovered.
    can_stay = s_both[bound(s_both) <= STUNTED_MAX]
    k_stay = round(STAY_STUNTED * len(can_stay))
    k_new = round(params.p2025 * 0.9 * len(new))
    k_trans = q25 - k_stay - k_new
    if k_trans < 0:  # fewer cases than persistence alone would give: more recover
        cut = min(-k_trans, k_stay - len(can_stay) // 2)
        k_stay -= max(cut, 0)
        k_trans = q25 - k_stay - k_new
        if k_trans < 0:
            k_new = max(0, k_new + k_trans)
            k_trans = q25 - k_stay - k_new
        if k_trans < 0:
            k_stay = max(0, k_stay + k_trans)
            k_trans = q25 - k_stay - k_new
    if k_trans > len(feasible):
        k_new = min(len(new), k_new + k_trans - len(feasible))
        k_trans = q25 - k_stay - k_new
        if k_trans > len(feasible):
            k_stay = min(len(can_stay), k_stay + k_trans - len(feasible))
            k_trans = q25 - k_stay - k_new
    shortfall = max(0, k_trans - len(feasible))
    k_trans = min(max(k_trans, 0), len(feasible))

    def weight(ch):
        return depriv[ch] * _age_weight(age25[ch])

    stay = can_stay[_top_k(rng, weight(can_stay), k_stay)]
    new_s = new[_top_k(rng, weight(new), k_new)]
    trans = feasible[_top_k(rng, weight(feasible), k_trans)]
    s25[stay] = s25[new_s] = s25[trans] = True

    # Levels for 2025.
    a25[new] = _normal_level(rng, len(new), mean_normal)
    a25[new_s] = _stunted_level(rng, len(new_s))
    a25[both] = np.clip(a24[both] + rng.normal(0, 0.2, len(both)), NORMAL_MIN, 3.0)
    recovered = s_both[~s25[s_both]]
    a25[recovered] = rng.uniform(NORMAL_MIN, -1.1, len(recovered))
    a25[stay] = np.clip(a24[stay] + rng.normal(0, 0.15, len(stay)), -4.6, STUNTED_MAX)
    b_tr = bound(trans)
    a25[trans] = np.maximum(b_tr, rng.uniform(-2.9, STUNTED_MAX, len(trans)))
    a25[trans] = np.minimum(a25[trans], STUNTED_MAX)
    # Never below the monotone bound (a child cannot shrink into a lower z).
    b_both = bound(both)
    a25[both] = np.maximum(a25[both], b_both)
    wrong = both[(s25[both] & (a25[both] > STUNTED_MAX)) | (~s25[both] & (a25[both] < NORMAL_MIN))]
    if len(wrong):  # cannot happen by construction; keep the quota honest if it ever does
        raise AssertionError(f"{kab.kode}: {len(wrong)} children with infeasible 2025 levels")

    # Children never counted (every visit invalid) still need a level.
    loose = np.flatnonzero((k24 < 0) & (k25 < 0))
    a_loose = _normal_level(rng, len(loose), mean_normal)
    stunted_loose = rng.random(len(loose)) < params.p2025
    a_loose[stunted_loose] = _stunted_level(rng, int(stunted_loose.sum()))
    a24[loose] = a_loose
    a24[c25[k24[c25] < 0]] = a25[c25[k24[c25] < 0]]  # first counted in 2025: one level
    a25[np.flatnonzero(k25 < 0)] = a24[np.flatnonzero(k25 < 0)]

    # Latent HAZ per visit: a24 up to the 2024 knot, a25 from the 2025 knot, linear between.
    t24 = np.where(k24 >= 0, v.day[np.maximum(k24, 0)], np.iinfo(np.int32).min)[v.child]
    t25 = np.where(k25 >= 0, v.day[np.maximum(k25, 0)], np.iinfo(np.int32).max)[v.child]
    has_both = (t24 > np.iinfo(np.int32).min) & (t25 < np.iinfo(np.int32).max)
    frac = np.where(has_both, (v.day - t24) / np.maximum(t25 - t24, 1), 0.0)
    frac = np.clip(frac, 0.0, 1.0)
    lvl24, lvl25 = a24[v.child], a25[v.child]
    z = np.where(has_both, lvl24 + frac * (lvl25 - lvl24), np.where(year == 0, lvl24, lvl25))
    is_knot = np.zeros(n, bool)
    is_knot[knot_rows] = True
    z = np.where(is_knot, z, z + np.clip(rng.normal(0, 0.12, n), -0.3, 0.3))
    eq = _eq_mm(sex, v.age, z)

    # Monotone length with the knots fixed: cap each visit by the next knot, then carry the
    # running maximum forward (visits are sorted by child, then date).
    big = np.int64(1 << 20)
    offset = v.child.astype(np.int64) * big
    cap = np.where(is_knot, eq, big - 1).astype(np.int64)
    # Reversed, children run downwards, so adding child * big resets the running minimum at
    # each child boundary; forwards, the same offset resets the running maximum.
    rev = (cap + offset)[::-1]
    cap = (np.minimum.accumulate(rev) - offset[::-1])[::-1]
    eq = np.minimum(eq, cap)
    eq = (np.maximum.accumulate(eq.astype(np.int64) + offset) - offset).astype(np.int32)

    stunted_knot = np.full(n, -1, np.int8)
    stunted_knot[k24[c24]] = s24[c24]
    stunted_knot[k25[c25]] = s25[c25]

    # Weight-for-length: the child's own level plus a slowly wandering monthly deviation.
    ever = s24 | s25
    w_level = rng.normal(params.whz_mean, 0.8, n_kids) - 0.35 * ever
    dev = np.empty((N_MONTHS, n_kids))
    dev[0] = rng.normal(0, 0.3, n_kids)
    for m in range(1, N_MONTHS):  # AR(1): stationary sd 0.3, a month-to-month step of about 0.2
        dev[m] = 0.8 * dev[m - 1] + rng.normal(0, 0.18, n_kids)
    whz = np.clip(w_level[v.child] + dev[v.month, v.child], -4.0, 4.0)

    counted = {2024: len(c24), 2025: len(c25)}
    stunted = {2024: int(s24[c24].sum()), 2025: int(s25[c25].sum())}
    return Growth(eq, whz, stunted_knot, counted, stunted, shortfall)
