"""reads: tmp_prevalensi_agregat, tmp_prevalensi_provinsi

grain: tmp_prevalensi_funnel (temp) one row per period and denominator n: exact binomial
funnel limits around the provincial value; tmp_prevalensi_peringkat (temp) one row per ranked
unit and period: rank among its peers with a 95% rank interval.

The two steps SQL cannot do alone: binomial quantiles and normal quantiles (the scipy.special
ufuncs that scipy.stats' binom and norm call, without the second it takes to import scipy.stats
on every publish; a test holds them equal to scipy.stats). Both work on small tables (distinct
(p, n) pairs; one critical value per peer-group size); the pairwise comparisons for the rank
intervals run in DuckDB.

Funnel limits (Spiegelhalter 2005, Stat Med 24:1185, appendix A.1.1): for target proportion
theta, denominator n and cumulative probability q, r = binom.ppf(q, n, theta) and
alpha = (F(r) - q) / (F(r) - F(r - 1)); the limit is (r - alpha) / n, clamped to [0, 1]. The
interpolation makes the limits continuous in n, as in the usual funnel-plot tools.

Rank intervals (Mogstad, Romano, Shaikh & Wilhelm 2024, Rev Econ Stud 91:476, marginal
confidence set with Bonferroni): unit i among K peers; for every peer j the difference
p_j - p_i is tested two-sided at 0.05 / (K - 1) with the Agresti-Caffo standard error
(x + 1) / (n + 2); rank_lo = 1 + peers significantly higher, rank_hi = K - peers significantly
lower. The set covers the true rank with probability >= 95 % and costs one pass over the pairs of
each peer group, so it scales to every posyandu in every month.
"""

from __future__ import annotations

import duckdb
import numpy as np
from scipy.special import ndtri
from scipy.special._ufuncs import _binom_cdf, _binom_ppf

FUNNEL_QUANTILES = {"lo998": 0.001, "lo95": 0.025, "hi95": 0.975, "hi998": 0.999}
RANK_ALPHA = 0.05


def binom_cdf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X <= k) for X ~ Binomial(n, p), as scipy.stats.binom.cdf (0 below 0, 1 from n on)."""
    k, n, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (k, n, p)))
    inside = _binom_cdf(np.floor(k), n, p)
    return np.where(np.isnan(k), np.nan, np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside)))


def binom_ppf(q: float, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Smallest k with P(X <= k) >= q, for 0 < q < 1, as scipy.stats.binom.ppf."""
    return _binom_ppf(q, np.asarray(n, dtype=float), np.asarray(p, dtype=float))


def funnel_limit(q: float, n: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Interpolated exact binomial limit (as a proportion) at cumulative probability q."""
    n = np.asarray(n, dtype=float)
    theta = np.asarray(theta, dtype=float)
    r = binom_ppf(q, n, theta)
    f_r = binom_cdf(r, n, theta)
    f_below = binom_cdf(r - 1, n, theta)
    step = f_r - f_below
    alpha = np.divide(f_r - q, step, out=np.zeros_like(step), where=step > 0)
    return np.clip((r - alpha) / n, 0.0, 1.0)


def bonferroni_z(n_peers: np.ndarray, alpha: float = RANK_ALPHA) -> np.ndarray:
    """Two-sided critical value for the n_peers - 1 comparisons of one unit with its peers."""
    comparisons = np.maximum(np.asarray(n_peers, dtype=float) - 1, 1)
    return ndtri(1 - alpha / (2 * comparisons))


def _build_funnel(con: duckdb.DuckDBPyConnection) -> None:
    # Limits depend on (n, provincial value) only: computed once per distinct pair, joined back
    # to every period with that pair. Values travel as lists (no DataFrame, no pandas import).
    pairs = con.sql(
        """
        SELECT DISTINCT a.n_haz, p.prov_pct_stunted
        FROM tmp_prevalensi_agregat AS a
        JOIN tmp_prevalensi_provinsi AS p USING (period_type, period_start)
        WHERE a.n_haz > 0 AND p.prov_pct_stunted IS NOT NULL
        """
    ).fetchnumpy()
    n = pairs["n_haz"].astype(float)
    theta = pairs["prov_pct_stunted"].astype(float)
    limits = {name: (100 * funnel_limit(q, n, theta / 100)).tolist()
              for name, q in FUNNEL_QUANTILES.items()}
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE tmp_prevalensi_funnel AS
        WITH limits AS (
            SELECT unnest($n_haz::BIGINT[]) AS n_haz, unnest($theta::DOUBLE[]) AS prov_pct_stunted,
                   unnest($lo95::DOUBLE[]) AS funnel_lo95, unnest($hi95::DOUBLE[]) AS funnel_hi95,
                   unnest($lo998::DOUBLE[]) AS funnel_lo998, unnest($hi998::DOUBLE[]) AS funnel_hi998
        )
        SELECT DISTINCT a.period_type, a.period_start, a.n_haz,
               l.funnel_lo95, l.funnel_hi95, l.funnel_lo998, l.funnel_hi998
        FROM tmp_prevalensi_agregat AS a
        JOIN tmp_prevalensi_provinsi AS p USING (period_type, period_start)
        JOIN limits AS l ON l.n_haz = a.n_haz AND l.prov_pct_stunted = p.prov_pct_stunted
        """,
        {"n_haz": pairs["n_haz"].tolist(), "theta": theta.tolist(), **limits},
    )


def _build_ranks(con: duckdb.DuckDBPyConnection) -> None:
    # Peers: unsuppressed units with a valid HAZ at the same level in the same parent (all 38
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
            rank() OVER (peers ORDER BY n_stunted / n_haz DESC) AS rank
        FROM tmp_prevalensi_agregat
        WHERE level <> 'provinsi' AND n_haz > 0 AND n_children >= getvariable('min_cell')
        WINDOW peers AS (PARTITION BY level, kode_induk, period_type, period_start)
        """
    )
    sizes = con.sql("SELECT DISTINCT n_peers FROM tmp_prevalensi_peers").fetchnumpy()["n_peers"]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE tmp_prevalensi_kritis AS "
        "SELECT unnest(?::BIGINT[]) AS n_peers, unnest(?::DOUBLE[]) AS z",
        [sizes.tolist(), bonferroni_z(sizes).tolist()],
    )
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
    _build_funnel(con)
    _build_ranks(con)
