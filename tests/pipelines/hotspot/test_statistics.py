"""The hotspot statistics (pipelines/hotspot.py) on small lattices: Moran's I, the local Moran
and Gi* against the hand formulas, every number against PySAL called directly on the same data,
and the Benjamini-Hochberg correction.

The 3 x 3 lattice, values 1..9 row by row (rook neighbours):

    1 2 3        z = value - 5:  -4 -3 -2
    4 5 6                        -1  0  1
    7 8 9                         2  3  4

Binary weights: 12 neighbour pairs, S0 = 24, sum over pairs of z_i z_j = 36 (rows) + 4
(columns) = 40, so sum_ij w_ij z_i z_j = 80 and sum z^2 = 60: I = (9 / 24) * 80 / 60 = 1/2.
Row-standardised: sum_i z_i * (mean z of i's neighbours) = 8 + 6 + 2 + 2/3 + 0 + 2/3 + 2 + 6 + 8
= 100/3 and S0 = 9: I = (100/3) / 60 = 5/9. E[I] = -1/(n - 1) = -1/8.
"""

from __future__ import annotations

import numpy as np
import pytest

from geo.weights import from_neighbours, period_weights
from pipelines.config import Hotspot
from pipelines.hotspot import analyse, bh_adjust, border_groups, cluster_ids


def lattice(rows: int, cols: int, queen: bool = False) -> dict[str, list[str]]:
    """Neighbours of a rows x cols lattice; unit codes 'r.c' (zero-padded, sorted row by row)."""
    def code(r: int, c: int) -> str:
        return f"{r:02d}.{c:02d}"
    out = {}
    for r in range(rows):
        for c in range(cols):
            steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
            if queen:
                steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
            out[code(r, c)] = [code(r + dr, c + dc) for dr, dc in steps
                               if 0 <= r + dr < rows and 0 <= c + dc < cols]
    return out


def run(neighbours: dict[str, list[str]], values: np.ndarray, **settings: object):
    weights = period_weights(from_neighbours(neighbours), neighbours)
    return weights, *analyse(weights, dict(zip(weights.codes, values)), Hotspot(**settings))


def test_moran_by_hand_on_a_3x3_gradient():
    values = np.arange(1.0, 10.0)
    weights, local, overall = run(lattice(3, 3), values)
    assert overall["moran_i"] == pytest.approx(5 / 9)
    assert overall["expected_i"] == pytest.approx(-1 / 8)
    # local Moran as esda writes it: (n - 1) z_i sum_j w_ij z_j / sum z^2
    z = values - 5
    lag = np.array([np.mean([z[weights.codes.index(n)] for n in weights.neighbours[c]])
                    for c in weights.codes])
    assert np.allclose(local["lisa_i"], 8 * z * lag / 60)
    assert local["lisa_i"][0] == pytest.approx(16 / 15)  # corner: 8 * (-4) * (-2) / 60
    # the local values add up to (n - 1) times the global I (row-standardised weights)
    assert local["lisa_i"].sum() == pytest.approx(8 * 5 / 9)
    quadrant = dict(zip(weights.codes, local["quadrant"]))
    assert quadrant["00.00"] == "LL" and quadrant["02.02"] == "HH"
    assert quadrant["00.02"] == "LL" and quadrant["02.00"] == "HH"  # -2 next to -3 and 1
    assert overall["n_units"] == 9 and overall["n_links"] == 24 and overall["n_components"] == 1


def test_binary_moran_and_checkerboard_by_hand():
    import esda
    from libpysal.weights import W

    neighbours = lattice(3, 3)
    w = W(neighbours, id_order=sorted(neighbours))
    assert esda.Moran(np.arange(1.0, 10.0), w, transformation="b", permutations=0).I == \
        pytest.approx(1 / 2)
    # every neighbour pair is one 1 and one 0: perfect negative autocorrelation
    checker = np.array([1.0, 0, 1, 0, 1, 0, 1, 0, 1])
    _, _, overall = run(neighbours, checker)
    assert overall["moran_i"] == pytest.approx(-1.0)


def test_gi_star_z_by_hand():
    """Ord & Getis (1995): binary weights with the unit itself, W_i = sum_j w_ij,
    z_i = (sum_j w_ij y_j - W_i ybar) / (s sqrt((n W_i - W_i^2) / (n - 1))), s^2 = mean(y^2) -
    ybar^2."""
    rng = np.random.default_rng(5)
    values = rng.uniform(5, 35, 16)
    neighbours = lattice(4, 4, queen=True)
    weights, local, _ = run(neighbours, values)
    n = len(values)
    y = dict(zip(weights.codes, values))
    ybar, s = values.mean(), np.sqrt((values ** 2).mean() - values.mean() ** 2)
    for i, code in enumerate(weights.codes):
        members = [code, *weights.neighbours[code]]
        wi = len(members)
        z = (sum(y[m] for m in members) - wi * ybar) / (s * np.sqrt((n * wi - wi ** 2) / (n - 1)))
        assert local["gi_z"][i] == pytest.approx(z)
    from scipy.stats import norm

    assert np.allclose(local["gi_p"], 2 * norm.sf(np.abs(local["gi_z"])))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # esda's notice about alternative=
@pytest.mark.parametrize("seed", [3, 4])
def test_every_number_equals_pysal_called_directly(seed):
    import esda
    from libpysal.weights import lat2W

    rng = np.random.default_rng(seed)
    values = rng.gamma(4.0, 2.0, 49) + 3 * np.repeat(np.arange(7), 7)  # a north-south trend
    neighbours = lattice(7, 7, queen=True)
    _, local, overall = run(neighbours, values, permutations=499, seed=77)

    w = lat2W(7, 7, rook=False)  # the same lattice, ids 0..48 row by row
    w.transform = "r"
    np.random.seed(77)
    moran = esda.Moran(values, w, permutations=499)
    lisa = esda.Moran_Local(values, w, permutations=499, seed=77, n_jobs=1)
    gi = esda.G_Local(values, lat2W(7, 7, rook=False), transform="B", star=True,
                      permutations=0, n_jobs=1)
    assert overall["moran_i"] == moran.I and overall["expected_i"] == moran.EI
    assert overall["z_norm"] == moran.z_norm and overall["p_norm"] == moran.p_norm
    assert overall["z_sim"] == moran.z_sim and overall["p_sim"] == moran.p_sim
    assert np.array_equal(local["lisa_i"], lisa.Is)
    assert np.array_equal(local["p_lisa"], lisa.p_sim)
    assert local["quadrant"] == [{1: "HH", 2: "LH", 3: "LL", 4: "HL"}[q] for q in lisa.q]
    assert np.array_equal(local["gi_z"], gi.Zs)
    assert overall["moran_i"] > 0 and overall["p_sim"] <= 0.01  # the trend is found


def test_fixed_seed_gives_the_same_result_and_leaves_numpy_alone():
    rng = np.random.default_rng(1)
    values = rng.normal(20, 4, 25)
    np.random.seed(2024)
    before = np.random.get_state()[1].copy()
    _, first, g1 = run(lattice(5, 5), values)
    _, second, g2 = run(lattice(5, 5), values)
    assert np.array_equal(first["p_lisa"], second["p_lisa"]) and g1 == g2
    assert np.array_equal(np.random.get_state()[1], before)


def test_benjamini_hochberg():
    from scipy.stats import false_discovery_control

    rng = np.random.default_rng(9)
    p = np.concatenate([rng.uniform(0, 0.01, 20), rng.uniform(0, 1, 200), [0.001, 0.001]])
    assert np.allclose(bh_adjust(p), false_discovery_control(p, method="bh"))
    # by hand: p = (0.01, 0.02, 0.03, 0.5), m = 4 -> 0.04, 0.04, 0.04, 0.5
    assert np.allclose(bh_adjust([0.03, 0.5, 0.01, 0.02]), [0.04, 0.5, 0.04, 0.04])
    assert bh_adjust([]).size == 0
    # never below the raw p-value: 0.496 * 176 / 176 is one ulp below 0.496 in floating point
    same = np.full(176, 0.496)
    assert np.array_equal(bh_adjust(same), same)


def test_clusters_follow_the_fdr_adjusted_p_values():
    """On a 12 x 12 lattice with a hot corner and noise some units pass p <= 0.05 only
    before the correction: they are 'ns'. The units kept are those at or below esda's own
    FDR threshold (esda.fdr)."""
    import esda

    rng = np.random.default_rng(11)
    values = rng.normal(20, 3, 144)
    values[[0, 1, 2, 12, 13, 14, 24, 25, 26]] += 12  # a hot spot in one corner
    _, local, overall = run(lattice(12, 12, queen=True), values)
    p, adjusted = local["p_lisa"], local["p_lisa_fdr"]
    assert np.array_equal(local["signif_fdr"], adjusted <= 0.05)
    assert np.array_equal(adjusted, bh_adjust(p))
    assert all((c == "ns") == (not s) for c, s in zip(local["cluster"], local["signif_fdr"]))
    assert all(c in ("ns", q) for c, q in zip(local["cluster"], local["quadrant"]))
    raw, kept = int((p <= 0.05).sum()), int(local["signif_fdr"].sum())
    assert overall["n_signif_raw"] == raw and kept < raw  # the correction removed some
    assert local["cluster"][0] == "HH"
    assert set(np.flatnonzero(local["signif_fdr"])) == set(np.flatnonzero(p <= esda.fdr(p, 0.05)))


def test_cluster_ids_and_border_groups():
    codes = ["a.1", "a.2", "b.1", "b.2", "c.1"]
    neighbours = {"a.1": ["a.2"], "a.2": ["a.1", "b.1"], "b.1": ["a.2", "b.2"],
                  "b.2": ["b.1", "c.1"], "c.1": ["b.2"]}
    classes = ["HH", "HH", "HH", "ns", "LL"]
    ids = cluster_ids(codes, classes, neighbours)
    assert ids == [1, 1, 1, None, 2]
    groups = {c: c[0] for c in codes}
    assert border_groups(codes, ids, neighbours, groups) == [None, "b", "a", None, None]


def test_gi_star_is_undefined_where_the_neighbourhood_holds_every_unit():
    """A hub linked to every other unit: its Gi* sums all values, whatever they are (no
    variance); its z and p are NaN (NULL in the mart), the others are defined and adjusted."""
    neighbours = {"hub": ["a", "b", "c", "d", "e"], "a": ["b"], "b": ["c"], "c": ["d"],
                  "d": ["e"], "e": ["a"]}
    values = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 9.0])  # a, b, c, d, e, hub (sorted codes)
    weights, local, _ = run(neighbours, values)
    hub = weights.codes.index("hub")
    assert np.isnan(local["gi_z"][hub]) and np.isnan(local["gi_p_fdr"][hub])
    others = np.delete(local["gi_p_fdr"], hub)
    assert np.isfinite(others).all()
    assert np.allclose(others, bh_adjust(np.delete(local["gi_p"], hub)))
