"""Time the stunting and quality marts on a synthetic stg_pengukuran.

    .venv/bin/python -m tests.pipelines.marts.benchmark_marts --children 500000 --months 24

(about 10 million staged rows, the size of `--scale 0.1`). Prints the seconds of every model
and the total. The warehouse lives in a temporary directory and is deleted afterwards.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.config import SQL_DIR, default_config
from pipelines.marts import build_marts
from pipelines.warehouse import init_schema
from tests.pipelines.marts.synthetic import fill_synthetic


def own_audit_failures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The stunting_/quality_ audits (as run_audits runs them; the other domains' audits need
    their own marts, which this benchmark does not build)."""
    failures = {}
    for path in sorted((SQL_DIR / "audits").glob("*.sql")):
        if path.stem.startswith(("stunting_", "quality_")):
            sql = path.read_text().rstrip().rstrip(";")
            n = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            if n:
                failures[path.stem] = n
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=500_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    config = default_config()
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        init_schema(con)
        t0 = time.perf_counter()
        rows = fill_synthetic(con, args.children, args.months)
        con.execute("CHECKPOINT")
        print(f"staged rows: {rows:,} (generated in {time.perf_counter() - t0:.1f} s)")
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        ran = build_marts(con, config)
        total = time.perf_counter() - t
        print(f"models run: {len(ran)}")
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        print(f"total marts: {total:.1f} s wall, {cpu:.1f} s CPU (user + system)")
        for table in ("mart_prevalensi", "mart_kualitas_data"):
            n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            print(f"{table}: {n:,} rows")
        print("audit failures:", own_audit_failures(con) or "none")
        con.close()


if __name__ == "__main__":
    main()
