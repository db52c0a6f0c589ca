"""What a source is (its reader spec, raw table, personal columns and staging step) and the
helpers every source's staging uses. The loading itself (batches, transactions, accounting)
is in pipelines.ingest.load."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from pipelines import trace
from pipelines.config import SQL_DIR
from pipelines.readers import TableSpec


@dataclass(frozen=True)
class Source:
    """One kind of export. `stage(con)` reads the temp table src_norm (a batch of files: every
    canonical column plus file_seq, row_key, row_number, file_sha256, file_name,
    extraction_date, loaded_at), fills the temp table `parsed_table` (one row per src_norm row,
    `reason` NULL for rows to stage) and parsed_rejects, and inserts the staged rows; it returns
    how many rows it inserted."""

    name: str                       # posyandu | pkk | spm | intervensi
    spec: TableSpec
    raw_table: str
    parsed_table: str
    stage: Callable[[duckdb.DuckDBPyConnection], int]

    @property
    def staged_table(self) -> str:
        """stg_pengukuran, stg_pkk, stg_spm, stg_intervensi (raw_<x> -> stg_<x>)."""
        return "stg_" + self.raw_table.removeprefix("raw_")

    @property
    def personal(self) -> frozenset[str]:
        """Canonical columns never written anywhere (hashed first if needed): the spec's."""
        return self.spec.personal


@dataclass
class FileResult:
    file: str
    fatal: bool = False
    error: str | None = None
    rows_read: int = 0
    rows_staged: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    already_loaded: bool = False
    file_sha256: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    def to_line(self) -> str:
        if self.fatal:
            return f"{self.file}: FATAL: {self.error} (nothing loaded)"
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(self.rejected_by_reason.items()))
        line = (f"{self.file}: {self.rows_read:,} rows read, {self.rows_staged:,} staged, "
                f"{self.rows_rejected:,} rejected" + (f" ({reasons})" if reasons else ""))
        if self.already_loaded:
            line += " [already loaded: same content, nothing changed]"
        return line


def scope_staged(con: duckdb.DuckDBPyConnection, table: str, months: list[str]) -> None:
    """Point the TEMP view `table` at the staged rows of these months only: the published and
    this build's Parquet files of those months plus the rows not yet written (delta)."""
    from pipelines.warehouse import create_bulk_views

    root = Path(con.execute("SELECT getvariable('store_root')").fetchone()[0])
    create_bulk_views(con, root, delta="delta", parts={table: set(months)}, only=(table,))


def run_sql_file(con: duckdb.DuckDBPyConnection, name: str) -> None:
    with trace.step(f"staging {name}"):
        con.execute((SQL_DIR / "staging" / name).read_text())


def resolve_wilayah(con: duckdb.DuckDBPyConnection, relation: str = "src_norm",
                    kab_kota: str = "kab_kota", kec: str = "kec", desa_kel: str = "desa_kel",
                    per_row: bool = True) -> None:
    """wil_names(kab_kota, kec, desa_kel, kab_n, kode_kabkota, kode_kecamatan, kode_desa): one
    row per distinct name triple of `relation`; with `per_row` also wil_resolved(row_key, kab_n,
    kode_kabkota, kode_kecamatan, kode_desa). Columns are given by name; pass 'NULL' for a level
    the source does not carry. A SQL file joining wil_names itself matches the triple with
    IS NOT DISTINCT FROM (a missing kecamatan is NULL on both sides)."""
    cols = {"kab_kota": kab_kota, "kec": kec, "desa_kel": desa_kel}
    picked = {name: "NULL" if col == "NULL" else f"s.{col}" for name, col in cols.items()}
    exprs = {name: expr if name == "kab_kota" else f"CAST({expr} AS VARCHAR)"
             for name, expr in picked.items()}
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wil_input AS SELECT DISTINCT "
        + ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
        + f" FROM {relation} AS s"
    )
    run_sql_file(con, "02_resolve_wilayah.sql")
    if per_row:
        match = " AND ".join(f"w.{name} IS NOT DISTINCT FROM {expr}" for name, expr in exprs.items())
        con.execute(
            "CREATE OR REPLACE TEMP TABLE wil_resolved AS SELECT s.row_key, w.kab_n, "
            f"w.kode_kabkota, w.kode_kecamatan, w.kode_desa FROM {relation} AS s "
            f"JOIN wil_names AS w ON {match}"
        )
