"""Ingest benchmark: a 1,000,000-row e-PPGBM CSV export through `tumbuh ingest posyandu`.

Prints rows/s, peak memory, and the time as a ratio to a bare DuckDB `read_csv` scan of the same
file (materialising every column as text, which is the least any loader must do). Each measured
step runs in its own process so peak RSS is that step's alone. A third run without the marts'
rebuild shows how the time splits between the load itself and the marts (the command always
rebuilds them before publishing).

    python -m benchmarks.bench_ingest [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.config import REFERENCE_DIR

# A realistic export: real wilayah names (some with the usual prefixes), decimal commas, both date
# styles, NIK as text, e-PPGBM's own z-score columns, and about 1% rows that will be rejected.
EXPORT_SQL = """
COPY (
    WITH desa AS (
        SELECT d.nama AS desa, k.nama AS kec, kk.nama AS kab, row_number() OVER () - 1 AS i
        FROM ref d JOIN ref k ON k.kode = d.kode_induk JOIN ref kk ON kk.kode = k.kode_induk
        WHERE d.tingkat = 'desa_kelurahan'
    ),
    n_desa AS (SELECT count(*) AS n FROM desa),
    r AS (
        SELECT i, hash(i) AS h, (hash(i * 7) % (SELECT n FROM n_desa)) AS di,
               DATE '2025-11-01' - CAST(hash(i * 3) % 1800 AS INTEGER) AS lahir,
               DATE '2025-11-01' + CAST(hash(i * 5) % 28 AS INTEGER) AS ukur
        FROM range(?) t(i)
    )
    SELECT r.i + 1 AS "No",
           '35' || lpad(CAST(h % 100000000000000 AS VARCHAR), 14, '0') AS "NIK",
           'ANAK ' || r.i AS "Nama",
           CASE WHEN h % 2 = 0 THEN 'L' ELSE 'P' END AS "JK",
           CASE WHEN h % 3 = 0 THEN strftime(lahir, '%d/%m/%Y') ELSE CAST(lahir AS VARCHAR) END AS "Tgl Lahir",
           'AYAH / IBU' AS "Nama Ortu", 'JAWA TIMUR' AS "Prov",
           CASE WHEN starts_with(d.kab, 'Kabupaten') THEN replace(upper(d.kab), 'KABUPATEN', 'KAB.')
                ELSE upper(d.kab) END AS "Kab/Kota",
           upper(d.kec) AS "Kec", upper(d.kec) AS "Pukesmas",
           CASE WHEN h % 250 = 0 THEN 'DESA ANTAH' ELSE upper(d.desa) END AS "Desa/Kel",
           'POSYANDU MELATI ' || (h % 5 + 1) AS "Posyandu", 'RT 01' AS "Alamat",
           CAST(ukur AS VARCHAR) AS "Tanggal Pengukuran",
           replace(CAST(round(4 + (ukur - lahir) / 150.0 + (h % 20) / 10.0, 1) AS VARCHAR), '.', ',') AS "Berat",
           replace(CAST(round(50 + (ukur - lahir) / 30.0 + (h % 30) / 10.0, 1) AS VARCHAR), '.', ',') AS "Tinggi",
           CASE WHEN ukur - lahir < 731 THEN 'Terlentang' ELSE 'Berdiri' END AS "Cara Ukur",
           'Normal' AS "TB/U", '-0,5' AS "ZS TB/U", 'Normal' AS "BB/U", '-0,3' AS "ZS BB/U",
           'Gizi Baik' AS "BB/TB", '0,1' AS "ZS BB/TB", 'N' AS "Naik Berat Badan"
    FROM r JOIN desa d ON d.i = r.di
) TO '{out}' (HEADER, DELIMITER ';')
"""


def make_export(path: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE ref AS SELECT * FROM read_csv(?, types={'kode': 'VARCHAR', 'kode_induk': 'VARCHAR'})",
                [str(REFERENCE_DIR / "wilayah_jatim.csv")])
    con.execute(EXPORT_SQL.format(out=path), [rows])


def _bare_scan(path: str) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar=true, delim=';', header=true)", [path])


def _ingest(path: str, warehouse: str, marts: str = "rebuild") -> None:
    from datetime import date

    from pipelines.ingest.load import ingest_files
    from pipelines.ingest.posyandu import SOURCE

    if marts == "skip":  # the benchmark's breakdown only: the command always rebuilds the marts
        import pipelines.marts

        pipelines.marts.build_marts = lambda con, config, build=None: None

    [result] = ingest_files([(SOURCE, Path(path))], warehouse=Path(warehouse), today=date(2026, 1, 1))
    print(json.dumps({"rows_read": result.rows_read, "rows_staged": result.rows_staged,
                      "rejected": result.rejected_by_reason}))


def _timed_child(step: str, *args: str) -> tuple[float, float, str]:
    """Run a step in a fresh interpreter; returns (seconds, peak RSS MiB, its stdout)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_ingest", "--step", step, *args],
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = float(proc.stderr.strip().splitlines()[-1])
    return seconds, peak, proc.stdout


def run(rows: int = 1_000_000, repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.csv"
        make_export(export, rows)
        scans, ingests, loads = [], [], []
        for i in range(repeat):
            scans.append(_timed_child("scan", str(export)))
            ingests.append(_timed_child("ingest", str(export), str(Path(tmp) / f"w{i}.duckdb")))
            loads.append(_timed_child("ingest", str(export), str(Path(tmp) / f"l{i}.duckdb"), "skip"))
        scan = sorted(scans)[repeat // 2]
        ingest = sorted(ingests)[repeat // 2]
        load = sorted(loads)[repeat // 2]
        return {
            "rows": rows, "file_mib": export.stat().st_size / 2**20,
            "scan_s": scan[0], "scan_peak_mib": scan[1],
            "ingest_s": ingest[0], "ingest_peak_mib": ingest[1],
            "ingest_rows_per_s": rows / ingest[0], "ratio_to_scan": ingest[0] / scan[0],
            "load_s": load[0], "load_ratio_to_scan": load[0] / scan[0],
            "accounting": json.loads(ingest[2].strip().splitlines()[-1]),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        {"scan": _bare_scan, "ingest": _ingest}[args.step](*args.args)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
        return 0
    r = run(args.rows, args.repeat)
    print(f"ingest benchmark: {r['rows']:,} rows, {r['file_mib']:.0f} MiB CSV (median of {args.repeat}, each in a fresh process)")
    print(f"  bare DuckDB read_csv scan : {r['scan_s']:6.2f} s   peak {r['scan_peak_mib']:6.0f} MiB")
    print(f"  tumbuh ingest posyandu    : {r['ingest_s']:6.2f} s   peak {r['ingest_peak_mib']:6.0f} MiB"
          f"   {r['ingest_rows_per_s']:,.0f} rows/s")
    print(f"  ratio ingest / bare scan  : {r['ratio_to_scan']:.2f}x   (aim: <= 3x; peak aim < 2048 MiB)")
    print(f"  of which the load alone   : {r['load_s']:6.2f} s   ({r['load_ratio_to_scan']:.2f}x the scan: read, raw,"
          " staging, rejects, published; the rest is the marts' rebuild)")
    print(f"  accounting                : {r['accounting']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
