"""Fixtures of the dashboard tests: one small warehouse built by the real pipeline (see
fixture_warehouse.py), and a helper that runs one page under Streamlit's AppTest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.app import single_page_script
from dashboard.repository import Repository
from pipelines.warehouse import connect_readonly
from tests.dashboard.fixture_warehouse import build_fixture


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dashboard_wh")
    build_fixture(directory)
    return directory


@pytest.fixture(scope="session")
def warehouse(fixture_dir: Path) -> Path:
    return fixture_dir / "warehouse.duckdb"


@pytest.fixture(scope="session")
def wh_con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for computing expected values independently of the dashboard."""
    con = connect_readonly(warehouse)  # with views of the stored rows (stg_*, rejects)
    yield con
    con.close()


@pytest.fixture()
def repo(warehouse: Path) -> Repository:
    Repository.clear_cache()
    return Repository(warehouse)


@pytest.fixture()
def page_app(warehouse: Path) -> Callable[..., AppTest]:
    """An AppTest running one page against the fixture warehouse (already run once)."""

    def make(page: str, lang: str = "id", timeout: float = 30) -> AppTest:
        at = AppTest.from_function(single_page_script, args=(str(warehouse), page, lang),
                                   default_timeout=timeout)
        return at.run()

    return make

