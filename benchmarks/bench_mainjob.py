"""Benchmark: the README's main job on the default demo data, generate + `tumbuh ingest all`.

    python -m benchmarks.bench_mainjob [--scale S] [--keep DIR]

Times `tumbuh demo` and `tumbuh ingest all` (each in its own process, peak RSS of each), and as
the peer a bare DuckDB `read_csv` of every CSV export of the same folder into tables (all text,
one statement per source: the least any loader must do with those bytes). Issue 3's target:
generate + ingest under 2 minutes on 2 cores. With --keep the demo and warehouse stay in DIR
(the dashboard benchmark reads the warehouse).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

from demo.generate import DEFAULT_SCALE

TARGET_S = 120.0


def _child(*args: str) -> tuple[float, float, str]:
    """Run `python -m <args>` with its peak RSS printed by `--step rss`; (seconds, MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_mainjob", "--step", *args],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    peak = float(proc.stderr.strip().splitlines()[-1])
    return seconds, peak, proc.stdout


def _step(args: list[str]) -> int:
    """In the child: run a CLI command or the peer scan, then print peak RSS (MiB) to stderr."""
    if args[0] == "scan":
        folder = Path(args[1])
        con = duckdb.connect()
        for source in ("posyandu", "pkk", "spm", "intervensi"):
            files = sorted(str(p) for p in (folder / source).rglob("*.csv"))
            if files:
                con.execute(f"CREATE TABLE {source} AS SELECT * FROM read_csv(?, all_varchar=true, "
                            "union_by_name=true, null_padding=true, strict_mode=false, "
                            "ignore_errors=true)", [files])
        code = 0
    else:
        from tumbuh_cli import main

        code = main(args)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
    return code


def run(scale: float, keep: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        demo, warehouse = folder / "demo", folder / "warehouse.duckdb"
        warehouse.unlink(missing_ok=True)
        gen_s, gen_mib, _ = _child("demo", "--scale", str(scale), "--out", str(demo))
        ingest_s, ingest_mib, out = _child("ingest", "all", str(demo), "--warehouse", str(warehouse),
                                           "--json")
        scan_s, scan_mib, _ = _child("scan", str(demo))
        results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        formats = Counter(p.suffix.lower() for p in demo.rglob("*") if p.is_file() and p.parent != demo)
        return {
            "scale": scale, "files": len(results), "formats": dict(formats),
            "rows_read": sum(r["rows_read"] for r in results),
            "rows_staged": sum(r["rows_staged"] for r in results),
            "rows_rejected": sum(r["rows_rejected"] for r in results),
            "fatal": sum(r["fatal"] for r in results),
            "demo_s": gen_s, "demo_peak_mib": gen_mib,
            "ingest_s": ingest_s, "ingest_peak_mib": ingest_mib,
            "scan_s": scan_s, "scan_peak_mib": scan_mib,
            "total_s": gen_s + ingest_s,
        }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--step"]:
        return _step(argv[1:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--keep", type=Path, help="keep the demo and warehouse in this folder")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    r = run(args.scale, args.keep)
    print(f"main job benchmark: demo --scale {r['scale']} -> {r['files']:,} files {r['formats']}")
    print(f"  tumbuh demo            : {r['demo_s']:7.1f} s   peak {r['demo_peak_mib']:6.0f} MiB")
    print(f"  tumbuh ingest all      : {r['ingest_s']:7.1f} s   peak {r['ingest_peak_mib']:6.0f} MiB"
          f"   {r['rows_read'] / r['ingest_s']:,.0f} rows/s")
    print(f"  bare read_csv of CSVs  : {r['scan_s']:7.1f} s   peak {r['scan_peak_mib']:6.0f} MiB"
          f"   (ingest / scan = {r['ingest_s'] / r['scan_s']:.1f}x)")
    print(f"  generate + ingest      : {r['total_s']:7.1f} s   (target < {TARGET_S:.0f} s: "
          f"{'met' if r['total_s'] < TARGET_S else 'NOT met'})")
    print(f"  accounting             : {r['rows_read']:,} read = {r['rows_staged']:,} staged + "
          f"{r['rows_rejected']:,} rejected; {r['fatal']} fatal files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
