"""The kecamatan weights (geo/weights.py): queen contiguity from the committed boundary file,
and the fallback that gives every unit a neighbour (the islands of Sumenep, and a unit whose
neighbours are all left out of a period)."""

from __future__ import annotations

import shapely

from geo.boundaries import read_boundaries
from geo.weights import KECAMATAN_FILE, from_neighbours, kecamatan_contiguity, period_weights
from pipelines.config import Config, default_config

ISLANDS = {  # one-kecamatan islands: no contiguity neighbour in the boundary file
    "35.29.04": "Talango", "35.29.08": "Giliginting", "35.29.22": "Ra'as",
    "35.29.23": "Masalembu", "35.29.25": "Sapeken",
}
ISLAND_PAIRS = {("35.25.17", "35.25.18"),  # Bawean: Sangkapura, Tambak (Gresik)
                ("35.29.20", "35.29.21"),  # Sapudi: Gayam, Nonggunong
                ("35.29.24", "35.29.27")}  # Kangean: Arjasa, Kangayan


def test_queen_contiguity_is_touching_polygons():
    contiguity = kecamatan_contiguity(KECAMATAN_FILE)
    assert len(contiguity.codes) == 666
    gdf, _ = read_boundaries(KECAMATAN_FILE, "kecamatan")
    tree = shapely.STRtree(gdf.geometry.values)
    left, right = tree.query(gdf.geometry.values, predicate="intersects")
    touching = {(gdf["kode"][i], gdf["kode"][j]) for i, j in zip(left, right) if i != j}
    queen = {(a, b) for a, ns in contiguity.neighbours.items() for b in ns}
    assert queen == touching
    assert {c for c, ns in contiguity.neighbours.items() if not ns} == set(ISLANDS)
    for a, b in ISLAND_PAIRS:
        assert contiguity.neighbours[a] == {b} and contiguity.neighbours[b] == {a}


def test_island_fallback_gives_every_unit_a_neighbour():
    contiguity = kecamatan_contiguity(KECAMATAN_FILE)
    weights = period_weights(contiguity, contiguity.codes, k=1)
    assert len(weights.codes) == 666
    assert all(weights.neighbours[c] for c in weights.codes)
    linked = {c for c, links in weights.knn_links.items() if links}
    assert set(ISLANDS) <= linked
    # the links go both ways and only islands (or their nearest unit) received one
    for c, links in weights.knn_links.items():
        for n in links:
            assert c in weights.neighbours[n]
            assert c in ISLANDS or n in ISLANDS
    # Masalembu, far out in the Java Sea, is linked to the nearest Sumenep kecamatan
    assert all(n.startswith("35.29.") for n in weights.neighbours["35.29.23"])
    # islands of several kecamatan keep their contiguity only: Bawean is its own part
    assert weights.neighbours["35.25.17"] == ("35.25.18",)
    # parts: Java; Madura with Talango, Giliginting, Masalembu; Bawean; Sapudi with Ra'as;
    # Kangean with Sapeken
    assert weights.n_components == 5
    assert weights.n_links == sum(len(ns) for ns in contiguity.neighbours.values()) + 2 * 5


def test_a_unit_whose_neighbours_are_left_out_gets_the_nearest():
    contiguity = kecamatan_contiguity(KECAMATAN_FILE)
    centre = "35.09.01"
    dropped = contiguity.neighbours[centre]
    weights = period_weights(contiguity, set(contiguity.codes) - dropped, k=2)
    assert len(weights.neighbours[centre]) == 2
    assert set(weights.knn_links[centre]) == set(weights.neighbours[centre])
    assert not set(weights.neighbours[centre]) & dropped
    assert all(weights.neighbours[c] for c in weights.codes)


def test_lattice_and_unknown_codes():
    contiguity = from_neighbours({"a": ["b"], "b": ["a"], "c": []},
                                 xy={"a": (0, 0), "b": (1, 0), "c": (5, 0)})
    weights = period_weights(contiguity, ["a", "b", "c", "not-in-the-file"])
    assert weights.codes == ("a", "b", "c")
    assert weights.neighbours == {"a": ("b",), "b": ("a", "c"), "c": ("b",)}
    assert weights.knn_links == {"b": ("c",), "c": ("b",)}
    assert weights.n_components == 1
    assert period_weights(contiguity, ["c"]).neighbours == {"c": ()}  # alone: nothing to link


def test_boundary_file_follows_the_config():
    from geo.weights import boundary_file

    assert boundary_file(default_config()) == KECAMATAN_FILE
    off = Config().replace(paths={"boundaries_kecamatan": ""})
    assert boundary_file(off) is None
    assert boundary_file(Config()) == KECAMATAN_FILE  # not set: the committed file
