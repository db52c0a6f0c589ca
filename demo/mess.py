"""Real-world mess for the posyandu exports: which rows are corrupted, how, and what the pipeline
must do with each (docs/contracts.md 1.1; reject keys from pipelines/sql/staging).

Every corrupted row gets exactly one kind, so the first reject reason that applies is the one
the kind names. Outcomes: a reject reason key, "flag" (staged with a WHO flag), "adjust"
(staged after the 0.7 cm rule) or "parse" (a variant that must still load as if clean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# kind -> (expected outcome, relative frequency, column touched)
KINDS: dict[str, tuple[str, float, str]] = {
    "kabkota_variant": ("parse", 9, "Kab/Kota"),
    "kecamatan_variant": ("parse", 7, "Kec"),
    "desa_variant": ("parse", 7, "Desa/Kel"),
    "posyandu_variant": ("parse", 4, "Posyandu"),
    "jk_variant": ("parse", 4, "JK"),
    "date_variant": ("parse", 5, "Tgl Lahir"),
    "cara_ukur_variant": ("parse", 3, "Cara Ukur"),
    "missing_cara_ukur": ("parse", 3, "Cara Ukur"),
    "missing_berat": ("parse", 3, "Berat"),
    "missing_tinggi": ("parse", 3, "Tinggi"),
    "lying_after_24m": ("adjust", 6, "Cara Ukur"),
    "standing_before_24m": ("adjust", 3, "Cara Ukur"),
    "height_mm": ("flag", 3, "Tinggi"),
    "weight_grams": ("flag", 3, "Berat"),
    "sex": ("sex", 3, "JK"),
    "birth_date": ("birth_date", 3, "Tgl Lahir"),
    "measurement_date": ("measurement_date", 3, "Tanggal Pengukuran"),
    "date_order": ("date_order", 2, "Tgl Lahir"),
    "age_range": ("age_range", 2, "Tgl Lahir"),
    "future_date": ("future_date", 2, "Tanggal Pengukuran"),
    "kabkota": ("kabkota", 4, "Kab/Kota"),
    "kecamatan": ("kecamatan", 4, "Kec"),
    "desa": ("desa", 4, "Desa/Kel"),
    "no_measurement": ("no_measurement", 3, "Berat"),
    "bad_number": ("bad_number", 3, "Berat"),
    # rows added, not changed
    "duplicate_in_file": ("duplicate", 0, "NIK"),
    "reexport": ("duplicate", 0, "NIK"),
}
KIND_NAMES = list(KINDS)
KIND_CODE = {k: i + 1 for i, k in enumerate(KIND_NAMES)}  # 0 = clean
REJECT_REASONS = ("sex", "birth_date", "measurement_date", "date_order", "age_range", "future_date",
                  "kabkota", "kecamatan", "desa", "no_measurement", "bad_number", "duplicate")  # fmt: skip
SHARE_REEXPORT = 0.20  # of the mess budget: rows repeated from the previous month's file
SHARE_DUPLICATE = 0.08  # rows entered twice in the same file

# Names that resolve nowhere in Jawa Timur (other provinces), for the wilayah rejects.
OTHER_KABKOTA = ("KAB. BANDUNG", "KOTA SEMARANG", "KAB. SLEMAN", "KAB. BADUNG", "KOTA DENPASAR",
                 "KAB. BREBES", "KAB. CILACAP", "KOTA BEKASI", "KAB. BOGOR", "KAB. LOMBOK TIMUR")  # fmt: skip
OTHER_KECAMATAN = ("CIBEUNYING KIDUL", "SUKAJADI", "CICENDO", "BOJONGLOA KALER", "LEMBANG",
                   "KUTA SELATAN", "DENPASAR BARAT", "GAMPING", "NGAGLIK", "CILANDAK",
                   "KEBAYORAN LAMA", "CIBINONG", "CILEUNGSI", "BANYUMANIK", "TEMBALANG",
                   "GONDOKUSUMAN", "SEWON", "BANGUNTAPAN")  # fmt: skip
NOT_A_DESA = ("DUSUN KRAJAN", "DSN. KRAJAN LOR", "PERUM GRIYA ASRI", "DUSUN BARAT", "RW 05")


def kind_names(codes: np.ndarray) -> np.ndarray:
    names = np.array([""] + KIND_NAMES, dtype=object)
    return names[codes]


def outcome(kind: str) -> str:
    return KINDS[kind][0]


def is_reject(kind: str) -> bool:
    return outcome(kind) in REJECT_REASONS


def breaks_haz(codes: np.ndarray) -> np.ndarray:
    """Rows whose length cannot count for prevalence: rejected, flagged length, or no length."""
    bad = {k for k in KIND_NAMES if is_reject(k)} | {"height_mm", "missing_tinggi"}
    table = np.zeros(len(KIND_NAMES) + 1, bool)
    for k in bad:
        table[KIND_CODE[k]] = True
    return table[codes]


@dataclass
class MessPlan:
    kind: np.ndarray  # per visit: kind code (0 = clean)
    variant: np.ndarray  # per visit: a random number choosing among the kind's variants
    duplicate_of: np.ndarray  # visits entered twice in their file
    reexport: dict[int, np.ndarray]  # month -> visits of the previous month repeated in its file


def plan_mess(rng: np.random.Generator, n_visits: int, month: np.ndarray, age: np.ndarray,
              has_extraction: np.ndarray, rate: float) -> MessPlan:
    """Choose corrupted rows: `rate` of all rows, split over the kinds by frequency; copies
    (in-file duplicates, re-exports) come from rows that are otherwise clean."""
    kind = np.zeros(n_visits, np.int16)
    variant = rng.integers(0, 1 << 30, n_visits)
    empty = MessPlan(kind, variant, np.zeros(0, np.int64), {})
    if rate <= 0 or n_visits == 0:
        return empty
    budget = round(rate * n_visits)
    n_change = round(budget * (1 - SHARE_REEXPORT - SHARE_DUPLICATE))
    kinds = [k for k in KIND_NAMES if KINDS[k][1] > 0]
    freq = np.array([KINDS[k][1] for k in kinds], float)
    counts = rng.multinomial(n_change, freq / freq.sum())
    order = rng.permutation(n_visits)
    free = np.ones(n_visits, bool)
    eligible = {
        "lying_after_24m": age >= 731,
        "standing_before_24m": (age >= 274) & (age <= 730),
        # moved past the file's extraction date (at most 81 days later) within the WHO range
        "future_date": has_extraction[month] & (age <= 1856 - 85),
    }
    for k, c in zip(kinds, counts):
        ok = free[order]
        if k in eligible:
            ok &= eligible[k][order]
        rows = order[ok][:c]
        kind[rows] = KIND_CODE[k]
        free[rows] = False
    n_dup = round(budget * SHARE_DUPLICATE)
    clean_rows = order[free[order]]
    duplicate_of = np.sort(clean_rows[:n_dup])
    free[duplicate_of] = False
    # Re-exports: a few files repeat part of the previous month's file.
    reexport: dict[int, np.ndarray] = {}
    left = round(budget * SHARE_REEXPORT)
    months = rng.permutation(np.arange(1, 24))
    for m in months:
        if left <= 0:
            break
        prev = np.flatnonzero((month == m - 1) & free)
        if len(prev) == 0:
            continue
        take = min(left, max(1, int(len(prev) * rng.uniform(0.05, 0.3))))
        reexport[int(m)] = np.sort(rng.choice(prev, size=take, replace=False))
        left -= take
    return MessPlan(kind, variant, duplicate_of, reexport)
