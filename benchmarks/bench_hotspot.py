"""Benchmark: the hotspot marts (pipelines/sql/marts/stunting/70_mart_hotspot.py) on 666
kecamatan x 30 periods x 999 permutations, against bare esda calls on the same data.

    python -m benchmarks.bench_hotspot [--periods 30] [--permutations 999]

Input: a catalog holding ref_wilayah and the kecamatan rows of a mart_prevalensi with a
spatially structured smoothed prevalence (a kab/kota level, a west-east gradient and noise), 5 %
of the units suppressed at random in each period. Times (wall and CPU of this process):
importing PySAL, the queen contiguity of the boundary file, the model's full build, a rerun
with nothing changed and a rerun after one period changed; the peer is Moran + Moran_Local +
G_Local called directly on the same values and weights, period by period.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import numpy as np
import pandas as pd

from pipelines.config import REFERENCE_DIR, SQL_DIR, default_config

MODEL = SQL_DIR / "marts" / "stunting" / "70_mart_hotspot.py"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@contextmanager
def timed(label: str, out: dict[str, tuple[float, float]]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu()
    yield
    out[label] = (time.perf_counter() - wall, _cpu() - cpu)
    print(f"{label:<44} {out[label][0]:7.2f} s wall {out[label][1]:7.2f} s CPU", flush=True)


def periods(n: int) -> list[tuple[str, str, str]]:
    """(period_type, period, period_start): months from 2024-01, their years, bulan timbang."""
    months = pd.period_range("2024-01", periods=max(n - 2 - (n // 12) * 2, 1), freq="M")
    out = [("bulan", str(m), f"{m}-01") for m in months]
    out += [("bulan_timbang", str(m), f"{m}-01") for m in months if m.month in (2, 8)]
    out += [("tahun", str(y), f"{y}-01-01") for y in sorted({m.year for m in months})]
    return out[:n]


def catalog(n_periods: int, seed: int = 7) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE ref_wilayah AS SELECT * FROM read_csv(?, all_varchar = true)",
                [str(REFERENCE_DIR / "wilayah_jatim.csv")])
    kec = con.execute("SELECT kode, kode_induk FROM ref_wilayah WHERE tingkat = 'kecamatan' "
                      "ORDER BY kode").df()
    rng = np.random.default_rng(seed)
    kab_level = {k: rng.normal(18, 5) for k in kec["kode_induk"].unique()}
    gradient = np.linspace(-3, 3, len(kec))
    rows = []
    for period_type, period, start in periods(n_periods):
        value = (kec["kode_induk"].map(kab_level).to_numpy() + gradient
                 + rng.normal(0, 2, len(kec)))
        hidden = rng.random(len(kec)) < 0.05
        rows.append(pd.DataFrame({
            "level": "kecamatan", "kode": kec["kode"], "period_type": period_type,
            "period": period, "period_start": pd.Timestamp(start).date(),
            "n_haz": rng.integers(40, 400, len(kec)),
            "pct_stunted_eb": np.where(hidden, np.nan, np.clip(value, 1, 60)),
            "suppressed": hidden}))
    frame = pd.concat(rows, ignore_index=True)
    con.register("frame", frame)
    con.execute("CREATE TABLE mart_prevalensi AS SELECT * FROM frame")
    con.unregister("frame")
    return con


def model() -> object:
    spec = importlib.util.spec_from_file_location("bench_hotspot_model", MODEL)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--periods", type=int, default=30)
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args(argv)
    base = default_config()
    config = base.replace(hotspot={"permutations": args.permutations})
    t: dict[str, tuple[float, float]] = {}
    with timed("import esda + libpysal", t):
        import esda
        import libpysal  # noqa: F401
    from geo.weights import boundary_file, kecamatan_contiguity, period_weights

    with timed("queen contiguity of the boundary file", t):
        contiguity = kecamatan_contiguity(boundary_file(config))
    con = catalog(args.periods)
    n = con.execute("SELECT count(DISTINCT (period_type, period)) FROM mart_prevalensi").fetchone()[0]
    print(f"{n} periods x {len(contiguity.codes)} kecamatan x {args.permutations} permutations")
    m = model()
    with timed("model: full build", t):
        m.build(con, config)
    with timed("model: rerun, nothing changed", t):
        m.build(con, config)
    con.execute("UPDATE mart_prevalensi SET pct_stunted_eb = pct_stunted_eb + 0.5 "
                "WHERE period_type = 'bulan' AND period = '2024-03'")
    with timed("model: rerun, one period changed", t):
        m.build(con, config)
    rows = con.execute("SELECT count(*) FROM mart_hotspot").fetchone()[0]
    stats = con.execute("SELECT count(*) FILTER (WHERE status = 'analysed'), "
                        "round(median(moran_i), 3) FROM mart_moran").fetchone()
    print(f"mart_hotspot {rows:,} rows; {stats[0]} periods analysed; median Moran's I {stats[1]}")

    inputs = con.execute("SELECT period_type, period, kode, pct_stunted_eb FROM mart_prevalensi "
                         "WHERE NOT suppressed ORDER BY ALL").df()
    with timed("peer: bare esda calls, every period", t), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, rows_ in inputs.groupby(["period_type", "period"]):
            weights = period_weights(contiguity, rows_["kode"])
            y = rows_.set_index("kode").loc[list(weights.codes), "pct_stunted_eb"].to_numpy()
            w = weights.w()
            w.transform = "r"
            esda.Moran(y, w, permutations=args.permutations)
            esda.Moran_Local(y, w, permutations=args.permutations, seed=1, n_jobs=1)
            esda.G_Local(y, weights.w(), transform="B", star=True, permutations=0, n_jobs=1)
    full, peer = t["model: full build"], t["peer: bare esda calls, every period"]
    print(f"model full build / bare esda: {full[0] / peer[0]:.2f}x wall, "
          f"{full[1] / peer[1]:.2f}x CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
