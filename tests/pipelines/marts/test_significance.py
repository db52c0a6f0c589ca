"""Significance by exact p-values and over-dispersion (issue 14), on a warehouse built to hit
both: ten kab/kota whose rates differ far more than chance (over-dispersed), five kecamatan of
one kab/kota that differ by chance only, and a small kab/kota whose count x equals the binomial
97.5 % quantile r: above the interpolated funnel line, yet with P(X >= x) > 0.025."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom, norm

from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import insert, marts_config
from tests.pipelines.marts.test_statistics import staging

KAB = [(f"35.0{i}.01.2001", x, 300) for i, x in enumerate([30, 45, 60, 75, 90, 105, 120, 135], 1)]
KEC = [(f"35.09.0{i}.2001", x, 100) for i, x in enumerate([20, 21, 19, 20, 22], 1)]
EDGE = ("35.10.01.2001", 16, 40)  # x = r of Binomial(40, theta) at 97.5 %, P(X >= 16) = 0.043
UNITS = KAB + KEC + [EDGE]
PROV = sum(x for _, x, _ in UNITS) / sum(n for _, _, n in UNITS)


@pytest.fixture(scope="module")
def sig_con(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("signif") / "w.duckdb"
    with building(path, marts_config()) as b:
        insert(b.con, "stg_pengukuran", staging(UNITS))
        b.changed = True
    con = connect_readonly(path)
    yield con
    con.close()


def get(con, level: str, kode: str) -> dict:
    df = con.execute("SELECT * FROM mart_prevalensi WHERE level = ? AND kode = ? "
                     "AND period_type = 'bulan'", [level, kode]).df()
    assert len(df) == 1
    return df.iloc[0].to_dict()


def test_a_unit_above_the_interpolated_line_but_not_significant_is_within_limits(sig_con):
    r = get(sig_con, "kabkota", "35.10")
    x, n = EDGE[1], EDGE[2]
    assert r["induk_pct_stunted"] == pytest.approx(100 * PROV)
    assert binom.ppf(0.975, n, PROV) == x  # x = r
    assert r["pct_stunted"] > r["funnel_hi95"]  # above the drawn (interpolated) limit ...
    assert r["p_above"] == pytest.approx(binom.sf(x - 1, n, PROV), rel=1e-10)
    assert 0.025 < r["p_above"] < 0.05  # ... but not significant at 95 %
    assert r["signif"] == "dalam"
    assert r["p_below"] == pytest.approx(binom.cdf(x, n, PROV), rel=1e-10)


@pytest.mark.parametrize("kode,x", [(f"35.0{i}", x) for i, (_, x, _) in enumerate(KAB, 1)])
def test_classes_follow_the_exact_p_values(sig_con, kode, x):
    r = get(sig_con, "kabkota", kode)
    above, below = binom.sf(x - 1, 300, PROV), binom.cdf(x, 300, PROV)
    assert (r["p_above"], r["p_below"]) == pytest.approx((above, below), rel=1e-9)
    expected = ("atas_998" if above <= 0.001 else "atas_95" if above <= 0.025
                else "bawah_998" if below <= 0.001 else "bawah_95" if below <= 0.025
                else "dalam")
    assert r["signif"] == expected


def winsorised_phi(z: np.ndarray) -> float:
    lo, hi = np.percentile(z, [10, 90])  # linear interpolation, as DuckDB's quantile_cont
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def test_overdispersion_between_kabkota_by_hand(sig_con):
    """Spiegelhalter (2005): phi from 10 % winsorised z-scores, limit 1 + 2 sqrt(2 / I), the
    additive random-effects tau2 and limits theta +- z sqrt(s2 + tau2)."""
    units = [(u[0][:5], u[1], u[2]) for u in KAB] + [("35.09", 102, 500), ("35.10", 16, 40)]
    n = np.array([u[2] for u in units], dtype=float)
    y = np.array([u[1] for u in units]) / n
    s2 = PROV * (1 - PROV) / n
    z = (y - PROV) / np.sqrt(s2)
    phi = winsorised_phi(z)
    k = len(units)
    limit = 1 + 2 * math.sqrt(2 / k)
    w = 1 / s2
    tau2 = (k * phi - (k - 1)) / (w.sum() - (w ** 2).sum() / w.sum())
    assert phi > limit and tau2 > 0
    for (kode, x, size), s2_i in zip(units, s2):
        r = get(sig_con, "kabkota", kode)
        assert r["phi"] == pytest.approx(phi, rel=1e-9)
        assert r["phi_limit"] == pytest.approx(limit)
        assert r["tau_pts"] == pytest.approx(100 * math.sqrt(tau2), rel=1e-9)
        assert r["pct_beyond_chance"] == pytest.approx(100 * (k * phi - (k - 1)) / (k * phi))
        half = norm.ppf(0.975) * math.sqrt(s2_i + tau2)
        assert r["funnel_adj_hi95"] == pytest.approx(100 * (PROV + half), rel=1e-9)
        assert r["funnel_adj_lo95"] == pytest.approx(100 * max(0.0, PROV - half), rel=1e-9)
        z_adj = (x / size - PROV) / math.sqrt(s2_i + tau2)
        k_adj = (2 if z_adj > norm.ppf(0.999) else 1 if z_adj > norm.ppf(0.975)
                 else -2 if z_adj < norm.ppf(0.001) else -1 if z_adj < norm.ppf(0.025) else 0)
        codes = ["bawah_998", "bawah_95", "dalam", "atas_95", "atas_998"]
        k_exact = codes.index(r["signif"]) - 2
        # never further from "dalam" than the exact class
        k_expected = 0 if k_adj * k_exact <= 0 else int(np.sign(k_exact)) * min(abs(k_adj),
                                                                                  abs(k_exact))
        assert r["signif_adj"] == codes[k_expected + 2], kode
    # most kab/kota differ from the province; few lie outside the variation between kab/kota
    rows = sig_con.execute("SELECT signif, signif_adj FROM mart_prevalensi WHERE level = "
                           "'kabkota' AND n_haz > 0").fetchall()
    assert sum(s != "dalam" for s, _ in rows) >= 7
    assert sum(a != "dalam" for _, a in rows) < sum(s != "dalam" for s, _ in rows)


def test_no_adjustment_without_overdispersion(sig_con):
    """Five kecamatan of 35.09 at 19-22 %: phi is below its limit, so there is no tau2, no
    adjusted limit, and the adjusted class is the exact one."""
    theta = 102 / 500
    z = np.array([(x / 100 - theta) / math.sqrt(theta * (1 - theta) / 100) for _, x, _ in KEC])
    phi = winsorised_phi(z)
    assert phi < 1 + 2 * math.sqrt(2 / 5)
    for desa, x, _ in KEC:
        r = get(sig_con, "kecamatan", desa[:8])
        assert r["induk_pct_stunted"] == pytest.approx(100 * theta)  # compared with 35.09
        assert r["phi"] == pytest.approx(phi, rel=1e-9)
        assert pd_isna(r["tau_pts"]) and pd_isna(r["funnel_adj_hi95"])
        assert r["signif_adj"] == r["signif"] == "dalam"
        assert r["p_above"] == pytest.approx(binom.sf(x - 1, 100, theta), rel=1e-9)


def test_too_few_units_for_phi(sig_con):
    # a desa is compared with its kecamatan (one desa each here): no phi for one unit
    r = get(sig_con, "desa", "35.09.01.2001")
    assert r["induk_pct_stunted"] == pytest.approx(20.0)
    assert pd_isna(r["phi"]) and r["signif_adj"] == r["signif"]


def pd_isna(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def test_p_values_against_scipy_on_edge_inputs():
    from tests.pipelines.marts.test_statistics import _statistics_module

    stats = _statistics_module()
    n = np.array([1, 2, 5, 40, 300, 5000], dtype=float)
    for theta in (0.0, 1e-6, 0.05, 0.3237, 0.5, 0.999, 1.0):
        for xs in (np.zeros_like(n), n // 3, n - 1, n):
            above = stats.p_above(xs, n, np.full_like(n, theta))
            below = stats.p_below(xs, n, np.full_like(n, theta))
            np.testing.assert_allclose(above, binom.sf(xs - 1, n, theta), rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(below, binom.cdf(xs, n, theta), rtol=1e-9, atol=1e-15)

