"""Province-scale loads on the shipped defaults (issue 12): what a load costs once the warehouse
holds everything loaded before.

    python -m benchmarks.bench_province --demo DIR [--work DIR]

DIR is a demo folder (`tumbuh demo --scale 1 --out DIR` for the issue's figures). Steps, each
`tumbuh` command in its own process (peak RSS of that process; peak disk of the warehouse
folder sampled every 0.5 s while it runs):

1. build: every file except the last month's posyandu, PKK and SPM exports and one daily
   intervention report, into a new warehouse (the province's history);
2. month: the last month of the whole province (one command, 38+ files) into it;
3. small: a 1,000-row posyandu file (rows of a last-month file measured one day later);
4. daily: the held-back daily intervention report;
5. rebuild: `tumbuh rebuild` (every mart from the stored rows).

The peer, measured in the same run: a bare DuckDB scan of the same CSV files (read_csv, every
column as text); each step is printed with its ratio to the scan of the rows it adds.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.ingest import files_in


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _run(label: str, args: list[str], watch: Path, log: Path) -> dict:
    """One tumbuh command: wall time, peak RSS (its own process), peak disk of `watch`.
    Its stderr goes to `log` (with TUMBUH_TRACE=1 set, where the time went)."""
    peak_disk = [_folder_bytes(watch)]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak_disk[0] = max(peak_disk[0], _folder_bytes(watch))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tumbuh_cli", *args],
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        printed = err.read()
        log.write_text(printed, encoding="utf-8")
        # exit 1 = some export files were fatal (the demo has a few); a traceback is a failure
        if code not in (0, 1) or "Traceback" in printed:
            raise SystemExit(f"{label}: exit {code}\n{printed[-3000:]}")
    return {"label": label, "seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024,
            "peak_disk_gb": peak_disk[0] / 1e9, "final_disk_gb": _folder_bytes(watch) / 1e9}


def _copy_warehouse(source: Path, target: Path) -> None:
    """The catalog copied, the store's Parquet files hard-linked: a store file is never changed
    after it is written (pipelines/store.py), so the two warehouses can share them."""
    shutil.copy2(source, target)
    shutil.copytree(source.with_name(source.stem + ".store"),
                    target.with_name(target.stem + ".store"), copy_function=os.link)


def _scan_seconds(files: list[Path]) -> tuple[float, int]:
    """The peer: DuckDB reading the CSV files as text (XLSX/XLS/HTML files are not counted)."""
    csvs = [str(f) for f in files if f.suffix.lower() in (".csv", ".txt")]
    if not csvs:
        return 0.0, 0
    con = duckdb.connect()
    t0 = time.perf_counter()
    rows = 0
    for f in csvs:
        rows += con.execute("SELECT count(*) FROM read_csv(?, all_varchar = true, "
                            "header = false, skip = 0, null_padding = true, ignore_errors = true)",
                            [f]).fetchone()[0]
    return time.perf_counter() - t0, rows


def _small_file(source: Path, out: Path, rows: int = 1000) -> Path:
    """`rows` data rows of a posyandu CSV, each measured one day later (new measurements, not
    duplicates of the rows loaded before: the load must stage them)."""
    text = source.read_text(encoding="utf-8", errors="replace")
    # the export's own delimiter: the one that makes "Tanggal Pengukuran" a cell of its own
    delimiter = next(d for d in (";", ",", "\t") if any(
        c.strip() == "Tanggal Pengukuran" for line in text.splitlines()[:20]
        for c in line.split(d)))
    lines = list(csv.reader(text.splitlines(), delimiter=delimiter))
    header_at = next(i for i, r in enumerate(lines) if "Tanggal Pengukuran" in r)
    col = lines[header_at].index("Tanggal Pengukuran")
    body, shifted = [], 0
    for r in lines[header_at + 1:]:
        if len(r) > col and len(body) < rows:
            for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
                try:
                    day = datetime.strptime(r[col].strip(), fmt)
                except ValueError:
                    continue
                r = [*r[:col], (day + timedelta(days=1)).strftime(fmt), *r[col + 1:]]
                shifted += 1
                break
            body.append(r)
    if shifted < 0.9 * len(body):
        raise SystemExit(f"{source}: only {shifted} of {len(body)} measurement dates shifted")
    with open(out, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows([*lines[:header_at + 1], *body])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", required=True, type=Path)
    parser.add_argument("--work", type=Path, default=None, help="where the warehouse goes")
    parser.add_argument("--history", type=Path, default=None,
                        help="a warehouse already holding step 1 (copied; step 1 is skipped)")
    parser.add_argument("--save-history", type=Path, default=None,
                        help="keep the warehouse of step 1 here, for later runs with --history")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_province_"))
    work.mkdir(parents=True, exist_ok=True)
    demo = args.demo.resolve()
    months = sorted(p.name for p in (demo / "posyandu").iterdir() if p.is_dir())
    last = months[-1]
    history, month_batch = work / "history", work / "month"
    for folder in (history, month_batch):
        shutil.rmtree(folder, ignore_errors=True)
    held_back_report = None
    for source in ("posyandu", "pkk", "spm", "intervensi"):
        for f in files_in(demo / source):
            rel = f.relative_to(demo)
            in_last = last in rel.parts or (source == "intervensi" and held_back_report is None
                                            and f.suffix.lower() == ".csv")
            if source == "intervensi" and in_last:
                held_back_report = f
                continue
            target = (month_batch if in_last else history) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(f)
    warehouse = work / "wh" / "warehouse.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    warehouse.parent.mkdir(parents=True)
    if args.history:
        _copy_warehouse(args.history, warehouse)
    small = _small_file(next(iter(files_in(month_batch / "posyandu"))), work / "small_1000.csv")
    steps = [
        ("build (history)", ["ingest", "all", str(history), "--warehouse", str(warehouse)],
         files_in(history / "posyandu") + files_in(history / "pkk") + files_in(history / "spm")),
        (f"month {last} (whole province)",
         ["ingest", "all", str(month_batch), "--warehouse", str(warehouse)],
         [f for s in ("posyandu", "pkk", "spm") for f in files_in(month_batch / s)]),
        ("1,000-row posyandu file", ["ingest", "posyandu", str(small), "--warehouse",
                                     str(warehouse)], [small]),
        ("daily intervention report", ["ingest", "intervensi", str(held_back_report),
                                       "--warehouse", str(warehouse)], [held_back_report]),
        ("rebuild (every mart)", ["rebuild", "--warehouse", str(warehouse)], []),
    ]
    print(f"demo {demo} ({len(months)} months; last month {last}); warehouse in {warehouse.parent}")
    print(f"{'step':34s} {'seconds':>9s} {'peak RSS':>10s} {'peak disk':>10s} {'disk after':>10s}"
          f" {'scan s':>8s} {'x scan':>7s}")
    for number, (label, command, inputs) in enumerate(steps):
        if args.history and number == 0:
            continue
        result = _run(label, command, warehouse.parent, work / f"step{number + 1}.log")
        scan, _ = _scan_seconds(inputs) if inputs else (0.0, 0)
        ratio = f"{result['seconds'] / scan:7.1f}" if scan else "      -"
        rss = f"{result['peak_rss_mb']:8.0f}MB"
        print(f"{label:34s} {result['seconds']:9.1f} {rss} {result['peak_disk_gb']:8.2f}GB "
              f"{result['final_disk_gb']:8.2f}GB {scan:8.1f} {ratio}", flush=True)
        if number == 0 and args.save_history:
            args.save_history.mkdir(parents=True, exist_ok=True)
            _copy_warehouse(warehouse, args.save_history / warehouse.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
