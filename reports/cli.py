"""`tumbuh report KODE|provinsi [--period P] [--period-type T] [--peers G] --out FILE.pdf
[--warehouse PATH]`: the kab/kota report or the provincial one as PDF, from the published
warehouse (the whole province: the command line has no wilayah scope)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

PROVINCE = "provinsi"
PERIOD_TYPES = ("bulan", "bulan_timbang", "tahun")
PEER_GROUPS = ("jenis", "tetangga", "baseline")  # dashboard.peers.PEER_GROUPS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kode", help="kab/kota code (35.09 or 3509), or 'provinsi' for the page "
                                     "of all 38 kab/kota")
    parser.add_argument("--period", help="2025-12 (a month) or 2025 (a year); default: the newest "
                                         "month")
    parser.add_argument("--period-type", choices=PERIOD_TYPES,
                        help="bulan_timbang for the February/August weighing months (default: "
                             "from the form of --period)")
    parser.add_argument("--peers", choices=PEER_GROUPS, default="jenis",
                        help="the peer group of the trend (default: jenis, kabupaten or kota)")
    parser.add_argument("--out", required=True, help="the PDF file to write")
    parser.add_argument("--warehouse", help="published warehouse path (default from config)")


def normalise_kode(kode: str) -> str:
    """"3509" -> "35.09"; "35.09" and "provinsi" stay as they are."""
    text = kode.strip().lower()
    if text == PROVINCE:
        return PROVINCE
    digits = text.replace(".", "")
    return f"{digits[:2]}.{digits[2:]}" if digits.isdigit() and len(digits) == 4 else kode.strip()


def run(args: argparse.Namespace, warehouse: Path) -> int:
    from dashboard.repository import Repository
    from reports import ReportError, kabkota_pdf, pick_period, provinsi_pdf

    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run `tumbuh ingest` first", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        print("--out must name a .pdf file", file=sys.stderr)
        return 2
    started = time.perf_counter()
    repo = Repository(warehouse)  # the province: no wilayah scope on the command line
    kode = normalise_kode(args.kode)
    try:
        period = pick_period(repo, args.period, args.period_type)
        data = (provinsi_pdf(repo, period) if kode == PROVINCE
                else kabkota_pdf(repo, kode, period, args.peers))
    except ReportError as exc:
        print(f"tumbuh report: {exc}", file=sys.stderr)
        return 2
    try:
        _write(out, data)
    except OSError as exc:
        print(f"tumbuh report: could not write {out}: {exc}", file=sys.stderr)
        return 3
    print(f"{out} written ({len(data) / 1024:,.0f} KB, {period.period_type} {period.period}, "
          f"{time.perf_counter() - started:.1f} s)")
    return 0


def _write(out: Path, data: bytes) -> None:
    """Write by rename, so a failed write leaves no partial PDF."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
