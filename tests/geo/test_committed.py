"""The boundary files committed in geo/data/: complete, valid, nested, small, licensed, the
default everywhere, and the only boundary files anything reads (a fresh clone draws maps)."""

from __future__ import annotations

import gzip
import re
import subprocess

import numpy as np
import pytest
import shapely

from geo import boundaries, derive
from pipelines.config import PROJECT_ROOT, default_config

PROPERTIES = {"kabkota": ["kode", "nama"], "kecamatan": ["kode", "nama", "kode_kabkota"]}


@pytest.fixture(scope="module")
def layers() -> dict:
    return {level: boundaries.read_boundaries(boundaries.BUNDLED[level], level)
            for level in boundaries.LEVELS}


@pytest.mark.parametrize("level, n", [("kabkota", 38), ("kecamatan", 666)])
def test_every_reference_code_once(layers, level, n):
    gdf, check = layers[level]
    assert (check.n_features, check.n_expected, check.ok) == (n, n, True)
    assert check.code_property == "kode"
    assert sorted(gdf["kode"]) == sorted(boundaries.official_codes(level)["kode"])
    raw = json_properties(level)
    assert [sorted(p) for p in raw] == [sorted(PROPERTIES[level])] * n
    assert [p["kode"] for p in raw] == sorted(p["kode"] for p in raw)


@pytest.mark.parametrize("level", boundaries.LEVELS)
def test_geometries_valid_rounded_and_edge_matched(layers, level):
    geoms = layers[level][0].geometry.values
    assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon, MultiPolygon
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert shapely.coverage_is_valid(geoms)  # no overlaps, neighbours share their borders
    xy = shapely.get_coordinates(geoms)
    assert np.abs(xy - np.round(xy, derive.DECIMALS)).max() < 1e-9
    assert ((xy[:, 0] > 110.8) & (xy[:, 0] < 116.3) & (xy[:, 1] > -8.9) & (xy[:, 1] < -5.0)).all()


def test_kabkota_is_the_union_of_its_kecamatan(layers):
    kab = layers["kabkota"][0].set_index("kode").geometry
    kec = layers["kecamatan"][0]
    for kode, group in kec.groupby(kec["kode"].str[:5]):
        union = shapely.coverage_union_all(group.geometry.values)
        assert shapely.symmetric_difference(union, kab[kode]).area < 1e-9, kode


def test_small_and_licensed():
    sizes = {level: path.stat().st_size for level, path in boundaries.BUNDLED.items()}
    assert sum(sizes.values()) < 400_000, sizes
    source = (boundaries.DATA_DIR / "SOURCE.md").read_text()
    for needed in ("MIT License", "Copyright (c) 2024 Cahya DSN", "cahyadsn/wilayah_boundaries",
                   "python -m geo.derive"):
        assert needed in source


def test_default_config_uses_the_committed_files():
    config = default_config()
    for level, key in boundaries.CONFIG_KEYS.items():
        assert config.path(key) == boundaries.BUNDLED[level]
        assert boundaries.boundary_path(level) == boundaries.BUNDLED[level]


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return out.splitlines()


def test_the_boundary_files_are_committed():
    tracked = set(tracked_files())
    for name in ("jatim_kabkota.geojson.gz", "jatim_kecamatan.geojson.gz", "SOURCE.md"):
        assert f"geo/data/{name}" in tracked


# A path into the sibling folder (`..` + `/shared`) or one built from a "shared" path segment.
SIBLING = re.compile(r"\.\./shared|[(,/] *[\"']shared[\"']|[\"']shared[\"'] *[,/)]")
CODE_SUFFIXES = (".py", ".toml", ".sql", ".sh", ".cfg", ".ini", ".yml", ".yaml")
COMMENT = re.compile(r"^\s*(#|--)")  # a comment citing a sibling document reads nothing


def test_nothing_reads_the_sibling_folder():
    """Code, config, tests, Makefile and CI never point into the sibling folder; the README never
    names it (docs/ may cite it as the origin of a reference file)."""
    offending = []
    for name in tracked_files():
        path = PROJECT_ROOT / name
        is_code = name.endswith(CODE_SUFFIXES) or name in ("Makefile", ".ci/run")
        if not (is_code or name == "README.md") or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if is_code and COMMENT.match(line):
                continue
            if SIBLING.search(line) or (name == "README.md" and "shared/" in line):
                offending.append(f"{name}:{number}: {line.strip()}")
    assert not offending, "\n".join(offending)


def json_properties(level: str) -> list[dict]:
    import json

    with gzip.open(boundaries.BUNDLED[level]) as fh:
        return [f["properties"] for f in json.load(fh)["features"]]


def test_derive_round_trip(tmp_path, layers):
    """geo.derive on a two-kab/kota source (Sidoarjo, Surabaya; made from the committed files):
    keyed, checked, simplified to a valid nested coverage, byte-for-byte reproducible."""
    src = tmp_path / "src"
    src.mkdir()
    for level in boundaries.LEVELS:
        gdf = layers[level][0]
        gdf = gdf[gdf["kode"].str[:5].isin(["35.15", "35.78"])][PROPERTIES[level] + ["geometry"]]
        gdf.to_file(src / derive.SOURCES[level], driver="GeoJSON")
    report = derive.derive(src, tmp_path / "a", tolerance=0.004, decimals=3)
    assert "kabkota: 2 in the source, 38 in the reference list" in report[0]
    assert "35.01" in report[0]  # the missing codes are reported
    derive.derive(src, tmp_path / "b", tolerance=0.004, decimals=3)
    for level, path in boundaries.BUNDLED.items():
        out = tmp_path / "a" / path.name
        assert out.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
        gdf, _ = boundaries.read_boundaries(out, level)
        assert shapely.coverage_is_valid(gdf.geometry.values)
        assert shapely.is_valid(gdf.geometry.values).all()
    kab, _ = boundaries.read_boundaries(tmp_path / "a" / "jatim_kabkota.geojson.gz", "kabkota")
    assert list(kab["kode"]) == ["35.15", "35.78"]
    assert list(kab["nama"]) == ["Kabupaten Sidoarjo", "Kota Surabaya"]
