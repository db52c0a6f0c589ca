"""Benchmark: read_table on a 1,000,000-row, 35-column posyandu CSV against a bare DuckDB
`CREATE TABLE t AS SELECT * FROM read_csv(path, all_varchar=true)` of the same file.

Not a test (no timed assertions); run by hand:
    .venv/bin/python tests/pipelines/readers/bench_read_csv.py [rows] [repeats]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.readers import read_table
from pipelines.readers.spec import ColumnSpec, TableSpec

COLUMNS = [
    "No", "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov",
    "Kab/Kota", "Kec", "Pukesmas", "Desa/Kel", "Posyandu", "RT", "RW", "Alamat",
    "Usia Saat Ukur", "Tanggal Pengukuran", "Berat", "Tinggi", "Cara Ukur", "LiLA", "BB/U",
    "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB", "Naik Berat Badan",
    "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA", "MBG",
]  # fmt: skip
KNOWN = COLUMNS[:30]  # the last five end up in `extra`, as unknown columns would

SPEC = TableSpec(
    source="posyandu",
    columns=tuple(ColumnSpec(f"col_{i}", (name,)) for i, name in enumerate(KNOWN)),
    required=(
        ("col_3",),
        ("col_4",),
        ("col_18",),
        ("col_9",),
        ("col_10",),
        ("col_12",),
        ("col_13",),
        ("col_19", "col_20"),
    ),
    key_columns=("col_3", "col_4", "col_18"),
)

VALUES = [
    "i + 1", "(3509000000000000 + hash(i) % 1000000000)::VARCHAR", "'ANAK ' || i",
    "CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END",
    "strftime(DATE '2021-01-01' + (i % 1700)::INTEGER, '%Y-%m-%d')", "'3,1'", "'49'",
    "'AYAH / IBU'", "'JAWA TIMUR'", "'KAB. JEMBER'", "'KEC ' || (i % 31)", "'PKM ' || (i % 50)",
    "'DESA ' || (i % 248)", "'POSYANDU MAWAR ' || (i % 9)", "'001'", "'002'",
    "'JL. MAWAR NO. ' || (i % 99) || ', RT 1'", "'2 Tahun - 0 Bulan - 29 Hari'",
    "strftime(DATE '2025-11-01' + (i % 28)::INTEGER, '%Y-%m-%d')",
    "replace(round(5 + (i % 150) / 10, 1)::VARCHAR, '.', ',')", "round(60 + (i % 500) / 10, 1)",
    "'Berdiri'", "''", "'Normal'", "'-0,51'", "'Pendek'", "'-2,35'", "'Normal'", "'0,12'", "'N'",
    "''", "'1'", "'Sesuai'", "'Ya'", "'Ya'",
]  # fmt: skip


def make_csv(path: Path, rows: int) -> None:
    con = duckdb.connect()
    body = path.with_suffix(".body")
    select = ", ".join(f'{v} AS "{c}"' for v, c in zip(VALUES, COLUMNS))
    con.execute(
        f"COPY (SELECT {select} FROM range({rows}) t(i)) TO '{body}' (HEADER, DELIMITER ',')"
    )
    with open(path, "wb") as out, open(body, "rb") as src:
        out.write(b"Daftar Status Gizi Balita\nKab/Kota : KAB. JEMBER\nData Tanggal : 2025-12-05\n")
        shutil.copyfileobj(src, out, 1 << 24)
    body.unlink()


def bare(path: Path) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', all_varchar=true)")
    con.close()


def reader(path: Path) -> None:
    con = duckdb.connect()
    result = read_table(con, path, SPEC)
    assert result.rows_read == ROWS, result.rows_read
    con.close()


if __name__ == "__main__":
    ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posyandu.csv"
        make_csv(path, ROWS)
        size = path.stat().st_size / 1e6
        bare(path)  # warm the page cache
        # Interleaved, so that load from other processes hits both alike; the minimum is the
        # estimate least disturbed by it. CPU time (all threads) is reported too.
        runs: dict[str, list[tuple[float, float]]] = {"bare": [], "reader": []}
        for _ in range(REPEATS):
            for name, fn in (("bare", bare), ("reader", reader)):
                wall, cpu = time.perf_counter(), time.process_time()
                fn(path)
                runs[name].append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"{ROWS:,} rows x {len(COLUMNS)} columns, {size:.0f} MB, {REPEATS} runs each")
        for name, label in (("bare", "bare read_csv CTAS"), ("reader", "read_table")):
            walls, cpus = [w for w, _ in runs[name]], [c for _, c in runs[name]]
            print(
                f"{label:<19}: wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s;"
                f" cpu min {min(cpus):.2f} s"
            )
        wall_ratio = min(w for w, _ in runs["reader"]) / min(w for w, _ in runs["bare"])
        cpu_ratio = min(c for _, c in runs["reader"]) / min(c for _, c in runs["bare"])
        print(f"ratio (min/min)    : wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x")
        # A blank line in the middle sends the reader down the line-by-line numbering path.
        lines = path.read_bytes().split(b"\n")
        lines.insert(len(lines) // 2, b"")
        path.write_bytes(b"\n".join(lines))
        start = time.perf_counter()
        reader(path)
        print(f"read_table, a blank line in the body: {time.perf_counter() - start:.2f} s")
