"""XLSX reading: python-calamine (the reader tumbuh uses first) against the lxml replica of
openpyxl's rules (xlsx_fast, the previous first choice) and openpyxl's read-only worksheets, on
the same e-PPGBM-style sheet (issue 18.7).

    python -m benchmarks.bench_xlsx [--rows N] [--file PATH.xlsx]

Without --file, a sheet of N rows (default 156,645, the size the issue names) is written with
openpyxl: 34 columns of text, numbers and dates like a posyandu export. Each reader runs once on
it in this process; wall and CPU seconds are printed with their ratio to calamine's, and the
three readers' rows are checked equal.
"""

from __future__ import annotations

import argparse
import datetime
import random
import tempfile
import time
from pathlib import Path

import openpyxl

from pipelines.readers import workbook
from pipelines.readers.limits import Limits
from pipelines.readers.xlsx_calamine import calamine_xlsx_sheets, safe_for_calamine
from pipelines.readers.xlsx_fast import fast_xlsx_sheets

HEADER = ["No", "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov",
          "Kab/Kota", "Kec", "Pukesmas", "Desa/Kel", "Posyandu", "RT", "RW", "Alamat",
          "Usia Saat Ukur", "Tanggal Pengukuran", "Berat", "Tinggi", "Cara Ukur", "LiLA", "BB/U",
          "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB", "Naik Berat Badan",
          "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA"]


def write_sheet(path: Path, rows: int, seed: int = 18) -> None:
    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(["Daftar Status Gizi Balita"])
    ws.append(["Kab/Kota : KAB. PONOROGO"])
    ws.append([])
    ws.append(HEADER)
    day = datetime.date(2025, 8, 1)
    for n in range(1, rows + 1):
        born = day - datetime.timedelta(days=rng.randint(0, 1850))
        ws.append([n, f"35020{rng.randint(10**10, 10**11 - 1)}", f"ANAK {n}", rng.choice("LP"),
                   born, round(rng.uniform(2.2, 4.1), 1), round(rng.uniform(45, 53), 1),
                   f"ORTU {n}", "JAWA TIMUR", "KAB. PONOROGO", "SLAHUNG", "SLAHUNG", "TUGUREJO",
                   f"POSYANDU {n % 40}", f"{n % 20:03d}", f"{n % 9:03d}", "DUSUN KRAJAN",
                   f"{(day - born).days // 365} Tahun", day + datetime.timedelta(days=n % 25),
                   round(rng.uniform(6, 20), 2), round(rng.uniform(60, 115), 1), "Berdiri", None,
                   "Normal", round(rng.gauss(-0.5, 1), 2), "Normal", round(rng.gauss(-1, 1), 2),
                   "Gizi Baik", round(rng.gauss(0, 1), 2), rng.choice("NTO"), None,
                   rng.choice([None, 1, 2]), "Sesuai", "Ya"])
    wb.save(path)


def _openpyxl_sheets(path: Path, limits: Limits) -> list:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            ws.reset_dimensions()
            out.append((ws.title, list(workbook._xlsx_rows(ws, str(path), limits))))
        return out
    finally:
        wb.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=156_645)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_xlsx_") as tmp:
        path = args.file or Path(tmp) / "sheet.xlsx"
        if args.file is None:
            write_sheet(path, args.rows)
        print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MB")
        limits = Limits()
        readers = [("calamine (tumbuh's first reader)", calamine_xlsx_sheets),
                   ("  of which the safety pre-scan", lambda p, lim: safe_for_calamine(p)),
                   ("lxml replica (xlsx_fast)", fast_xlsx_sheets),
                   ("openpyxl read-only", _openpyxl_sheets)]
        results, base = {}, None
        print(f"{'reader':34s} {'wall s':>8s} {'cpu s':>8s} {'x calamine':>11s}")
        for name, read in readers:
            wall, cpu = time.perf_counter(), time.process_time()
            results[name] = read(path, limits)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            base = base or wall
            print(f"{name:34s} {wall:8.2f} {cpu:8.2f} {wall / base:11.2f}", flush=True)
        sheets = [v for k, v in results.items() if "pre-scan" not in k]
        same = all(s == sheets[0] for s in sheets)
        print(f"rows: {len(sheets[0][0][1]):,}; the three readers give the same rows: {same}")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
