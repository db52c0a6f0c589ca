"""What a source is (its reader spec, raw table, personal columns and staging step) and the
helpers every source's staging uses. The loading itself (batches, transactions, accounting)
is in pipelines.ingest.load."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import duckdb

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
    personal: frozenset[str]        # canonical columns never written anywhere (hashed first if needed)
    parsed_table: str
    stage: Callable[[duckdb.DuckDBPyConnection], int]


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


def run_sql_file(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute((SQL_DIR / "staging" / name).read_text())


def resolve_wilayah(con: duckdb.DuckDBPyConnection, relation: str = "src_norm",
                    kab_kota: str = "kab_kota", kec: str = "kec", desa_kel: str = "desa_kel") -> None:
    """wil_resolved(row_key, kab_n, kode_kabkota, kode_kecamatan, kode_desa) for `relation`.
    Pass a NULL literal ('NULL') for a level the source does not carry."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE wil_input AS SELECT row_key, {kab_kota} AS kab_kota, "
        f"CAST({kec} AS VARCHAR) AS kec, CAST({desa_kel} AS VARCHAR) AS desa_kel FROM {relation}"
    )
    run_sql_file(con, "02_resolve_wilayah.sql")
