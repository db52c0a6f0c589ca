"""A warehouse whose kecamatan have enough children for the hotspot marts: the synthetic
staging of tests/pipelines/marts/synthetic.py (children in every desa, kab/kota-specific HAZ means) for
January and February 2024, built and published by the real pipeline. In January a third of the
children have a length/height, so many kecamatan are suppressed; in February every child has
one (February is a bulan timbang)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import marts_config
from tests.pipelines.marts.synthetic import fill_synthetic

N_CHILDREN = 20_000
MONTHS = 2


@pytest.fixture(scope="session")
def hotspot_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hotspot") / "w.duckdb"
    with building(path, marts_config()) as b:
        fill_synthetic(b.con, n_children=N_CHILDREN, months=MONTHS)
        b.changed = True
    return path


@pytest.fixture()
def hcon(hotspot_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect_readonly(hotspot_warehouse)
    yield connection
    connection.close()
