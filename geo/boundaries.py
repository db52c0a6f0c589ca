"""Administrative boundaries for the maps: load a boundary file, check its codes against the
official code list, simplify it as one coverage (neighbours keep shared borders) and hand out
light GeoJSON keyed by `kode`.

The boundary files are configured (`paths.boundaries_kabkota`, `paths.boundaries_kecamatan`); the
default is the files committed in `geo/data/` (derived by `geo/derive.py`, source and licence in
`geo/data/SOURCE.md`). Results are cached in memory and on disk (`data/geo_cache/`), keyed by the
source file's path, mtime and size and the simplification settings.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.config import PROJECT_ROOT, REFERENCE_DIR, Config, default_config

LEVELS = ("kabkota", "kecamatan")
CONFIG_KEYS = {"kabkota": "boundaries_kabkota", "kecamatan": "boundaries_kecamatan"}
# Visvalingam-Whyatt tolerance in degrees (~ the side of the smallest triangle kept). At the
# province view one pixel is ~0.003 deg, so 0.004 loses nothing visible there.
TOLERANCE = {"kabkota": 0.004, "kecamatan": 0.004}
DECIMALS = 3  # ~110 m, below the simplification error (~440 m)
CACHE_DIR = PROJECT_ROOT / "data" / "geo_cache"
CACHE_FORMAT = 2
DATA_DIR = Path(__file__).resolve().parent / "data"
# The committed boundary files: used when the config does not name a file for a level.
BUNDLED = {level: DATA_DIR / f"jatim_{level}.geojson.gz" for level in LEVELS}


@dataclass(frozen=True)
class CodeCheck:
    """How a boundary file's codes match the official list of its level."""

    code_property: str
    n_features: int
    n_expected: int
    unknown: list[str] = field(default_factory=list)  # in the file, not in the list
    missing: list[str] = field(default_factory=list)  # in the list, not in the file

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.missing


@dataclass(frozen=True)
class LightBoundaries:
    level: str
    source: str
    geojson: dict  # FeatureCollection, properties: kode, nama (+ kode_kabkota), RFC 7946 winding
    points: pd.DataFrame  # kode, lat, lon: a representative point inside each feature
    check: CodeCheck
    n_bytes: int  # size of the GeoJSON as sent (compact JSON)
    n_vertices: int

    def subset(self, kodes: set[str]) -> dict:
        """The FeatureCollection restricted to some codes (a kab/kota's kecamatan)."""
        feats = [f for f in self.geojson["features"] if f["properties"]["kode"] in kodes]
        return {"type": "FeatureCollection", "features": feats}


def official_codes(level: str) -> pd.DataFrame:
    """kode, nama, kode_induk of one level from the official list (`ref_wilayah`'s source)."""
    df = pd.read_csv(REFERENCE_DIR / "wilayah_jatim.csv", dtype=str)
    return df[df["tingkat"] == level][["kode", "nama", "kode_induk"]].reset_index(drop=True)


def boundary_path(level: str, config: Config | None = None) -> Path | None:
    """The boundary file of a level: the configured one, the committed one (`BUNDLED`) when the
    config has no entry for it, or None when the entry is empty ("") or names a missing file."""
    config = config or default_config()
    key = CONFIG_KEYS[level]
    value = getattr(config.paths, key)
    path = BUNDLED[level] if value is None else config.resolve(value)
    return path if path is not None and path.is_file() else None


def _normalise_code(value: Any, level: str) -> str:
    """Accept `35.09` / `3509` (kab/kota) and `35.09.01` / `350901` (kecamatan)."""
    text = str(value).strip()
    digits = text.replace(".", "")
    if digits.isdigit() and len(digits) in (4, 6):
        parts = [digits[0:2], digits[2:4]] + ([digits[4:6]] if len(digits) == 6 else [])
        return ".".join(parts)
    return text


def find_code_column(gdf: gpd.GeoDataFrame, level: str, known: set[str]) -> str:
    """The property holding the Kemendagri code: `kode` if present, else the column whose
    values best match the official list."""
    candidates = [c for c in gdf.columns if c != gdf.geometry.name]
    if "kode" in candidates:
        candidates.remove("kode")
        candidates.insert(0, "kode")
    best, best_share = None, 0.0
    for column in candidates:
        values = gdf[column].dropna().map(lambda v: _normalise_code(v, level))
        share = values.isin(known).mean() if len(values) else 0.0
        if share > best_share:
            best, best_share = column, share
    if best is None or best_share < 0.5:
        raise ValueError(f"no column of the {level} boundary file matches the official codes")
    return best


def read_boundaries(path: Path, level: str) -> tuple[gpd.GeoDataFrame, CodeCheck]:
    """Read a GeoJSON (also gzip'd, `.geojson.gz`), GeoPackage or Shapefile, reproject to WGS 84
    and key it by `kode`."""
    if path.suffix == ".gz":
        with gzip.open(path) as fh:
            gdf = gpd.read_file(fh)
    else:
        gdf = gpd.read_file(path)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    official = official_codes(level)
    known = set(official["kode"])
    code_column = find_code_column(gdf, level, known)
    gdf["kode"] = gdf[code_column].map(lambda v: _normalise_code(v, level))
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    # One feature per code (a file split into parts is dissolved back).
    if gdf["kode"].duplicated().any():
        gdf = gdf.dissolve(by="kode", as_index=False)
    gdf = gdf.merge(official.rename(columns={"nama": "nama_resmi"}), on="kode", how="left")
    gdf["nama"] = gdf["nama_resmi"].fillna(gdf.get("nama", gdf["kode"]))
    in_file = set(gdf["kode"])
    check = CodeCheck(
        code_property=code_column,
        n_features=len(gdf),
        n_expected=len(known),
        unknown=sorted(in_file - known),
        missing=sorted(known - in_file),
    )
    return gdf.sort_values("kode").reset_index(drop=True), check


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify all features together so shared borders are simplified once and stay shared.
    A file that is not a clean coverage is still simplified, feature by feature, with topology
    preserved per feature (gaps may appear between neighbours)."""
    geoms = shapely.make_valid(np.asarray(geoms))
    polygonal = shapely.get_type_id(geoms) <= 6  # drop stray lines/points from make_valid
    geoms = np.where(polygonal, geoms, shapely.buffer(geoms, 0))
    if shapely.coverage_is_valid(geoms):
        return shapely.coverage_simplify(geoms, tolerance)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _rounded(geom: shapely.Geometry, decimals: int) -> dict:
    mapping = shapely.geometry.mapping(geom)

    def walk(coords: Any) -> Any:
        if isinstance(coords[0], (float, int)):
            return [round(float(coords[0]), decimals), round(float(coords[1]), decimals)]
        return [walk(c) for c in coords]

    return {"type": mapping["type"], "coordinates": walk(mapping["coordinates"])}


def to_light(gdf: gpd.GeoDataFrame, level: str, source: str, check: CodeCheck,
             tolerance: float, decimals: int = DECIMALS) -> LightBoundaries:
    simplified = simplify_coverage(gdf.geometry.values, tolerance)
    simplified = shapely.orient_polygons(simplified)  # RFC 7946: exterior counter-clockwise
    keep = ["kode", "nama"] + (["kode_kabkota"] if level == "kecamatan" else [])
    if level == "kecamatan":
        gdf = gdf.assign(kode_kabkota=gdf["kode"].str[:5])
    features = []
    for row, geom in zip(gdf[keep].to_dict("records"), simplified):
        if geom is None or geom.is_empty:
            continue
        features.append({"type": "Feature", "properties": row, "geometry": _rounded(geom, decimals)})
    geojson = {"type": "FeatureCollection", "features": features}
    # Representative points come from the unsimplified shapes: always inside the feature.
    reps = shapely.point_on_surface(gdf.geometry.values)
    points = pd.DataFrame({"kode": gdf["kode"], "lat": shapely.get_y(reps).round(5),
                           "lon": shapely.get_x(reps).round(5)})
    return LightBoundaries(
        level=level,
        source=source,
        geojson=geojson,
        points=points,
        check=check,
        n_bytes=len(json.dumps(geojson, separators=(",", ":"))),
        n_vertices=int(shapely.get_num_coordinates(simplified).sum()),
    )


_MEMORY: dict[str, LightBoundaries] = {}
_LOCK = threading.Lock()


def _cache_key(path: Path, level: str, tolerance: float, decimals: int) -> str:
    st = path.stat()
    raw = f"{CACHE_FORMAT}|{path.resolve()}|{st.st_mtime_ns}|{st.st_size}|{level}|{tolerance}|{decimals}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _read_disk(file: Path) -> LightBoundaries | None:
    try:
        data = json.loads(file.read_text())
        return LightBoundaries(
            level=data["level"], source=data["source"], geojson=data["geojson"],
            points=pd.DataFrame(data["points"]), check=CodeCheck(**data["check"]),
            n_bytes=data["n_bytes"], n_vertices=data["n_vertices"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_disk(file: Path, light: LightBoundaries) -> None:
    data = {
        "level": light.level, "source": light.source, "geojson": light.geojson,
        "points": light.points.to_dict("list"), "check": asdict(light.check),
        "n_bytes": light.n_bytes, "n_vertices": light.n_vertices,
    }
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")))
        tmp.replace(file)
    except OSError:
        pass  # a read-only checkout still works, only slower on a cold start


def load_light(level: str, config: Config | None = None, *, path: Path | None = None,
               cache_dir: Path | None = CACHE_DIR, tolerance: float | None = None,
               decimals: int = DECIMALS) -> LightBoundaries | None:
    """Light, checked, coverage-simplified boundaries of a level, or None when no boundary file
    is configured or found (the maps then fall back to points at each seat)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    path = path or boundary_path(level, config)
    if path is None:
        return None
    tolerance = TOLERANCE[level] if tolerance is None else tolerance
    key = _cache_key(path, level, tolerance, decimals)
    with _LOCK:
        if key in _MEMORY:
            return _MEMORY[key]
        disk = cache_dir / f"{level}-{key}.json" if cache_dir else None
        light = _read_disk(disk) if disk and disk.exists() else None
        if light is None:
            gdf, check = read_boundaries(path, level)
            light = to_light(gdf, level, str(path), check, tolerance, decimals)
            if disk:
                _write_disk(disk, light)
        _MEMORY[key] = light
        return light


def neighbours(level: str = "kabkota", config: Config | None = None) -> dict[str, list[str]]:
    """Codes of the features sharing a border with each feature (from the light coverage)."""
    light = load_light(level, config)
    if light is None:
        return {}
    kodes = [f["properties"]["kode"] for f in light.geojson["features"]]
    geoms = [shapely.geometry.shape(f["geometry"]) for f in light.geojson["features"]]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    out: dict[str, list[str]] = {k: [] for k in kodes}
    for i, j in zip(left, right):
        if i != j:
            out[kodes[i]].append(kodes[j])
    return {k: sorted(set(v)) for k, v in out.items()}
