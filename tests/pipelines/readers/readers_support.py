"""Shared by the reader tests: a small posyandu-like spec (the real specs live with the lead's
ingest code) and helpers to write and read back files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.readers import ColumnSpec, TableSpec

SPEC = TableSpec(
    source="posyandu",
    columns=(
        ColumnSpec("no", ("No",)),
        ColumnSpec("nik", ("NIK",)),
        ColumnSpec("nama", ("Nama",)),
        ColumnSpec("jk", ("JK", "Jenis Kelamin")),
        ColumnSpec("tgl_lahir", ("Tgl Lahir", "Tanggal Lahir")),
        ColumnSpec("kab_kota", ("Kab/Kota", "Kabupaten/Kota")),
        ColumnSpec("kec", ("Kec", "Kecamatan")),
        ColumnSpec("pukesmas", ("Pukesmas", "Puskesmas")),
        ColumnSpec("desa_kel", ("Desa/Kel", "Desa/Kelurahan")),
        ColumnSpec("posyandu", ("Posyandu",)),
        ColumnSpec("tanggal_pengukuran", ("Tanggal Pengukuran",)),
        ColumnSpec("berat", ("Berat", "BB")),
        ColumnSpec("tinggi", ("Tinggi", "TB")),
    ),
    required=(
        ("jk",),
        ("tgl_lahir",),
        ("tanggal_pengukuran",),
        ("kab_kota",),
        ("kec",),
        ("desa_kel",),
        ("posyandu",),
        ("berat", "tinggi"),
    ),
    key_columns=("jk", "tgl_lahir", "tanggal_pengukuran"),
    personal=frozenset({"nik", "nama"}),
    typed=frozenset({"no", "jk", "tgl_lahir", "tanggal_pengukuran", "berat", "tinggi"}),
    # unknown columns kept in `extra`; any other is dropped
    extras=(ColumnSpec("naik_bb", ("Naik Berat Badan",)), ColumnSpec("kia", ("KIA",)),
            ColumnSpec("catatan", ("Catatan",))),
)

HEADER = [
    "No",
    "NIK",
    "Nama",
    "JK",
    "Tgl Lahir",
    "Kab/Kota",
    "Kec",
    "Pukesmas",
    "Desa/Kel",
    "Posyandu",
    "Tanggal Pengukuran",
    "Berat",
    "Tinggi",
]


def data_row(n: int, **overrides: str) -> list[str]:
    """One plausible measurement row in HEADER order."""
    row = {
        "No": str(n),
        "NIK": f"35090123456700{n:02d}",
        "Nama": f"ANAK {n}",
        "JK": "L" if n % 2 else "P",
        "Tgl Lahir": "2023-01-15",
        "Kab/Kota": "KAB. JEMBER",
        "Kec": "SUMBERSARI",
        "Pukesmas": "SUMBERSARI",
        "Desa/Kel": "KEBONSARI",
        "Posyandu": "POSYANDU MAWAR",
        "Tanggal Pengukuran": "2025-11-03",
        "Berat": "9,5",
        "Tinggi": "75.5",
    }
    row.update(overrides)
    return [row[h] for h in HEADER]


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    """Rows joined as CSV, quoting cells that contain the delimiter, a quote or a line break."""

    def quote(cell: str) -> str:
        if any(ch in cell for ch in (delimiter, '"', "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join(delimiter.join(quote(c) for c in row) + "\n" for row in rows)


def fetch(con: duckdb.DuckDBPyConnection, table: str, *columns: str) -> list[tuple]:
    cols = ", ".join(columns) if columns else "*"
    return con.execute(f"SELECT {cols} FROM {table} ORDER BY row_number").fetchall()


def extras(con: duckdb.DuckDBPyConnection, table: str) -> list[dict | None]:
    return [json.loads(e) if e else None for (e,) in fetch(con, table, "extra")]


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path
