"""What the published build holds: its tables and columns, when it was built, and the newest
extraction date per source (the caption every page shows)."""

from __future__ import annotations

from typing import Any

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
    info: dict[str, Any] = {"built_at": None, "version": None, "extraction": {}, "files": {}}
    if not repo.exists():
        return info
    if has(repo, "meta_build"):
        meta = run(repo, "SELECT built_at, version FROM meta_build")
        if len(meta):
            info["built_at"] = meta["built_at"].iloc[0]
            info["version"] = meta["version"].iloc[0]
    if has(repo, "load_files"):
        df = run(repo, "SELECT source, max(extraction_date) AS extraction_date, count(*) AS n_files "
                       "FROM load_files GROUP BY source ORDER BY source")
        info["extraction"] = dict(zip(df["source"], df["extraction_date"]))
        info["files"] = dict(zip(df["source"], df["n_files"]))
    return info
