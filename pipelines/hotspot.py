"""Spatial clustering of a value over kecamatan, with PySAL (esda on libpysal weights): the
global Moran's I, local Moran (LISA) clusters and Getis-Ord Gi* for one period (decision D29;
the mart model is pipelines/sql/marts/stunting/70_mart_hotspot.py).

- Weights: binary links of geo.weights.PeriodWeights (queen contiguity among the period's units,
  k-nearest links for units without a neighbour); Moran's I and the LISA use them
  row-standardised, Gi* binary with the unit itself included (star).
- Global Moran's I (esda.Moran): I, E[I] = -1/(n-1), z and two-sided p under normality, and the
  permutation z and pseudo p-value (`permutations` random permutations of the values; the
  pseudo p is one-sided in the direction of the observed I: (min(#sim >= I, #sim < I) + 1) /
  (permutations + 1)).
- LISA (esda.Moran_Local): I_i = (n - 1) z_i sum_j w_ij z_j / sum_j z_j^2; quadrant HH, LH, LL, HL
  from the signs of z_i and its spatial lag; pseudo p-value by conditional permutation (the
  unit's own value fixed, its neighbours drawn from the other units), one-sided in the
  observed direction as above. Multiple testing: Benjamini-Hochberg over the period's local
  p-values (`p_lisa_fdr`, the adjusted p-values); a unit is in a cluster when its adjusted
  p-value is <= alpha, else 'ns'.
- Gi* (esda.G_Local, star, binary weights): the Getis-Ord z-score (its analytical moments; with
  binary weights esda's z is the Ord & Getis 1995 z, with row-standardised weights it is not)
  and its two-sided normal p-value, also BH-adjusted; undefined (NULL) for a unit whose
  neighbourhood holds every unit of the period. Its permutation p-value is not kept: drawn
  with the same seed it equals the LISA's (both order the same permuted neighbour sums).
- Seeds: every period is computed with the same fixed seed, so a period's result depends on its
  values only (an incremental build equals a full one). esda draws from NumPy's global
  generator, which is saved and restored around each call. Without numba (not a dependency)
  esda runs its permutations in NumPy; with numba installed it draws from numba's generator and
  the pseudo p-values differ in the third decimal.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from geo.weights import PeriodWeights
from pipelines.config import Hotspot

QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}  # esda's (PySAL) numbering
CLUSTERS = ("HH", "LL", "HL", "LH", "ns")
DECIMALS = 4  # the rates (percent) are analysed at 1e-4 percentage points (the model rounds)


def bh_adjust(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values: p_(i) m / i, made monotone from the largest down,
    at most 1 (a unit is significant at FDR q when its adjusted p-value is <= q)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    # never below the raw p-value (p * m / m can round to one ulp less)
    out[order] = np.clip(adjusted, p[order], 1.0)
    return out


@contextmanager
def _numpy_seed(seed: int) -> Iterator[None]:
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def cluster_ids(codes: Sequence[str], classes: Sequence[str],
                neighbours: Mapping[str, Sequence[str]]) -> list[int | None]:
    """Number the clusters: neighbouring units of the same class (not 'ns') are one cluster;
    clusters are numbered 1, 2, ... in the order of their first code. None for 'ns'."""
    cls = dict(zip(codes, classes))
    parent = {c: c for c in codes}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for c in codes:
        if cls[c] == "ns":
            continue
        for n in neighbours.get(c, ()):
            if n in cls and cls[n] == cls[c]:
                a, b = root(c), root(n)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    numbers: dict[str, int] = {}
    out: list[int | None] = []
    for c in sorted(codes):
        if cls[c] != "ns" and root(c) not in numbers:
            numbers[root(c)] = len(numbers) + 1
    for c in codes:
        out.append(None if cls[c] == "ns" else numbers[root(c)])
    return out


def analyse(weights: PeriodWeights, values: Mapping[str, float], settings: Hotspot
            ) -> tuple[dict[str, np.ndarray | list], dict[str, Any]]:
    """One period: the local columns (arrays in the order of weights.codes) and the global
    statistics. `values` holds a value for every code of `weights`."""
    import esda  # imported here: it takes seconds, and only this step needs it

    y = np.array([values[c] for c in weights.codes], dtype=float)
    w = weights.w()
    w.transform = "r"
    perms = settings.permutations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's notices (alternative=, islands, sparsity)
        with _numpy_seed(settings.seed):
            moran = esda.Moran(y, w, transformation="r", permutations=perms)
        with _numpy_seed(settings.seed):
            lisa = esda.Moran_Local(y, w, transformation="r", permutations=perms,
                                    seed=settings.seed, n_jobs=1, keep_simulations=True)
        wb = weights.w()  # a fresh W: esda changes the sparse matrix it is given
        with _numpy_seed(settings.seed):
            gi = esda.G_Local(y, wb, transform="B", permutations=0, star=True, n_jobs=1)
    from scipy.special import ndtr

    quadrant = [QUADRANTS[int(q)] for q in lisa.q]
    p_lisa = np.asarray(lisa.p_sim, dtype=float)
    p_fdr = bh_adjust(p_lisa)
    signif = p_fdr <= settings.alpha
    cluster = [q if s else "ns" for q, s in zip(quadrant, signif)]
    gi_z = np.asarray(gi.Zs, dtype=float)
    gi_z[~np.isfinite(gi_z)] = np.nan  # a neighbourhood holding every unit has no variance
    gi_p = 2 * ndtr(-np.abs(gi_z))
    gi_p_fdr = np.full(len(gi_p), np.nan)
    defined = np.isfinite(gi_p)
    gi_p_fdr[defined] = bh_adjust(gi_p[defined])
    local = {
        "kode": list(weights.codes),
        "n_neighbours": [len(weights.neighbours[c]) for c in weights.codes],
        "n_knn": [len(weights.knn_links.get(c, ())) for c in weights.codes],
        "lisa_i": np.asarray(lisa.Is, dtype=float),
        "quadrant": quadrant,
        "p_lisa": p_lisa,
        "p_lisa_fdr": p_fdr,
        "signif_fdr": signif,
        "cluster": cluster,
        "cluster_id": cluster_ids(weights.codes, cluster, weights.neighbours),
        "gi_z": gi_z,
        "gi_p": gi_p,
        "gi_p_fdr": gi_p_fdr,
    }
    overall = {
        "n_units": len(y),
        "n_links": weights.n_links,
        "n_knn_units": sum(1 for c in weights.codes if c in weights.knn_links),
        "n_components": weights.n_components,
        "moran_i": float(moran.I),
        "expected_i": float(moran.EI),
        "z_norm": float(moran.z_norm),
        "p_norm": float(moran.p_norm),
        "z_sim": float(moran.z_sim),
        "p_sim": float(moran.p_sim),
        "n_signif_raw": int((p_lisa <= settings.alpha).sum()),
        **{f"n_{c.lower()}": cluster.count(c) for c in CLUSTERS},
    }
    return local, overall


def border_groups(codes: Sequence[str], ids: Sequence[int | None],
                  neighbours: Mapping[str, Sequence[str]], group_of: Mapping[str, str]
                  ) -> list[str | None]:
    """For each unit in a cluster: the other groups (kab/kota) holding a neighbour in the same
    cluster, comma-separated and sorted; None when there is none."""
    cid = dict(zip(codes, ids))
    out: list[str | None] = []
    for c in codes:
        own = cid[c]
        found = sorted({group_of[n] for n in neighbours.get(c, ())
                        if own is not None and cid.get(n) == own and group_of[n] != group_of[c]})
        out.append(",".join(found) or None)
    return out
