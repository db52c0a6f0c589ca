"""`tumbuh demo`: realistic demo exports for Jawa Timur, from a few hundred children per
kab/kota up to the full province (`--scale 1`: about 2.8 million balita).

Writes, under the output folder: posyandu/, pkk/, spm/, intervensi/ (the four export sources,
docs/contracts.md 1.1-1.4), hierarchy.csv (every posyandu with its codes and puskesmas),
manifest.json (targets, per-file expected accounting, summary) and manifest_rows.csv (one line
per corrupted row). Same seed and scale, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Sequence
from pathlib import Path

from demo import intervensi, mess, pkk, spm
from demo.kabkota import MANIFEST_FIELDS, Context, KabResult
from demo.kabkota import run as run_kabkota
from demo.options import DEFAULT_SCALE, add_arguments
from demo.reference import (
    GOOD_PERFORMER,
    KabKota,
    build_kabkota,
    hierarchy_frame,
    intervention_kabkota,
    targets,
)

DEFAULT_MESS_RATE = 0.02
# Balita 6-59 months simulated at least per kab/kota, so that the smallest kota (Kota Mojokerto,
# 8,910) still has hundreds of children at small scales.
DEFAULT_MIN_BALITA = 400
TARGET_RULE = (
    "target_2025 = SSGI 2024 x factor; m = clip(0.5 x |ln(SSGI 2024 / SSGI 2022)|, 0.05, 0.25); "
    "target_2024 = target_2025 x (1 + m) where the survey fell from 2022 to 2024, else "
    "target_2025 / (1 + m); factor uniform in [1/6, 1/2], narrowed so that both years stay in that band"
)

_JOB: tuple[list[KabKota], Context] | None = None  # set before forking workers


def _work(i: int) -> KabResult:
    kabs, ctx = _JOB
    return run_kabkota(kabs[i], ctx)


def _remove_stale(out_dir: Path, written: set[str]) -> None:
    """Remove files an earlier run left in our folders that this run did not write (another
    scale or format); files written again were simply overwritten."""
    for name in ("posyandu", "pkk", "spm", "intervensi"):
        folder = out_dir / name
        if not folder.is_dir():
            continue
        for p in sorted(folder.rglob("*"), reverse=True):
            rel = p.relative_to(out_dir).as_posix()
            if p.is_file() and rel not in written:
                p.unlink()
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(out_dir: Path, scale: float = DEFAULT_SCALE, seed: int = 1, clean: bool = False, *,
        mess_rate: float = DEFAULT_MESS_RATE, min_balita: int = DEFAULT_MIN_BALITA,
        workers: int | None = None, kabkota: Sequence[str] | None = None) -> dict:
    """Generate every demo export into `out_dir`; returns a summary (files, rows and children
    per source, seconds). `kabkota` limits the exports to those codes, for a quick partial run:
    a kab/kota's posyandu, PKK and SPM files are then the same bytes as in a full run."""
    global _JOB
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    all_kabs = build_kabkota(seed, scale, min_balita)
    tg = targets(all_kabs, seed)
    ctx = Context(out_dir, seed, scale, min_balita, mess_rate, clean, tg)
    hierarchy_frame(all_kabs).to_csv(out_dir / "hierarchy.csv", index=False, lineterminator="\n")
    kabs = [k for k in all_kabs if kabkota is None or k.kode in kabkota]

    workers = workers or min(2, os.cpu_count() or 1)
    order = sorted(range(len(kabs)), key=lambda i: -kabs[i].balita_6_59)  # big ones first
    _JOB = (kabs, ctx)
    try:
        if workers > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = list(pool.imap_unordered(_work, order))
        else:
            results = [_work(i) for i in order]
    finally:
        _JOB = None
    results.sort(key=lambda r: r.kode)
    iv_files, iv_lines, iv_plan = intervensi.write(intervention_kabkota(kabs), ctx, tg)

    files = [f for r in results for f in r.files] + iv_files
    _remove_stale(out_dir, {f["path"] for f in files})
    for f in files:
        f["sha256"] = _sha256(out_dir / f["path"])
    files.sort(key=lambda f: f["path"])
    lines = sorted([ln for r in results for ln in r.manifest_rows] + iv_lines, key=lambda x: (x[1], x[2]))
    with open(out_dir / "manifest_rows.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MANIFEST_FIELDS)
        w.writerows(lines)

    summary = _summary(out_dir, scale, seed, clean, mess_rate, min_balita, files, results, lines)
    manifest = {
        "generator": "tumbuh demo",
        "seed": seed, "scale": scale, "clean": clean, "mess_rate": 0.0 if clean else mess_rate,
        "min_balita_per_kabkota": min_balita,
        "period": {"posyandu": ["2024-01", "2025-12"], "pkk": ["2024-01", "2025-12"],
                   "spm": ["2025-01", "2025-12"],
                   "intervensi": [intervensi.START.isoformat(), intervensi.END.isoformat()]},
        "summary": {k: v for k, v in summary.items() if k not in ("seconds", "out_dir")},
        "load_order": "files sorted by path; duplicate expectations assume that order",
        "target_rule": TARGET_RULE,
        "kabkota": [k.kode for k in kabs],
        "targets": _targets_table(kabs, tg, results),
        "intervention": {"kabkota": [k.kode for k in intervention_kabkota(kabs)],
                         "good_performer": GOOD_PERFORMER, "plan": iv_plan},
        "mess_kinds": {
            "posyandu": {k: {"expected": o, "column": c} for k, (o, _, c) in mess.KINDS.items()},
            "pkk": {k: {"expected": o, "column": c} for k, (o, _, c) in pkk.KINDS.items()},
            "spm": {k: {"expected": o, "column": c} for k, (o, _, c) in spm.KINDS.items()},
            "intervensi": {k: {"expected": k, "column": ""} for k in
                           ("kabkota", "kecamatan", "bad_number", "duplicate")},
        },
        "files": files,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    return summary


def _targets_table(kabs: list[KabKota], tg: dict, results: list[KabResult]) -> list[dict]:
    by = {r.kode: r for r in results}
    out = []
    for k in kabs:
        t, c = tg[k.kode], by[k.kode].calibration
        out.append({
            "kode": k.kode, "nama": k.nama, "ssgi_2022": k.ssgi_2022, "ssgi_2024": k.ssgi_2024,
            "factor": round(t.factor, 4), "change_2024_2025": round(t.change, 4),
            "target_2024": round(t.p2024, 2), "target_2025": round(t.p2025, 2),
            "children_2024": c["counted_2024"], "stunted_2024": c["stunted_2024"],
            "generated_2024": round(100 * c["stunted_2024"] / max(c["counted_2024"], 1), 2),
            "children_2025": c["counted_2025"], "stunted_2025": c["stunted_2025"],
            "generated_2025": round(100 * c["stunted_2025"] / max(c["counted_2025"], 1), 2),
            "shortfall": c["shortfall"],
        })
    return out


def _summary(out_dir, scale, seed, clean, mess_rate, min_balita, files, results, lines) -> dict:
    per_source: dict[str, dict] = {}
    for f in files:
        s = per_source.setdefault(f["source"], {"files": 0, "rows": 0, "rows_rejected": 0})
        s["files"] += 1
        s["rows"] += f["rows_read"]
        s["rows_rejected"] += f["rows_rejected"]
    per_source.setdefault("posyandu", {"files": 0, "rows": 0, "rows_rejected": 0})
    per_source["posyandu"]["children"] = sum(r.children for r in results)
    per_source["posyandu"]["measurements"] = sum(r.visits for r in results)
    formats_count: dict[str, int] = {}
    for f in files:
        formats_count[f"{f['source']}:{f['format']}"] = formats_count.get(f"{f['source']}:{f['format']}", 0) + 1
    return {"out_dir": str(out_dir), "scale": scale, "seed": seed, "clean": clean,
            "sources": per_source, "formats": dict(sorted(formats_count.items())),
            "corrupted_rows": len(lines), "seconds": 0.0}


def main(args: argparse.Namespace) -> int:
    summary = run(Path(args.out), scale=args.scale, seed=args.seed, clean=args.clean,
                  workers=getattr(args, "workers", None))
    src = summary["sources"]
    pos = src["posyandu"]
    print(f"demo data written to {summary['out_dir']} in {summary['seconds']:.1f} s: "
          f"{pos['children']:,} children, {pos['rows']:,} posyandu rows in {pos['files']} files; "
          + ", ".join(f"{s} {v['rows']:,} rows in {v['files']} files" for s, v in src.items() if s != "posyandu")
          + f"; {summary['corrupted_rows']:,} corrupted rows (manifest_rows.csv)")
    return 0


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    add_arguments(parser)
    return main(parser.parse_args(argv))
