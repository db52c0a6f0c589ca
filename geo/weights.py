"""Spatial weights between kecamatan for the hotspot marts (decision D29).

- **Contiguity**: queen contiguity (two kecamatan are neighbours when their boundaries share at
  least a point) from the kecamatan boundary file, by libpysal. The committed file is one
  coverage (neighbours share their border vertices exactly, geo/derive.py), so queen contiguity
  equals "the polygons touch".
- **Per period**: the weights are rebuilt on the units analysed in that period (a suppressed or
  missing kecamatan is left out, with its links).
- **Islands** (the fallback): a unit without a contiguity neighbour among the period's units is
  linked to its `k` nearest units (distance between centroids), in both directions (as
  libpysal's `attach_islands`). On the full boundary file these are the one-kecamatan islands
  Talango, Giliginting, Ra'as, Masalembu and Sapeken (Sumenep); in a period also a unit whose
  neighbours were all left out. Every unit then has at least one neighbour. Islands of several
  kecamatan keep their contiguity and stay parts of their own (Madura, 63 kecamatan; Bawean:
  Sangkapura-Tambak; Sapudi: Gayam-Nonggunong; Kangean: Arjasa-Kangayan).

Only the boundary file is read here (through geo.boundaries, imported when needed: geopandas
takes a second to import); the heavy libraries are imported by the functions that use them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipelines.config import Config

if TYPE_CHECKING:
    from libpysal.weights import W

DATA_DIR = Path(__file__).resolve().parent / "data"
KECAMATAN_FILE = DATA_DIR / "jatim_kecamatan.geojson.gz"
KM_PER_DEGREE = 111.32  # along a meridian and (times cos(latitude)) along a parallel


def boundary_file(config: Config) -> Path | None:
    """The kecamatan boundary file: `paths.boundaries_kecamatan`, the committed file when the
    config has no such key, None when the key is "" or names a missing file. The rule of
    geo.boundaries.boundary_path, without importing geopandas (the build fingerprints it)."""
    value = config.paths.boundaries_kecamatan
    path = KECAMATAN_FILE if value is None else config.resolve(value)
    return path if path is not None and path.is_file() else None


def file_digest(path: Path | None) -> str:
    return "" if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Contiguity:
    """Queen neighbours of every unit and a point per unit (km, for distances)."""

    codes: tuple[str, ...]
    neighbours: Mapping[str, frozenset[str]]
    xy: Mapping[str, tuple[float, float]]


def from_neighbours(neighbours: Mapping[str, Iterable[str]],
                    xy: Mapping[str, tuple[float, float]] | None = None) -> Contiguity:
    """A Contiguity from a neighbour list (made symmetric), e.g. a lattice in the tests."""
    sym: dict[str, set[str]] = {c: set() for c in neighbours}
    for c, ns in neighbours.items():
        for n in ns:
            if n != c:
                sym[c].add(n)
                sym.setdefault(n, set()).add(c)
    codes = tuple(sorted(sym))
    xy = dict(xy) if xy is not None else {c: (float(i), 0.0) for i, c in enumerate(codes)}
    return Contiguity(codes, {c: frozenset(v) for c, v in sym.items()}, xy)


@lru_cache(maxsize=4)
def _contiguity_cached(path: str, mtime_ns: int, size: int) -> Contiguity:
    import warnings

    from libpysal.weights import Queen

    from geo.boundaries import read_boundaries

    gdf, _ = read_boundaries(Path(path), "kecamatan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about the islands, handled below
        queen = Queen.from_dataframe(gdf, ids=gdf["kode"].tolist(), use_index=False,
                                     silence_warnings=True)
        centroids = gdf.geometry.centroid  # in degrees: only compared with each other
    lat0 = math.radians(float(centroids.y.mean()))
    xy = {k: (float(x) * KM_PER_DEGREE * math.cos(lat0), float(y) * KM_PER_DEGREE)
          for k, x, y in zip(gdf["kode"], centroids.x, centroids.y)}
    neighbours = {k: frozenset(v) for k, v in queen.neighbors.items()}
    return Contiguity(tuple(gdf["kode"]), neighbours, xy)


def kecamatan_contiguity(path: Path) -> Contiguity:
    """Queen contiguity of the kecamatan of a boundary file (cached per file version)."""
    st = path.stat()
    return _contiguity_cached(str(path.resolve()), st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class PeriodWeights:
    """The links of one period's analysis: contiguity among the units analysed, plus the
    nearest-neighbour links of the fallback (symmetric, binary)."""

    codes: tuple[str, ...]
    neighbours: Mapping[str, tuple[str, ...]]
    knn_links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # added by the fallback
    n_components: int = 1  # connected parts after the fallback

    @property
    def n_links(self) -> int:
        """Directed links (each neighbour pair counts twice)."""
        return sum(len(v) for v in self.neighbours.values())

    def w(self) -> W:
        """A binary libpysal W in the order of `codes`."""
        from libpysal.weights import W

        return W({c: list(self.neighbours[c]) for c in self.codes}, id_order=list(self.codes),
                 silence_warnings=True)


def _components(codes: list[str], neighbours: Mapping[str, Iterable[str]]) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = {c: i for i, c in enumerate(codes)}
    pairs = [(index[a], index[b]) for a in codes for b in neighbours[a] if b in index]
    rows = [p[0] for p in pairs]
    cols = [p[1] for p in pairs]
    graph = coo_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(codes), len(codes)))
    return connected_components(graph, directed=False)[1]


def period_weights(contiguity: Contiguity, codes: Iterable[str], k: int = 1) -> PeriodWeights:
    """Contiguity among `codes` (units missing from the boundary file are ignored), plus the
    fallback: each unit left without a neighbour is linked to its k nearest units (centroid
    distance; ties by code), both ways."""
    units = sorted(c for c in set(codes) if c in contiguity.neighbours)
    present = set(units)
    links = {c: {n for n in contiguity.neighbours[c] if n in present} for c in units}
    knn: dict[str, set[str]] = {c: set() for c in units}
    islands = [c for c in units if not links[c]]
    if islands and len(units) > 1:
        xy = np.array([contiguity.xy[c] for c in units])
        order = np.arange(len(units))
        for c in islands:
            i = units.index(c)
            dist = np.hypot(*(xy - xy[i]).T)
            dist[i] = np.inf
            for j in order[np.lexsort((order, dist))][:k]:
                other = units[int(j)]
                for a, b in ((c, other), (other, c)):
                    if b not in links[a]:
                        links[a].add(b)
                        knn[a].add(b)
    n_parts = int(_components(units, links).max()) + 1 if units else 0
    return PeriodWeights(codes=tuple(units),
                         neighbours={c: tuple(sorted(links[c])) for c in units},
                         knn_links={c: tuple(sorted(v)) for c, v in knn.items() if v},
                         n_components=n_parts)
