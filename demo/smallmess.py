"""Small mess for the PKK, SPM and intervention files: a few unresolvable names, a bad number,
a duplicate row, name variants that must still resolve; and the accounting for each file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo import mess


@dataclass
class RowMess:
    kind: str  # "" = clean
    outcome: str  # reason key / flag / parse
    column: str


def choose(rng: np.random.Generator, n_rows: int, rate: float, kinds: dict[str, tuple[str, float, str]]
           ) -> list[RowMess]:
    """One RowMess per row: about rate x n_rows corrupted, split over `kinds` by frequency."""
    out = [RowMess("", "", "")] * n_rows
    if rate <= 0 or n_rows == 0:
        return out
    n = int(rng.binomial(n_rows, rate))
    names = list(kinds)
    freq = np.array([kinds[k][1] for k in names], float)
    picked = rng.choice(n_rows, size=min(n, n_rows), replace=False)
    which = rng.choice(len(names), size=len(picked), p=freq / freq.sum())
    out = list(out)
    for r, w in zip(picked, which):
        k = names[w]
        out[r] = RowMess(k, kinds[k][0], kinds[k][2])
    return out


def key(s: str) -> str:
    return "".join(ch for ch in s.upper() if ch.isalnum())


def other_kecamatan(kec_keys: set[str], r: int) -> str:
    opts = [k for k in mess.OTHER_KECAMATAN if key(k) not in kec_keys]
    return opts[r % len(opts)]


def other_desa(desa_keys: set[str], r: int) -> str:
    opts = [d for d in mess.NOT_A_DESA if key(d) not in desa_keys]
    return opts[r % len(opts)]


def other_kabkota(r: int) -> str:
    return mess.OTHER_KABKOTA[r % len(mess.OTHER_KABKOTA)]


def accounting(kinds: list[RowMess]) -> dict:
    rejects: dict[str, int] = {}
    flags = 0
    for m in kinds:
        if m.outcome in mess.REJECT_REASONS:
            rejects[m.outcome] = rejects.get(m.outcome, 0) + 1
        elif m.outcome == "flag":
            flags += 1
    n_rej = sum(rejects.values())
    return {"rows_read": len(kinds), "rows_staged": len(kinds) - n_rej, "rows_rejected": n_rej,
            "rejects": dict(sorted(rejects.items())), "flagged": flags}
