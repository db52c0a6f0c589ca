"""What the published build holds: its tables and columns, when it was built, and the newest
extraction date per source (the caption every page shows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.queries._base import run
from dashboard.repository import Repository


def tables(repo: Repository) -> frozenset[str]:
    if not repo.exists():
        return frozenset()
    df = run(repo, "SELECT table_name FROM duckdb_tables() "
                   "WHERE database_name = current_database() AND schema_name = 'main'")
    return frozenset(df["table_name"])


def has(repo: Repository, *names: str) -> bool:
    available = tables(repo)
    return all(name in available for name in names)


def table_columns(repo: Repository, prefixes: tuple[str, ...] = ("mart_", "ref_")
                  ) -> dict[str, list[str]]:
    """Column names of every table whose name starts with one of the prefixes (the SQL
    console's list of what it may read)."""
    df = run(repo, "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
                   "current_database() AND schema_name = 'main' ORDER BY table_name, column_index")
    df = df[df["table_name"].str.startswith(prefixes)]
    return {name: list(part["column_name"]) for name, part in df.groupby("table_name", sort=True)}


def build_info(repo: Repository) -> dict[str, Any]:
    """When the warehouse was built and the newest extraction date per source."""
    info: dict[str, Any] = {"built_at": None, "version": None, "extraction": {}, "files": {},
                            "code": None}
    if not repo.exists():
        return info
    if has(repo, "meta_build"):
        meta = run(repo, "SELECT * FROM meta_build")
        if len(meta):
            info["built_at"] = meta["built_at"].iloc[0]
            info["version"] = meta["version"].iloc[0]
            if "code_sha256" in meta:  # builds before provenance did not record it
                info["code"] = {k: meta[k].iloc[0] for k in (
                    "tumbuh_version", "code_sha256", "git_commit", "config_sha256")}
    if has(repo, "load_files"):
        df = run(repo, "SELECT source, max(extraction_date) AS extraction_date, count(*) AS n_files "
                       "FROM load_files GROUP BY source ORDER BY source")
        info["extraction"] = dict(zip(df["source"], df["extraction_date"]))
        info["files"] = dict(zip(df["source"], df["n_files"]))
    return info


# the load manifest's source of a caption's source name, where they differ
LINEAGE_SOURCE = {"pengukuran": "posyandu"}


def _period_start(period: str) -> str:
    return f"{period}-01" if len(period) == 7 else f"{period[:4]}-01-01"


def _period_end(period: str) -> str:
    """The first day after the period ('2025-08' -> 2025-09-01, '2025' -> 2026-01-01)."""
    year = int(period[:4])
    if len(period) == 7:
        month = int(period[5:7])
        return f"{year + month // 12}-{month % 12 + 1:02d}-01"
    return f"{year + 1}-01-01"


def files_behind(repo: Repository, sources: Sequence[str], kode: str | None = None,
                 period: str | tuple[str, str] | None = None) -> pd.DataFrame:
    """The loaded files whose staged rows lie in wilayah `kode` (a kab/kota, kecamatan or desa
    code; None or '35': the province) and `period` ('2025-08' a month, '2025' a year, a (first, last) span of them, None:
    every period): source, file name, extraction date, load time, sha256 and the rows of that
    area and period they hold. A kab/kota user sees its own kab/kota's files (scope rule of
    load_file_months)."""
    if not has(repo, "load_file_months", "load_files"):
        return pd.DataFrame(columns=["source", "file_name", "extraction_date", "loaded_at",
                                     "file_sha256", "n_rows"])
    names = sorted({LINEAGE_SOURCE.get(s, s) for s in sources})
    where = [f"f.source IN ({', '.join('?' * len(names))})"]
    params: list[object] = list(names)
    if kode and kode != "35":  # the wilayah and every code below it
        where.append("(m.kode_wilayah = ? OR m.kode_wilayah LIKE ? || '.%')")
        params += [kode, kode]
    if period:
        first, last = (period, period) if isinstance(period, str) else period
        where.append("m.bulan >= CAST(? AS DATE) AND m.bulan < CAST(? AS DATE)")
        params += [_period_start(first), _period_end(last)]
    return run(repo, "SELECT f.source, f.file_name, f.extraction_date, f.loaded_at, "
                     "f.file_sha256, sum(m.n_rows) AS n_rows "
                     "FROM load_file_months AS m JOIN load_files AS f USING (file_sha256) "
                     f"WHERE {' AND '.join(where)} GROUP BY ALL "
                     "ORDER BY f.source, f.extraction_date DESC, f.file_name", params)
