"""reads: tmp_prevalensi_agregat, tmp_prevalensi_provinsi, tmp_prevalensi_supresi

grain: tmp_prevalensi_uji (temp) one row per shown unit (below the province) and period whose
parent is shown: the comparison with the parent's pooled stunting rate (exact p-values, funnel
limits, over-dispersion-adjusted limits); tmp_prevalensi_dispersi (temp) one row per level,
parent and period: the over-dispersion estimate; tmp_prevalensi_peringkat (temp) one row per
ranked unit and period: rank among its peers with a 95% rank interval.

The steps SQL cannot do alone: binomial probabilities and quantiles, normal quantiles (the
scipy.special ufuncs that scipy.stats' binom and norm call, without the second it takes to
import scipy.stats on every publish; a test holds them equal to scipy.stats). They work on small
tables (distinct (x, n, theta) triples and (n, theta) pairs; one critical value per peer-group
size); the z-scores, their winsorisation and the pairwise comparisons run in DuckDB.

Comparison value theta: the parent's pooled rate (kode_induk: the province for a kab/kota, the
kab/kota for a kecamatan, the kecamatan for a desa, the desa for a posyandu); for a kab/kota the
provincial value of config `provincial_average`. Only units shown for stunting (not suppressed)
under a shown parent are compared.

Exact p-values (one-sided binomial): p_above = P(X >= x), p_below = P(X <= x) for X ~
Binomial(n, theta), x stunted of n valid HAZ. The classes follow them (40_prevalensi_baru.sql).

Funnel limits (Spiegelhalter 2005, Stat Med 24:1185, appendix A.1.1), for drawing: for
cumulative probability q, r = binom.ppf(q, n, theta) and alpha = (F(r) - q) / (F(r) - F(r - 1));
the limit is (r - alpha) / n, clamped to [0, 1]. A unit just above the interpolated limit may
have p_above a little over 2.5 %: its class follows the p-value, not the line.

Over-dispersion (Spiegelhalter 2005, sections 5-6; Spiegelhalter, Qual Saf Health Care 14:347):
per level, parent and period, over the I >= 5 shown units: z_i = (y_i - theta) / s_i with
s_i^2 = theta (1 - theta) / n_i; z winsorised at its 10th and 90th percentiles; phi = mean of the
squared winsorised z; over-dispersed when phi > 1 + 2 sqrt(2 / I) (I phi has mean I and variance
2I without over-dispersion). Then the additive random-effects variance
tau2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w)), w_i = 1 / s_i^2, and the adjusted
limits theta +- z_q sqrt(s_i^2 + tau2). Additive, not multiplicative (theta +- z sqrt(phi) s_i):
the kab/kota differ by real amounts that do not shrink with size, and a multiplicative factor
still narrows the limits to nothing for the largest units, which are the most over-dispersed.

Rank intervals (Mogstad, Romano, Shaikh & Wilhelm 2024, Rev Econ Stud 91:476, marginal
confidence set with Bonferroni): unit i among K peers; for every peer j the difference
p_j - p_i is tested two-sided at 0.05 / (K - 1) with the Agresti-Caffo standard error
(x + 1) / (n + 2); rank_lo = 1 + peers significantly higher, rank_hi = K - peers significantly
lower. The set covers the true rank with probability >= 95 % and costs one pass over the pairs of
each peer group, so it scales to every posyandu in every month. Peers are the units shown for
stunting (suppressed ones, complementary suppression included, are neither ranked nor peers).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from scipy.special import bdtr, bdtrc, ndtri
from scipy.special._ufuncs import _binom_cdf, _binom_ppf

FUNNEL_QUANTILES = {"lo998": 0.001, "lo95": 0.025, "hi95": 0.975, "hi998": 0.999}
RANK_ALPHA = 0.05
PHI_MIN_UNITS = 5      # fewer shown units in a group: no over-dispersion estimate
WINSOR = (0.10, 0.90)  # Spiegelhalter 2005: 10 % winsorised z-scores


def binom_cdf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X <= k) for X ~ Binomial(n, p), as scipy.stats.binom.cdf (0 below 0, 1 from n on)."""
    k, n, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (k, n, p)))
    inside = _binom_cdf(np.floor(k), n, p)
    return np.where(np.isnan(k), np.nan, np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside)))


def binom_ppf(q: float, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Smallest k with P(X <= k) >= q, for 0 < q < 1, as scipy.stats.binom.ppf."""
    return _binom_ppf(q, np.asarray(n, dtype=float), np.asarray(p, dtype=float))


def p_above(x: np.ndarray, n: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Exact one-sided p-value P(X >= x) = P(X > x - 1), X ~ Binomial(n, theta) (1 for x = 0)."""
    x, n, theta = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x, n, theta)))
    with np.errstate(invalid="ignore"):
        tail = bdtrc(np.maximum(x - 1, 0).astype(np.int64), n.astype(np.int64), theta)
    tail = np.where(theta <= 0, 0.0, np.where(theta >= 1, 1.0, tail))
    return np.clip(np.where(x <= 0, 1.0, tail), 0.0, 1.0)


def p_below(x: np.ndarray, n: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Exact one-sided p-value P(X <= x), X ~ Binomial(n, theta) (1 for x = n)."""
    x, n, theta = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x, n, theta)))
    with np.errstate(invalid="ignore"):
        head = bdtr(np.minimum(x, n).astype(np.int64), n.astype(np.int64), theta)
    head = np.where(theta <= 0, 1.0, np.where(theta >= 1, 0.0, head))
    return np.clip(np.where(x >= n, 1.0, head), 0.0, 1.0)


def funnel_limit(q: float, n: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Interpolated exact binomial limit (as a proportion) at cumulative probability q."""
    n = np.asarray(n, dtype=float)
    theta = np.asarray(theta, dtype=float)
    r = binom_ppf(q, n, theta)
    f_r = binom_cdf(r, n, theta)
    f_below = binom_cdf(r - 1, n, theta)
    step = f_r - f_below
    alpha = np.divide(f_r - q, step, out=np.zeros_like(step), where=step > 0)
    # theta = 1: every child stunted is certain, the funnel is the line 1 itself (the
    # interpolation would put the upper limits below it)
    return np.where(theta >= 1, 1.0, np.clip((r - alpha) / n, 0.0, 1.0))


def bonferroni_z(n_peers: np.ndarray, alpha: float = RANK_ALPHA) -> np.ndarray:
    """Two-sided critical value for the n_peers - 1 comparisons of one unit with its peers."""
    comparisons = np.maximum(np.asarray(n_peers, dtype=float) - 1, 1)
    return ndtri(1 - alpha / (2 * comparisons))


def _build_units(con: duckdb.DuckDBPyConnection) -> None:
    """tmp_prevalensi_banding: the units compared (shown, under a shown parent) with theta."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE tmp_prevalensi_banding AS
        SELECT
            a.level, a.kode, a.kode_induk, a.period_type, a.period_start,
            a.n_stunted AS x, a.n_haz AS n,
            CASE WHEN a.level = 'kabkota' THEN pr.prov_pct_stunted / 100
                 ELSE i.n_stunted / i.n_haz END AS theta
        FROM tmp_prevalensi_agregat AS a
        JOIN tmp_prevalensi_supresi AS s USING (level, kode, period_type, period_start)
        JOIN tmp_prevalensi_agregat AS i
          ON i.kode = a.kode_induk AND i.period_type = a.period_type
         AND i.period_start = a.period_start
        JOIN tmp_prevalensi_supresi AS si
          ON si.level = i.level AND si.kode = i.kode AND si.period_type = i.period_type
         AND si.period_start = i.period_start
        JOIN tmp_prevalensi_provinsi AS pr
          ON pr.period_type = a.period_type AND pr.period_start = a.period_start
        WHERE a.level <> 'provinsi' AND a.n_haz > 0 AND NOT s.sup_haz AND NOT si.sup_haz
          AND i.n_haz > 0
        """
    )
    con.execute("DELETE FROM tmp_prevalensi_banding WHERE theta IS NULL")


def _build_dispersion(con: duckdb.DuckDBPyConnection) -> None:
    """tmp_prevalensi_dispersi: phi, its limit and tau2 per level, parent and period."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE tmp_prevalensi_dispersi AS
        WITH z AS (
            SELECT level, kode_induk, period_type, period_start, n, theta,
                   (x / n - theta) / sqrt(theta * (1 - theta) / n) AS z
            FROM tmp_prevalensi_banding
            WHERE theta > 0 AND theta < 1
        ),
        bounds AS (
            SELECT level, kode_induk, period_type, period_start, count(*) AS n_units,
                   quantile_cont(z, {WINSOR[0]}) AS z_lo, quantile_cont(z, {WINSOR[1]}) AS z_hi,
                   sum(n / (theta * (1 - theta))) AS sw,
                   sum((n / (theta * (1 - theta))) ^ 2) AS sw2
            FROM z GROUP BY ALL
            HAVING count(*) >= {PHI_MIN_UNITS}
        ),
        phi AS (
            SELECT b.level, b.kode_induk, b.period_type, b.period_start, b.n_units,
                   avg(greatest(b.z_lo, least(b.z_hi, z.z)) ^ 2) AS phi,
                   any_value(b.sw) AS sw, any_value(b.sw2) AS sw2
            FROM bounds AS b JOIN z USING (level, kode_induk, period_type, period_start)
            GROUP BY ALL
        )
        SELECT level, kode_induk, period_type, period_start, n_units AS n_units_phi, phi,
               1 + 2 * sqrt(2 / n_units) AS phi_limit,
               -- the share of the variation between units that chance does not explain (the
               -- I^2 of the winsorised chi-square: (I phi - (I - 1)) / (I phi))
               CASE WHEN phi > 0 THEN 100 * greatest(0, (n_units * phi - (n_units - 1))
                                                        / (n_units * phi)) ELSE 0 END
                   AS pct_beyond_chance,
               CASE WHEN phi > 1 + 2 * sqrt(2 / n_units)
                    THEN greatest(0, (n_units * phi - (n_units - 1)) / (sw - sw2 / sw)) END
                   AS tau2
        FROM phi
        """
    )


def _adjusted_limits() -> str:
    """SELECT items: theta +- z sqrt(s^2 + tau2) in percent, clamped to [0, 100], NULL where
    there is no tau2 (greatest/least would skip the NULL)."""
    items = []
    for name, q in FUNNEL_QUANTILES.items():
        z = float(ndtri(q))
        bound = f"b.theta + {z!r} * sqrt(b.theta * (1 - b.theta) / b.n + d.tau2)"
        items.append(f"CASE WHEN d.tau2 IS NOT NULL THEN 100 * greatest(0, least(1, {bound})) "
                     f"END AS funnel_adj_{name}")
    return ",\n            ".join(items)


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, pa.Array]) -> None:
    """A TEMP table of computed columns (registered as Arrow: the same on the Spark engine)."""
    con.register(f"{name}_arrow", pa.table(columns))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def _build_tests(con: duckdb.DuckDBPyConnection) -> None:
    """tmp_prevalensi_uji: p-values, funnel limits and adjusted limits per compared unit."""
    triples = con.sql("SELECT DISTINCT x, n, theta FROM tmp_prevalensi_banding").fetchnumpy()
    x, n, theta = (triples[c].astype(float) for c in ("x", "n", "theta"))
    pairs = con.sql("SELECT DISTINCT n, theta FROM tmp_prevalensi_banding").fetchnumpy()
    pn, ptheta = pairs["n"].astype(float), pairs["theta"].astype(float)
    limits = {name: (100 * funnel_limit(q, pn, ptheta)).tolist()
              for name, q in FUNNEL_QUANTILES.items()}
    _table(con, "tmp_prevalensi_p", {
        "x": pa.array(triples["x"], pa.int64()), "n": pa.array(triples["n"], pa.int64()),
        "theta": pa.array(theta, pa.float64()),
        "p_above": pa.array(p_above(x, n, theta), pa.float64()),
        "p_below": pa.array(p_below(x, n, theta), pa.float64())})
    _table(con, "tmp_prevalensi_funnel", {
        "n": pa.array(pairs["n"], pa.int64()), "theta": pa.array(ptheta, pa.float64()),
        **{f"funnel_{name}": pa.array(limits[name], pa.float64())
           for name in ("lo95", "hi95", "lo998", "hi998")}})
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE tmp_prevalensi_uji AS
        SELECT
            b.level, b.kode, b.period_type, b.period_start,
            100 * b.theta AS induk_pct_stunted,
            p.p_above, p.p_below,
            f.funnel_lo95, f.funnel_hi95, f.funnel_lo998, f.funnel_hi998,
            d.phi, d.phi_limit, d.pct_beyond_chance,
            100 * sqrt(d.tau2) AS tau_pts,
            -- adjusted limits (percent) where the group is over-dispersed
            {_adjusted_limits()}
        FROM tmp_prevalensi_banding AS b
        JOIN tmp_prevalensi_p AS p USING (x, n, theta)
        JOIN tmp_prevalensi_funnel AS f USING (n, theta)
        LEFT JOIN tmp_prevalensi_dispersi AS d
          USING (level, kode_induk, period_type, period_start)
        """
    )
    for table in ("tmp_prevalensi_p", "tmp_prevalensi_funnel", "tmp_prevalensi_banding"):
        con.execute(f"DROP TABLE {table}")


def _build_ranks(con: duckdb.DuckDBPyConnection) -> None:
    # Peers: units shown for stunting at the same level in the same parent (all 38
    # kab/kota share the parent '35'). Rank 1 = highest prevalence; ties share the best rank.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE tmp_prevalensi_peers AS
        SELECT
            level, kode, kode_induk, period_type, period_start,
            (n_stunted + 1.0) / (n_haz + 2) AS p_ac,
            (n_stunted + 1.0) / (n_haz + 2) * (1 - (n_stunted + 1.0) / (n_haz + 2)) / (n_haz + 2)
                AS var_ac,
            count(*) OVER peers AS n_peers,
            rank() OVER (PARTITION BY level, kode_induk, period_type, period_start
                         ORDER BY n_stunted / n_haz DESC) AS rank
        FROM tmp_prevalensi_agregat
        JOIN tmp_prevalensi_supresi USING (level, kode, period_type, period_start)
        WHERE level <> 'provinsi' AND n_haz > 0 AND NOT sup_haz
        WINDOW peers AS (PARTITION BY level, kode_induk, period_type, period_start)
        """
    )
    sizes = con.sql("SELECT DISTINCT n_peers FROM tmp_prevalensi_peers").fetchnumpy()["n_peers"]
    _table(con, "tmp_prevalensi_kritis", {
        "n_peers": pa.array(sizes, pa.int64()),
        "z": pa.array(bonferroni_z(sizes), pa.float64())})
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE tmp_prevalensi_peringkat AS
        WITH pairs AS (
            SELECT
                a.level, a.kode, a.period_type, a.period_start,
                count(*) FILTER (WHERE b.p_ac - a.p_ac > c.z * sqrt(a.var_ac + b.var_ac))
                    AS n_higher,
                count(*) FILTER (WHERE a.p_ac - b.p_ac > c.z * sqrt(a.var_ac + b.var_ac))
                    AS n_lower
            FROM tmp_prevalensi_peers AS a
            JOIN tmp_prevalensi_peers AS b
              ON a.level = b.level AND a.kode_induk = b.kode_induk
             AND a.period_type = b.period_type AND a.period_start = b.period_start
             AND a.kode <> b.kode
            JOIN tmp_prevalensi_kritis AS c ON c.n_peers = a.n_peers
            GROUP BY ALL
        )
        SELECT
            u.level, u.kode, u.period_type, u.period_start, u.n_peers, u.rank,
            -- the interval always holds the point rank (Agresti-Caffo and crude orders can
            -- differ for units with very different n)
            least(u.rank, 1 + coalesce(p.n_higher, 0)) AS rank_lo,
            greatest(u.rank, u.n_peers - coalesce(p.n_lower, 0)) AS rank_hi
        FROM tmp_prevalensi_peers AS u
        LEFT JOIN pairs AS p USING (level, kode, period_type, period_start)
        """
    )
    con.execute("DROP TABLE tmp_prevalensi_peers")
    con.execute("DROP TABLE tmp_prevalensi_kritis")


def build(con: duckdb.DuckDBPyConnection, config: object) -> None:
    _build_units(con)
    _build_dispersion(con)
    _build_tests(con)
    _build_ranks(con)
