"""geo.boundaries against the boundary files committed in geo/data/."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, shape

from geo import boundaries
from pipelines.config import Config

KABKOTA = boundaries.BUNDLED["kabkota"]
KECAMATAN = boundaries.BUNDLED["kecamatan"]


@pytest.fixture(scope="module")
def kab() -> boundaries.LightBoundaries:
    return boundaries.load_light("kabkota", path=KABKOTA, cache_dir=None)


@pytest.fixture(scope="module")
def kec() -> boundaries.LightBoundaries:
    return boundaries.load_light("kecamatan", path=KECAMATAN, cache_dir=None)


def test_codes_match_the_official_list(kab, kec):
    assert kab.check.code_property == "kode"
    assert (kab.check.n_features, kab.check.n_expected, kab.check.ok) == (38, 38, True)
    assert (kec.check.n_features, kec.check.ok) == (666, True)
    codes = [f["properties"]["kode"] for f in kab.geojson["features"]]
    assert codes == sorted(codes) and codes[0] == "35.01" and codes[-1] == "35.79"
    names = {f["properties"]["kode"]: f["properties"]["nama"] for f in kab.geojson["features"]}
    assert names["35.09"] == "Kabupaten Jember"
    kec_props = kec.geojson["features"][0]["properties"]
    assert kec_props["kode_kabkota"] == kec_props["kode"][:5]


def test_light_geojson_is_small_and_rounded(kab, kec):
    assert len(kab.geojson["features"]) == 38 and len(kec.geojson["features"]) == 666
    # The committed files have 13,979 and 47,436 vertices; the light versions about half that.
    assert kab.n_bytes < 200_000 and kec.n_bytes < 700_000
    assert kab.n_vertices < 13_979 * 0.6 and kec.n_vertices < 47_436 * 0.6
    text = json.dumps(kab.geojson["features"][0]["geometry"])
    decimals = [len(tok.split(".")[1]) for tok in text.replace("[", " ").replace("]", " ")
                .replace(",", " ").split() if "." in tok]
    assert max(decimals) <= boundaries.DECIMALS


def test_coverage_simplification_keeps_neighbours_edge_matched(kab):
    """Simplified as one coverage: bordering kab/kota still share their border (no slivers or
    gaps), which simplifying each feature alone would break."""
    geoms = [shape(f["geometry"]) for f in kab.geojson["features"]]
    union_area = shapely.union_all(geoms).area
    assert sum(g.area for g in geoms) == pytest.approx(union_area, rel=2e-3)  # no overlaps
    jember, bondowoso = geoms[8], geoms[10]  # 35.09 and 35.11 share a border
    shared = jember.boundary.intersection(bondowoso.boundary)
    assert shared.length > 0.2  # degrees of common border, not a point contact


def test_neighbours_from_the_coverage():
    nb = boundaries.neighbours("kabkota", Config.from_dict({"paths": {"boundaries_kabkota": str(KABKOTA)}}))
    assert set(nb["35.09"]) == {"35.08", "35.10", "35.11", "35.13"}  # Jember
    assert "35.78" in nb["35.15"]  # Sidoarjo borders Surabaya


def test_representative_points_lie_inside(kec):
    gdf = boundaries.read_boundaries(KECAMATAN, "kecamatan")[0].set_index("kode")
    pts = kec.points.set_index("kode")
    for kode in ("35.01.01", "35.12.07", "35.29.01"):
        assert gdf.geometry[kode].contains(shapely.Point(pts.at[kode, "lon"], pts.at[kode, "lat"]))


def test_which_boundary_file(tmp_path):
    """No entry: the committed file; an empty entry or a missing file: none (points instead)."""
    cfg = Config.from_dict({"paths": {}}, base_dir=tmp_path)
    assert boundaries.boundary_path("kabkota", cfg) == KABKOTA
    cfg = Config.from_dict({"paths": {"boundaries_kabkota": ""}}, base_dir=tmp_path)
    assert boundaries.load_light("kabkota", cfg) is None
    cfg = Config.from_dict({"paths": {"boundaries_kabkota": "missing.geojson"}}, base_dir=tmp_path)
    assert boundaries.load_light("kabkota", cfg) is None


def test_other_formats_and_code_columns(tmp_path):
    """A GeoPackage keyed by the BPS code (3509) in another column still maps onto `kode`, and
    unknown or missing codes are reported."""
    gdf = boundaries.read_boundaries(KABKOTA, "kabkota")[0]
    gdf = gpd.GeoDataFrame({"KODE_BPS": gdf["kode"].str.replace(".", "")}, geometry=gdf.geometry)
    gdf = gdf[gdf["KODE_BPS"] != "3579"]  # Kota Batu missing
    extra = gpd.GeoDataFrame({"KODE_BPS": ["9999"]},
                             geometry=[Polygon([(0, 0), (0, 1), (1, 1)])], crs=gdf.crs)
    path = tmp_path / "kab.gpkg"
    gpd.GeoDataFrame(pd_concat([gdf, extra]), crs=gdf.crs).to_file(path, driver="GPKG")
    light = boundaries.load_light("kabkota", path=path, cache_dir=None)
    assert light.check.code_property == "KODE_BPS"
    assert light.check.missing == ["35.79"] and light.check.unknown == ["99.99"]
    assert "35.09" in {f["properties"]["kode"] for f in light.geojson["features"]}


def test_disk_cache_round_trip(tmp_path):
    boundaries._MEMORY.clear()
    first = boundaries.load_light("kabkota", path=KABKOTA, cache_dir=tmp_path)
    files = list(tmp_path.glob("kabkota-*.json"))
    assert len(files) == 1
    boundaries._MEMORY.clear()
    again = boundaries.load_light("kabkota", path=KABKOTA, cache_dir=tmp_path)
    assert again.geojson == first.geojson and again.check == first.check
    assert again.points.equals(first.points)


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)
