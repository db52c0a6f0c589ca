"""`tumbuh export` of a warehouse whose posyandu and puskesmas names are hostile: no CSV or XLSX
cell of any export is a formula, a link or formula-like text; numbers stay numbers; Parquet keeps
the names as they are (a typed format: nothing evaluates them)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.warehouse import building
from tests.pipelines.marts import fixture
from tests.pipelines.marts.conftest import insert, marts_config
from tests.security.hostile import (
    DDE,
    HOSTILE,
    HYPERLINK,
    csv_cells,
    formula_like,
    xlsx_problems,
    xlsx_values,
)
from tumbuh_cli import main

XLSX_TEST_ROWS = 3000  # mart_hotspot: 666 kecamatan x 4 periods = 2,664 rows
# posyandu name -> a hostile spelling of it (the keys stay the same)
POSYANDU_NAMES = {"Mawar": HYPERLINK, "Melati": DDE, "Anggrek": HOSTILE[4], "Dahlia": HOSTILE[7]}


def hostile_staging() -> list[dict]:
    rows = fixture.staging_rows()
    for i, row in enumerate(rows):
        row["posyandu_nama"] = POSYANDU_NAMES[row["posyandu_nama"]]
        row["puskesmas"] = HOSTILE[i % len(HOSTILE)]
        row["src_kat_tbu"] = "@SUM(1+1)" if i % 5 == 0 else row["src_kat_tbu"]
    return rows


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("security_marts") / "w.duckdb"
    with building(path, marts_config()) as build:
        insert(build.con, "stg_pengukuran", hostile_staging())
        spm = fixture.spm_rows()
        for row in spm:
            row["posyandu_nama"] = HYPERLINK
        insert(build.con, "stg_spm", spm)
        for table, rows in fixture.lineage_rows().items():
            insert(build.con, table, rows)
        build.changed = True
    return path


@pytest.fixture(scope="module")
def export_names(hostile_warehouse: Path) -> list[str]:
    from pipelines.export import list_exports
    from pipelines.warehouse import connect_readonly

    with connect_readonly(hostile_warehouse) as con:
        return [name for name, _ in list_exports(con)]


def tumbuh_export(warehouse: Path, name: str, out: Path) -> Path:
    assert main(["export", name, "--out", str(out), "--warehouse", str(warehouse)]) == 0
    return out


def test_the_warehouse_carries_the_hostile_names(hostile_warehouse):
    con = duckdb.connect(str(hostile_warehouse), read_only=True)
    names = {r[0] for r in con.execute(
        "SELECT nama FROM mart_prevalensi WHERE level = 'posyandu'").fetchall()}
    con.close()
    assert HYPERLINK in names and DDE in names


def test_no_csv_cell_of_any_export_is_formula_like(hostile_warehouse, export_names, tmp_path):
    seen = set()
    for name in export_names:
        out = tumbuh_export(hostile_warehouse, name, tmp_path / f"{name}.csv")
        rows = csv_cells(out.read_bytes())
        assert rows, name
        # a CR or newline inside a name is quoted: no cell spills into a row of its own
        assert len(rows) == 1 + len(pd.read_parquet(tumbuh_export(
            hostile_warehouse, name, tmp_path / f"{name}.parquet"))), name
        assert {len(row) for row in rows} == {len(rows[0])}, name
        bad = [cell for row in rows for cell in row if formula_like(cell)]
        assert not bad, (name, bad[:5])
        seen |= {cell for row in rows for cell in row}
    # the names did reach the exports, quoted and otherwise whole
    assert "'" + HYPERLINK in seen and "'" + DDE in seen and "'" + HOSTILE[4] in seen
    assert "'@SUM(1+1)" in seen


def test_no_xlsx_cell_of_any_export_is_a_formula_or_link(hostile_warehouse, export_names, tmp_path):
    """Every export but the large ones (intervensi_progress: 9,261 rows of the default campaign
    and reference names only, 12 s as XLSX here; its text goes through the same query as CSV)."""
    con = duckdb.connect(str(hostile_warehouse), read_only=True)
    small = [n for n in export_names if n == "pengukuran"
             or con.execute(f'SELECT count(*) FROM "mart_{n}"').fetchone()[0] <= XLSX_TEST_ROWS]
    con.close()
    assert len(small) >= len(export_names) - 1
    seen = set()
    for name in small:
        out = tumbuh_export(hostile_warehouse, name, tmp_path / f"{name}.xlsx")
        problems = xlsx_problems(out)
        assert not problems, (name, problems[:5])
        seen |= set(xlsx_values(out))
    assert "'" + HYPERLINK in seen and "'" + DDE in seen


def test_numbers_stay_numbers_and_rows_keep_their_order(hostile_warehouse, tmp_path):
    csv_out = tumbuh_export(hostile_warehouse, "pengukuran", tmp_path / "p.csv")
    xlsx_out = tumbuh_export(hostile_warehouse, "pengukuran", tmp_path / "p.xlsx")
    plain = pd.read_parquet(tumbuh_export(hostile_warehouse, "pengukuran", tmp_path / "p.parquet"))
    from_csv = pd.read_csv(csv_out, dtype={"kode_kabkota": str})
    from_xlsx = pd.read_excel(xlsx_out, dtype={"kode_kabkota": str})
    for frame in (from_csv, from_xlsx):
        assert frame["zlen"].dtype == "float64" and (frame["zlen"] < 0).any()
        assert frame["zlen"].tolist() == pytest.approx(plain["zlen"].tolist(), nan_ok=True)
        assert frame["row_number"].tolist() == plain["row_number"].tolist()
        assert frame["posyandu_nama"].tolist() == ["'" + n for n in plain["posyandu_nama"]]


def test_parquet_keeps_names_as_they_are(hostile_warehouse, tmp_path):
    out = tumbuh_export(hostile_warehouse, "prevalensi", tmp_path / "prevalensi.parquet")
    names = set(pd.read_parquet(out)["nama"])
    assert HYPERLINK in names and DDE in names
