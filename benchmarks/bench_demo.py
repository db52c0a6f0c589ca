"""Benchmark: `tumbuh demo` generation time and peak memory.

    python -m benchmarks.bench_demo [--scale S] [--seed N] [--workers W] [--out DIR]

Runs the generator as a child process (`python -m demo`) and samples the memory of its whole
process tree (the main process and its worker processes) every 50 ms from /proc: the peak of
the summed PSS (shared pages split between the processes) is the memory the run needs. Prints wall time, CPU time, peak memory (tree
and largest single process), rows and files written and the output size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo.generate import DEFAULT_SCALE


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


def _kib(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_memory(root: int) -> tuple[int, int]:
    """(sum of PSS, largest RSS) in KiB over the process and its descendants. PSS splits the
    pages forked workers share with their parent, so the sum is what the tree really uses."""
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += _children(pid)
    pss = [_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in seen]
    rss = [_kib(f"/proc/{p}/status", "VmRSS:") for p in seen]
    return sum(pss), max(rss)


def bench(scale: float, seed: int, workers: int | None, out: Path) -> dict:
    cmd = [sys.executable, "-m", "demo", "--scale", str(scale), "--seed", str(seed), "--out", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_one = 0
    while proc.poll() is None:
        s, m = _tree_memory(proc.pid)
        peak_sum, peak_one = max(peak_sum, s), max(peak_one, m)
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    stdout, stderr = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"generator failed ({proc.returncode}):\n{stderr}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    manifest = json.loads((out / "manifest.json").read_text())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "scale": scale, "seed": seed, "workers": workers or min(2, os.cpu_count() or 1),
        "wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_pss_tree_mib": round(peak_sum / 1024), "peak_rss_process_mib": round(max(peak_one, usage.ru_maxrss) / 1024),
        "children": manifest["summary"]["sources"]["posyandu"]["children"],
        "rows": {s: v["rows"] for s, v in manifest["summary"]["sources"].items()},
        "files": {s: v["files"] for s, v in manifest["summary"]["sources"].items()},
        "output_mib": round(size / 2**20),
        "generator_says": stdout.strip(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_demo", description=__doc__)
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", help="output folder (default: a temporary folder, removed afterwards)")
    args = parser.parse_args(argv)
    if args.out:
        result = bench(args.scale, args.seed, args.workers, Path(args.out))
    else:
        with tempfile.TemporaryDirectory(prefix="tumbuh_bench_demo_") as tmp:
            result = bench(args.scale, args.seed, args.workers, Path(tmp))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
