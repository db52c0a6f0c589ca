"""Rebuild every mart inside a warehouse build, so staging and marts never get out of step.

Models live in `pipelines/sql/marts/<domain>/`, run domain by domain (DOMAINS order) and by file
name within a domain. A `.sql` file is one statement (`CREATE OR REPLACE TABLE mart_x AS ...`);
a `.py` file defines `build(con, config)` for the few steps SQL cannot do (exact binomial limits).
Config values reach SQL as DuckDB variables: `getvariable('min_cell')`.
"""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.config import SQL_DIR, Config

DOMAINS = ("stunting", "spm", "intervensi", "quality")


def set_config_variables(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    prevalence = config.section("prevalence")
    target = config.section("target_list")
    values = {
        "min_cell": int(prevalence.get("min_cell", 10)),
        "provincial_average": str(prevalence.get("provincial_average", "pooled")),
        "bulan_timbang": [int(m) for m in prevalence.get("bulan_timbang", [2, 8])],
        "target_reference": str(target.get("reference", "ssgi_2024")),
        "ssgi_2024_provincial": float(target.get("ssgi_2024_provincial", 14.7)),
    }
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


def model_files(domain_dir: Path) -> list[Path]:
    return sorted(p for p in domain_dir.glob("*") if p.suffix in (".sql", ".py"))


def _run_python_model(path: Path, con: duckdb.DuckDBPyConnection, config: Config) -> None:
    spec = importlib.util.spec_from_file_location(f"tumbuh_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.build(con, config)


def build_marts(con: duckdb.DuckDBPyConnection, config: Config) -> list[str]:
    """Run every mart model; returns the model names in the order run."""
    set_config_variables(con, config)
    ran = []
    for domain in DOMAINS:
        for path in model_files(SQL_DIR / "marts" / domain):
            if path.suffix == ".sql":
                con.execute(path.read_text())
            else:
                _run_python_model(path, con, config)
            ran.append(f"{domain}/{path.stem}")
    con.execute(
        "CREATE OR REPLACE TABLE meta_build AS SELECT ?::TIMESTAMPTZ AS built_at, ? AS version",
        [datetime.now(UTC), uuid.uuid4().hex],
    )
    return ran


def run_audits(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Data tests: each audit is a query that must return zero rows. Returns failures by name."""
    failures = {}
    for path in sorted((SQL_DIR / "audits").glob("*.sql")):
        n = con.execute(f"SELECT count(*) FROM ({path.read_text().rstrip().rstrip(';')})").fetchone()[0]
        if n:
            failures[path.stem] = n
    return failures
