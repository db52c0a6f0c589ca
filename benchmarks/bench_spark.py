"""The mart rebuild on Spark local mode against DuckDB, on the same warehouse (issue 13).

    python -m benchmarks.bench_spark --warehouse WH [--work DIR] [--driver-memory 8g]

WH is a published warehouse (for the issue's figures: the full province, e.g. the one
`python -m benchmarks.bench_province --save-history DIR` keeps). It is copied twice (catalog
copied, store files hard-linked: they are never changed) and each copy rebuilt by one engine,
`tumbuh rebuild --engine duckdb|spark`, in its own process on the shipped settings (the Spark
driver's heap from --driver-memory, since local mode holds the whole engine in it). Printed per
engine: wall seconds, peak memory of the process tree (PSS summed over the command and its
children, every 2 s: Spark's JVM is a child of the command) and the ratio Spark / DuckDB. Then each mart
of the two is checked alike by row count and per-column sums (hashes of exact columns, doubles
to 1e-9 relative); the row-by-row equality is the test's job (tests/pipelines/spark).
Each command's stderr is kept beside the copies' folder: bench_spark.<engine>.log.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from benchmarks.bench_demo import _tree_memory
from benchmarks.bench_province import _copy_warehouse
from tests.warehouse_compare import mart_tables  # the marts the equality test compares


def _rebuild(engine: str, warehouse: Path, config: Path | None, log: Path) -> dict:
    """`tumbuh rebuild --engine ENGINE`: wall seconds, peak PSS of its process tree (sampled
    every 2 s: reading a 9 GB JVM's smaps every 0.5 s took a tenth of a core from the run it
    measures). Its stderr (TUMBUH_TRACE=1: where the time went) goes to `log`."""
    env = dict(os.environ, TUMBUH_TRACE="1")
    if config is not None:
        env["TUMBUH_CONFIG"] = str(config)
    peak = [0]
    t0 = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tumbuh_cli", "rebuild", "--engine",
                                 engine, "--warehouse", str(warehouse)],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(2.0):
                peak[0] = max(peak[0], _tree_memory(proc.pid)[0])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    seconds = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"rebuild --engine {engine}: exit {code}\n{log.read_text()[-3000:]}")
    return {"engine": engine, "seconds": seconds, "peak_mb": peak[0] / 1024}


def _checksums(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, list[tuple]]:
    """Row count and, per column, a sum: of the doubles themselves, of every other column's
    hash (order-free, exact)."""
    columns = con.execute(f"DESCRIBE {table}").fetchall()
    parts = [f'sum("{c}")' if t in ("DOUBLE", "FLOAT") else f'sum(hash("{c}"))::HUGEINT'
             for c, t, *_ in columns]
    row = con.execute(f"SELECT count(*), {', '.join(parts) or '0'} FROM {table}").fetchone()
    return row[0], list(zip([c for c, *_ in columns], row[1:]))


def compare(duck: Path, spark: Path) -> list[str]:
    """The marts whose row count or column sums differ between the two warehouses."""
    differ = []
    with duckdb.connect(str(duck), read_only=True) as a, \
            duckdb.connect(str(spark), read_only=True) as b:
        for table in mart_tables(a):
            (n_a, sums_a), (n_b, sums_b) = _checksums(a, table), _checksums(b, table)
            bad = [c for (c, x), (_, y) in zip(sums_a, sums_b)
                   if not (x == y or (isinstance(x, float) and isinstance(y, float)
                                      and abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0)))]
            if n_a != n_b or bad or len(sums_a) != len(sums_b):
                differ.append(f"{table}: rows {n_a} vs {n_b}, columns differing {bad}")
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--work", type=Path, help="where the two copies go (default: a temp "
                        "folder on the warehouse's disk, removed afterwards)")
    parser.add_argument("--driver-memory", default=None,
                        help="Spark's driver heap (default: the config's [spark] driver_memory)")
    parser.add_argument("--spark-first", action="store_true",
                        help="rebuild on Spark before DuckDB (a long Spark run's figure is kept "
                        "even if the DuckDB half is cut short)")
    args = parser.parse_args(argv)
    source = args.warehouse.resolve()
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work or source.parent,
                                     prefix="bench_spark.") as work_dir:
        work = Path(work_dir)
        config = None
        if args.driver_memory:
            from pipelines.config import DEFAULT_CONFIG
            text = DEFAULT_CONFIG.read_text()
            config = work / "tumbuh.toml"
            # the shipped config with one value changed; its relative paths stay the project's
            root = DEFAULT_CONFIG.resolve().parent.parent
            for key in ("geo/", "config/", "data/"):
                text = text.replace(f'= "{key}', f'= "{root}/{key}')
            config.write_text(text.replace('driver_memory = "2g"',
                                           f'driver_memory = "{args.driver_memory}"'))
        results = {}
        for engine in ("spark", "duckdb") if args.spark_first else ("duckdb", "spark"):
            copy = work / f"{engine}.duckdb"
            _copy_warehouse(source, copy)
            # the command's stderr (its trace, or Spark's error) outlives the copies
            log = (args.work or source.parent) / f"bench_spark.{engine}.log"
            result = _rebuild(engine, copy, config, log)
            results[engine] = result
            print(f"{engine:<7} {result['seconds']:8.1f} s   peak {result['peak_mb']:8.0f} MB",
                  flush=True)
            print(log.read_text().strip()[-4000:], flush=True)
        duck, spark = results["duckdb"], results["spark"]
        print(f"spark / duckdb: {spark['seconds'] / duck['seconds']:.1f}x time, "
              f"{spark['peak_mb'] / duck['peak_mb']:.1f}x peak memory")
        differ = compare(work / "duckdb.duckdb", work / "spark.duckdb")
        print("marts alike (row counts, column sums)" if not differ
              else "marts DIFFER:\n" + "\n".join(differ))
        return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
