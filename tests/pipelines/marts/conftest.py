"""Fixtures: a warehouse built and published by pipelines.warehouse.building from the hand-made
staging rows of tests/pipelines/marts/fixture.py (and one built from empty staging)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import store
from pipelines.config import Config
from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts import fixture


def marts_config(**overrides: dict) -> Config:
    """The schema's defaults (pipelines/config.py: min_cell 10, pooled provincial value, bulan
    timbang February and August, SSGI 2024 reference 14.7 %), whatever config/tumbuh.toml says,
    with any overrides (`prevalence={"min_cell": 1}`)."""
    return Config().replace(**overrides)


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    frame = pd.DataFrame(rows)
    con.register("rows_df", frame)
    # rows of bulk tables go to the build's delta, which the build writes out as Parquet
    target = f"delta.{table}" if table in store.BULK_TABLES and _in_build(con) else table
    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM rows_df")
    con.unregister("rows_df")


def _in_build(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'delta'"
                            ).fetchone()[0])


def build_fixture_warehouse(path: Path, config: Config | None = None, pkk: bool = False) -> Path:
    """The fixture's staging rows built and published; `pkk`: with the PKK recaps the coverage
    tests use (tests/pipelines/marts/fixture.py, pkk_rows)."""
    with building(path, config or marts_config()) as build:
        insert(build.con, "stg_pengukuran", fixture.staging_rows())
        insert(build.con, "stg_spm", fixture.spm_rows())
        for table, rows in fixture.lineage_rows().items():
            insert(build.con, table, rows)
        if pkk:
            insert(build.con, "stg_pkk", fixture.pkk_rows())
            for table, rows in fixture.pkk_lineage_rows().items():
                insert(build.con, table, rows)
        build.changed = True
    return path


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("marts") / "w.duckdb")


@pytest.fixture()
def con(fixture_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect_readonly(fixture_warehouse)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def fixture_warehouse_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same fixture with min_cell = 1: nothing is suppressed, so the hand counts of the
    small units (which min_cell = 10 hides, with their complements) can be checked."""
    return build_fixture_warehouse(tmp_path_factory.mktemp("marts-all") / "w.duckdb",
                                   marts_config(prevalence={"min_cell": 1}))


@pytest.fixture()
def con_all(fixture_warehouse_all: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect_readonly(fixture_warehouse_all)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("marts-empty") / "w.duckdb"
    with building(path, marts_config()) as build:
        build.changed = True
    return path
