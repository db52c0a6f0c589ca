"""Funnel limits against scipy, rank intervals and empirical Bayes by hand, on a warehouse whose
units differ clearly (one month, August 2025)."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from scipy.stats import binom, norm

from pipelines.config import ConfigError
from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import insert, marts_config

# (kode_desa, stunted, children): one posyandu per desa
UNITS = [
    ("35.11.01.2001", 2, 40),
    ("35.11.01.2002", 20, 40),
    ("35.11.01.2003", 6, 40),
    ("35.11.01.2004", 30, 60),
    ("35.12.01.2001", 5, 100),
    ("35.13.01.2001", 60, 100),
]
PROV_X, PROV_N = 123, 380


def staging(units: list[tuple[str, int, int]]) -> list[dict]:
    rows = []
    for desa, x, n in units:
        for i in range(n):
            rows.append(
                {
                    "file_sha256": f"f-{desa}",
                    "row_number": i + 1,
                    "child_key": f"{desa}-{i}",
                    "child_key_source": "nik",
                    "sex": 2,
                    "birth_date": date(2024, 1, 1),
                    "measurement_date": date(2025, 8, 10),
                    "age_days": 587,
                    "age_months": 19,
                    "kode_kabkota": desa[:5],
                    "kode_kecamatan": desa[:8],
                    "kode_desa": desa,
                    "posyandu_key": f"{desa}|POS",
                    "posyandu_nama": "Pos",
                    "zlen": -2.5 if i < x else -0.5,
                    "flen": 0,
                    "zwei": -0.3,
                    "fwei": 0,
                    "zwfl": 0.1,
                    "fwfl": 0,
                    "loaded_at": datetime(2025, 9, 1),
                }
            )
    return rows


def build(path: Path, **config_overrides: dict) -> Path:
    with building(path, marts_config(**config_overrides)) as b:
        insert(b.con, "stg_pengukuran", staging(UNITS))
        b.changed = True
    return path


@pytest.fixture(scope="module")
def stats_con(tmp_path_factory: pytest.TempPathFactory):
    con = connect_readonly(build(tmp_path_factory.mktemp("stats") / "w.duckdb"))
    yield con
    con.close()


def get(con: duckdb.DuckDBPyConnection, level: str, kode: str) -> dict:
    return (
        con.execute(
            "SELECT * FROM mart_prevalensi WHERE level = ? AND kode = ? AND period_type = 'bulan'",
            [level, kode],
        )
        .df()
        .iloc[0]
        .to_dict()
    )


def scipy_funnel(q: float, n: int, p: float) -> float:
    """Spiegelhalter (2005) interpolated binomial limit, from scipy's ppf and cdf."""
    r = binom.ppf(q, n, p)
    alpha = (binom.cdf(r, n, p) - q) / (binom.cdf(r, n, p) - binom.cdf(r - 1, n, p))
    return 100 * (r - alpha) / n


@pytest.mark.parametrize("kode,n", [("35.11", 180), ("35.12", 100), ("35.13", 100)])
def test_funnel_limits_match_scipy(stats_con, kode, n):
    r = get(stats_con, "kabkota", kode)
    p = PROV_X / PROV_N
    assert r["prov_pct_stunted"] == pytest.approx(100 * p)
    for col, q in [
        ("funnel_lo998", 0.001),
        ("funnel_lo95", 0.025),
        ("funnel_hi95", 0.975),
        ("funnel_hi998", 0.999),
    ]:
        assert r[col] == pytest.approx(scipy_funnel(q, n, p), abs=1e-9), col
    # the interpolated limit lies between the counts r - 1 and r that bracket the 97.5 %
    # quantile: P(X > r) <= 2.5 % <= P(X >= r)
    r_hi = math.ceil(r["funnel_hi95"] * n / 100)
    assert binom.sf(r_hi, n, p) <= 0.025 <= binom.sf(r_hi - 1, n, p)


def test_significance_classes(stats_con):
    assert get(stats_con, "kabkota", "35.13")["signif"] == "atas_998"  # 60 %
    assert get(stats_con, "kabkota", "35.12")["signif"] == "bawah_998"  # 5 %
    assert get(stats_con, "kabkota", "35.11")["signif"] == "dalam"  # 32.2 %
    # desa 35.11.01.2002: 20/40 = 50 % against its kecamatan's 58/180 = 32.2 %, n = 40:
    # P(X >= 20) = 0.0146
    d = get(stats_con, "desa", "35.11.01.2002")
    assert d["induk_pct_stunted"] == pytest.approx(100 * 58 / 180)
    assert d["p_above"] == pytest.approx(binom.sf(19, 40, 58 / 180), rel=1e-10)
    assert d["funnel_hi95"] < d["pct_stunted"] < d["funnel_hi998"]
    assert d["signif"] == "atas_95"


def rank_interval_by_hand(units: list[tuple[int, int]], i: int) -> tuple[int, int]:
    """Bonferroni marginal rank interval (Mogstad et al. 2024) with Agresti-Caffo SEs."""
    k = len(units)
    z = norm.ppf(1 - 0.05 / (2 * (k - 1)))
    pt = [(x + 1) / (n + 2) for x, n in units]
    var = [p * (1 - p) / (n + 2) for p, (_, n) in zip(pt, units)]
    higher = sum(1 for j in range(k) if j != i and pt[j] - pt[i] > z * math.sqrt(var[i] + var[j]))
    lower = sum(1 for j in range(k) if j != i and pt[i] - pt[j] > z * math.sqrt(var[i] + var[j]))
    return 1 + higher, k - lower


def test_rank_intervals(stats_con):
    kab = [(58, 180), (5, 100), (60, 100)]  # 35.11, 35.12, 35.13
    for i, kode in enumerate(("35.11", "35.12", "35.13")):
        r = get(stats_con, "kabkota", kode)
        assert (r["rank_lo"], r["rank_hi"]) == rank_interval_by_hand(kab, i)
        assert r["n_peers"] == 3
    assert [get(stats_con, "kabkota", k)["rank"] for k in ("35.13", "35.11", "35.12")] == [1, 2, 3]
    desa = [(x, n) for d, x, n in UNITS[:4]]
    got = [get(stats_con, "desa", d) for d, _, _ in UNITS[:4]]
    assert [g["rank"] for g in got] == [4, 1, 3, 1]  # 5 %, 50 %, 15 %, 50 %: ties share 1
    for i, g in enumerate(got):
        lo, hi = rank_interval_by_hand(desa, i)
        assert (g["rank_lo"], g["rank_hi"]) == (min(lo, g["rank"]), max(hi, g["rank"]))
        assert g["n_peers"] == 4


def test_empirical_bayes_partial_shrinkage(stats_con):
    units = [(x, n) for _, x, n in UNITS[:4]]  # posyandu of kab 35.11
    sx, sn = sum(x for x, _ in units), sum(n for _, n in units)
    m = sx / sn
    s2 = sum(n * (x / n - m) ** 2 for x, n in units) / sn
    tau2 = s2 - m * (1 - m) / (sn / len(units))
    strength = m * (1 - m) / tau2 - 1
    assert tau2 > 0 and strength > 0
    for desa, x, n in UNITS[:4]:
        r = get(stats_con, "posyandu", f"{desa}|POS")
        expected = 100 * (x + m * strength) / (n + strength)
        assert r["pct_stunted_eb"] == pytest.approx(expected)
        # shrunk towards the kab/kota mean, never past it
        assert abs(r["pct_stunted_eb"] - 100 * m) < abs(100 * x / n - 100 * m)


def test_mean_kabkota_definition(tmp_path):
    con = connect_readonly(
        build(tmp_path / "w.duckdb", prevalence={"provincial_average": "mean_kabkota"})
    )
    r = con.execute(
        "SELECT prov_pct_stunted FROM mart_prevalensi WHERE level = 'kabkota' "
        "AND kode = '35.12' AND period_type = 'bulan'"
    ).fetchone()[0]
    con.close()
    assert r == pytest.approx((100 * 58 / 180 + 5 + 60) / 3)


def test_unknown_provincial_definition_is_refused_before_the_build(tmp_path):
    with pytest.raises(ConfigError, match="prevalence.provincial_average: expected one of "
                       "'pooled', 'mean_kabkota', got 'median'"):
        build(tmp_path / "w.duckdb", prevalence={"provincial_average": "median"})
    assert not (tmp_path / "w.duckdb").exists()


def _statistics_module():
    """The marts' statistics model (a file run by the marts builder, not an importable module)."""
    import importlib.util

    from pipelines.config import SQL_DIR

    path = SQL_DIR / "marts" / "stunting" / "30_prevalensi_statistik.py"
    spec = importlib.util.spec_from_file_location("prevalensi_statistik", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_binomial_and_normal_quantiles_equal_scipy_stats():
    """The model uses scipy.special directly (importing scipy.stats costs a second per publish);
    its binomial ppf/cdf and normal ppf must equal scipy.stats' on every kind of input: tiny and
    large n, p at 0 and 1, k below 0 and above n."""
    import numpy as np

    stats = _statistics_module()
    n = np.array([1, 2, 3, 5, 10, 17, 40, 100, 380, 1000, 5000, 123457], dtype=float)
    p = np.array([0.0, 1e-6, 0.001, 0.05, 0.1471, 0.3237, 0.5, 0.9, 0.999, 1.0])
    nn, pp = (a.ravel() for a in np.meshgrid(n, p))
    for q in (0.001, 0.025, 0.5, 0.975, 0.999):
        np.testing.assert_array_equal(stats.binom_ppf(q, nn, pp), binom.ppf(q, nn, pp))
        r = binom.ppf(q, nn, pp)
        for k in (r - 1, r, r + 1, r * 0 - 1, nn, nn + 3):
            np.testing.assert_array_equal(stats.binom_cdf(k, nn, pp), binom.cdf(k, nn, pp))
        np.testing.assert_array_equal(stats.funnel_limit(q, nn, pp),
                                      np.where(pp >= 1, 1.0,
                                               np.clip(_scipy_funnel_raw(q, nn, pp), 0, 1)))
    peers = np.array([1, 2, 3, 38, 665, 8494])
    np.testing.assert_array_equal(stats.bonferroni_z(peers),
                                  norm.ppf(1 - 0.05 / (2 * np.maximum(peers - 1, 1))))


def _scipy_funnel_raw(q, n, p):
    import numpy as np

    r = binom.ppf(q, n, p)
    f_r, f_below = binom.cdf(r, n, p), binom.cdf(r - 1, n, p)
    step = f_r - f_below
    alpha = np.divide(f_r - q, step, out=np.zeros_like(step), where=step > 0)
    return (r - alpha) / n
