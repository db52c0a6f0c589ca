"""Derive the committed boundary files (`geo/data/`) from the project's source boundary files.

    python -m geo.derive --src DIR [--out geo/data] [--tolerance 0.002] [--decimals 4]

DIR holds `jatim_kecamatan.geojson` and `jatim_kabkota.geojson` (see `geo/data/SOURCE.md`). Both
are keyed by the Kemendagri code and checked against `pipelines/reference/wilayah_jatim.csv`.
The kecamatan are simplified as one coverage (neighbours keep one shared border), rounded and
repaired until every geometry is valid and the layer is still a clean coverage; each kab/kota is
the union of its kecamatan, so the two layers nest exactly. The output is gzip'd GeoJSON
(RFC 7946 winding, properties `kode`, `nama` and for kecamatan `kode_kabkota`), written
byte-for-byte reproducibly. Only this command reads the source folder; nothing at run time does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.boundaries import BUNDLED, DATA_DIR, read_boundaries

SOURCES = {"kabkota": "jatim_kabkota.geojson", "kecamatan": "jatim_kecamatan.geojson"}
TOLERANCE = 0.002  # degrees, ~220 m; the dashboard simplifies further (boundaries.TOLERANCE)
DECIMALS = 4  # ~11 m, well below the tolerance, so rounding cannot fold a border over
MAX_REPAIRS = 10


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """make_valid, keeping only the polygons (a rounded sliver can become a line or a point)."""
    parts, index = shapely.get_parts(shapely.make_valid(geoms), return_index=True)
    while np.isin(shapely.get_type_id(parts), (6, 7)).any():  # multi-parts and collections
        parts, sub = shapely.get_parts(parts, return_index=True)
        index = index[sub]
    polygon = shapely.get_type_id(parts) == 3
    return np.array([shapely.union_all(parts[polygon & (index == i)]) for i in range(len(geoms))],
                    dtype=object)


def simplify_and_round(geoms: np.ndarray, tolerance: float, decimals: int) -> np.ndarray:
    """Coverage-simplify, then round coordinates; where rounding made a geometry invalid or the
    coverage unclean, repair and clean it (micro-gaps under one grid step filled), round again."""
    current = shapely.coverage_simplify(np.asarray(geoms), tolerance)
    for _ in range(MAX_REPAIRS):
        rounded = shapely.transform(current, lambda xy: np.round(xy, decimals))
        if shapely.is_valid(rounded).all() and shapely.coverage_is_valid(rounded):
            return shapely.orient_polygons(rounded)  # RFC 7946: exterior counter-clockwise
        current = shapely.coverage_clean(_polygonal(rounded), gap_width=10.0**-decimals,
                                         snapping_distance=0)
    raise RuntimeError(f"rounding to {decimals} decimals did not settle into a valid coverage")


def write_geojson_gz(gdf: gpd.GeoDataFrame, path: Path) -> int:
    """Compact GeoJSON, gzip'd without a timestamp (same input, same bytes). Returns the size."""
    text = json.dumps(gdf.to_geo_dict(drop_id=True), separators=(",", ":"), ensure_ascii=False)
    data = gzip.compress(text.encode(), compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def derive(src: Path, out: Path, tolerance: float = TOLERANCE,
           decimals: int = DECIMALS) -> list[str]:
    """Write both layers into `out`; returns the report lines. Raises on a failed check."""
    kec, kec_check = read_boundaries(src / SOURCES["kecamatan"], "kecamatan")
    kab_src, kab_check = read_boundaries(src / SOURCES["kabkota"], "kabkota")
    report = []
    for level, check in (("kabkota", kab_check), ("kecamatan", kec_check)):
        report.append(f"{level}: {check.n_features} in the source, {check.n_expected} in the "
                      f"reference list; missing from the source: {check.missing or 'none'}; "
                      f"not in the list: {check.unknown or 'none'}")
    if kec_check.unknown or kab_check.unknown:
        raise ValueError("the source has codes that are not in the reference list")
    geoms = simplify_and_round(kec.geometry.values, tolerance, decimals)
    layers = {"kecamatan": gpd.GeoDataFrame(
        {"kode": kec["kode"], "nama": kec["nama"], "kode_kabkota": kec["kode"].str[:5]},
        geometry=geoms, crs=4326)}
    kab_codes = sorted(set(layers["kecamatan"]["kode_kabkota"]))
    if kab_codes != sorted(kab_src["kode"]):
        raise ValueError("the kecamatan do not make up the kab/kota of the kab/kota source")
    kab_names = dict(zip(kab_src["kode"], kab_src["nama"]))
    kab_geoms = [shapely.coverage_union_all(geoms[layers["kecamatan"]["kode_kabkota"] == k])
                 for k in kab_codes]
    layers["kabkota"] = gpd.GeoDataFrame(
        {"kode": kab_codes, "nama": [kab_names[k] for k in kab_codes]},
        geometry=shapely.orient_polygons(np.array(kab_geoms, dtype=object)), crs=4326)
    sources = {"kecamatan": kec, "kabkota": kab_src.set_index("kode").loc[kab_codes].reset_index()}
    report += [_checked(layers[level], sources[level], level) for level in ("kabkota", "kecamatan")]
    for level in ("kabkota", "kecamatan"):  # written only once both layers passed
        size = write_geojson_gz(layers[level], out / BUNDLED[level].name)
        report.append(f"wrote {out / BUNDLED[level].name}: {size:,} bytes")
    return report


def _checked(gdf: gpd.GeoDataFrame, source: gpd.GeoDataFrame, level: str) -> str:
    """Raise unless every geometry is valid and the layer a clean coverage; else a summary of
    how far the result is from the source."""
    new, old = gdf.geometry.values, source.geometry.values
    if shapely.is_empty(new).any() or not shapely.is_valid(new).all():
        raise RuntimeError(f"{level}: an empty or invalid geometry after simplification")
    if not shapely.coverage_is_valid(new):
        raise RuntimeError(f"{level}: neighbours overlap or are not edge-matched")
    deviation = shapely.hausdorff_distance(new, old)
    area = np.abs(shapely.area(new) / shapely.area(old) - 1) * 100
    lost = int((shapely.get_num_geometries(old) - shapely.get_num_geometries(new)).clip(0).sum())
    return (f"{level}: {len(gdf)} features, vertices {shapely.get_num_coordinates(old).sum():,}"
            f" -> {shapely.get_num_coordinates(new).sum():,}; deviation from the source in"
            f" degrees: median {np.median(deviation):.4f}, p95 {np.quantile(deviation, 0.95):.4f},"
            f" max {deviation.max():.4f}; area change: median {np.median(area):.3f} %, max"
            f" {area.max():.2f} %; polygon parts dropped: {lost}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.derive",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, required=True, help="folder with the source GeoJSON")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--decimals", type=int, default=DECIMALS)
    args = parser.parse_args(argv)
    try:
        lines = derive(args.src, args.out, args.tolerance, args.decimals)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"geo.derive: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
