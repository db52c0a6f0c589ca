"""SPM and PKK marts recomputed by period (decision D24): a load recomputes only the periods of
the years it adds rows to, a new posyandu included (a posyandu is known in the years it
reports), and the marts equal a full rebuild."""

from __future__ import annotations

import pytest

from pipelines import marts
from pipelines.config import default_config
from pipelines.ingest import pkk, spm
from pipelines.ingest.load import ingest_files
from tests.marts.test_incremental import assert_equal_to_rebuild
from tests.spm.test_pkk_ingest import HEADER as PKK_HEADER
from tests.spm.test_pkk_ingest import TITLES
from tests.spm.test_pkk_ingest import row as pkk_row
from tests.spm.test_spm_ingest import HEADER, rec


@pytest.fixture
def load(warehouse):
    """As tests/spm/conftest.py's, but dated today: the rebuild the marts are compared with
    runs today, and the intervention progress mart depends on the day."""

    def run(*paths):
        jobs = [(pkk.SOURCE if p.name.startswith("pkk") else spm.SOURCE, p) for p in paths]
        return ingest_files(jobs, warehouse=warehouse)

    return run


@pytest.fixture
def by_period_calls(monkeypatch) -> list[tuple[str, list[str]]]:
    """(model name, years) of every run_by_period call."""
    calls: list[tuple[str, list[str]]] = []
    original = marts.run_by_period

    def spy(con, build, model, years, models):
        calls.append((model.name, list(years)))
        return original(con, build, model, years, models)

    monkeypatch.setattr(marts, "run_by_period", spy)
    return calls


def _coverage(query, period: str) -> list[tuple]:
    return query("SELECT level, kode, kode_indikator, dilayani, n_posyandu_reporting, "
                 "n_posyandu_known FROM mart_spm_coverage WHERE period = ? ORDER BY ALL", [period])


def test_existing_places_recompute_their_years_only(tmp_path, csv_file, load, query, warehouse,
                                                    by_period_calls):
    load(csv_file(tmp_path / "spm_1.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30, bulan="2024-08"),
        rec(2, "Mawar", "Kesehatan", "KES01", 10, 5, bulan="2024-08", desa="Keting"),
        rec(3, "Melati 1", "Kesehatan", "KES01", 40, 31, bulan="2025-08"),
    ]))
    assert by_period_calls == []  # the first load builds everything
    year_2024 = _coverage(query, "2024")
    load(csv_file(tmp_path / "spm_2.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 35, bulan="2025-09"),
        rec(2, "Mawar", "Kesehatan", "KES01", 10, 9, bulan="2025-09", desa="Keting"),
    ]))
    assert by_period_calls == [("spm/11_mart_spm_coverage", ["2025"]),
                               ("spm/12_mart_spm_field", ["2025"])]
    assert _coverage(query, "2024") == year_2024
    # the year 2025 pools August and September: Melati 1 31 + 35 served, Mawar 9
    assert ("posyandu", "35.09.01.2001|MELATI 1", "KES01", 66, 1, 1) in _coverage(query, "2025")
    assert ("provinsi", "35", "KES01", 75, 2, 2) in _coverage(query, "2025")
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)


def test_a_new_posyandu_counts_as_known_in_its_years_only(tmp_path, csv_file, load, query,
                                                         warehouse, by_period_calls):
    load(csv_file(tmp_path / "spm_1.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30, bulan="2024-08"),
        rec(2, "Melati 1", "Kesehatan", "KES01", 40, 31, bulan="2025-08"),
    ]))
    assert ("provinsi", "35", "KES01", 31, 1, 1) in _coverage(query, "2025-08")
    load(csv_file(tmp_path / "spm_2.csv", HEADER, [
        rec(1, "Kenanga", "Kesehatan", "KES01", 12, 12, bulan="2025-09", desa="Keting"),
    ]))
    assert by_period_calls == [("spm/11_mart_spm_coverage", ["2025"]),
                               ("spm/12_mart_spm_field", ["2025"])]
    # August 2025: two posyandu known in 2025, one reported; August 2024 is as it was
    assert ("provinsi", "35", "KES01", 31, 1, 2) in _coverage(query, "2025-08")
    assert ("provinsi", "35", "KES01", 30, 1, 1) in _coverage(query, "2024-08")
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)


def test_pkk_month_recomputes_its_year(tmp_path, csv_file, load, warehouse, by_period_calls):
    load(csv_file(tmp_path / "pkk_1.csv", PKK_HEADER, [
        pkk_row(1, "KAB. JEMBER", "Jombang", "Padomasan", "2024-08"),
        pkk_row(2, "KAB. JEMBER", "Jombang", "Keting", "2025-08"),
    ], titles=TITLES))
    load(csv_file(tmp_path / "pkk_2.csv", PKK_HEADER, [
        pkk_row(1, "KAB. JEMBER", "Jombang", "Padomasan", "2025-09", krt=104),
    ], titles=TITLES))
    assert by_period_calls == [("spm/22_mart_pkk", ["2025"])]
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)
