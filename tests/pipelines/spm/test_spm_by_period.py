"""SPM and PKK marts recomputed by period (decision D24): a load recomputes only the months it
adds rows to and their years; when it brings a posyandu (desa for PKK) new to the year, the
year's other months get their count of known units updated (a month row counts the posyandu
known in its year); and the marts equal a full rebuild."""

from __future__ import annotations

import pytest

from pipelines import marts
from pipelines.config import default_config
from pipelines.ingest import pkk, spm
from pipelines.ingest.load import ingest_files
from tests.pipelines.marts.test_incremental import assert_equal_to_rebuild
from tests.pipelines.spm.test_pkk_ingest import HEADER as PKK_HEADER
from tests.pipelines.spm.test_pkk_ingest import TITLES
from tests.pipelines.spm.test_pkk_ingest import row as pkk_row
from tests.pipelines.spm.test_spm_ingest import HEADER, rec


@pytest.fixture
def load(warehouse):
    """As tests/pipelines/spm/conftest.py's, but dated today: the rebuild the marts are compared with
    runs today, and the intervention progress mart depends on the day."""

    def run(*paths):
        jobs = [(pkk.SOURCE if p.name.startswith("pkk") else spm.SOURCE, p) for p in paths]
        return ingest_files(jobs, warehouse=warehouse)

    return run


@pytest.fixture
def by_period_calls(monkeypatch) -> list[tuple[str, list[str]]]:
    """(model name, months loaded) of every run_by_period call, then (source, months) of the
    months each call finds changed, and ("known", months) where only their known units are
    updated (a unit new to the year) rather than the months recomputed."""
    calls: list[tuple[str, list[str]]] = []
    original, recompute, update = marts.run_by_period, marts._months_to_recompute, marts.update_known

    def spy(con, build, model, loaded, models):
        calls.append((model.name, list(loaded)))
        return original(con, build, model, loaded, models)

    def recompute_spy(con, source, loaded, every):
        months = recompute(con, source, loaded, every)
        calls.append((source, months))
        return months

    def update_spy(con, table, known, months):
        calls.append(("known", list(months)))
        return update(con, table, known, months)

    monkeypatch.setattr(marts, "run_by_period", spy)
    monkeypatch.setattr(marts, "update_known", update_spy)
    monkeypatch.setattr(marts, "_months_to_recompute", recompute_spy)
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
    # Mawar is new to 2025: every month of 2025 counts it as known, so August's known counts
    # are updated (not August recomputed)
    assert by_period_calls == [("spm/11_mart_spm_coverage", ["2025-09"]),
                               ("stg_spm", ["2025-08", "2025-09"]), ("known", ["2025-08"]),
                               ("spm/12_mart_spm_field", ["2025-09"]),
                               ("stg_spm", ["2025-08", "2025-09"]), ("known", ["2025-08"])]
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
    assert [months for name, months in by_period_calls if name == "stg_spm"] == [
        ["2025-08", "2025-09"]] * 2
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
    # Padomasan is new to 2025: August's known desa are updated
    assert by_period_calls == [("spm/22_mart_pkk", ["2025-09"]), ("stg_pkk", ["2025-08", "2025-09"]),
                               ("known", ["2025-08"])]
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)


def test_known_places_recompute_the_loaded_months_and_year_only(
        tmp_path, csv_file, load, query, warehouse, by_period_calls):
    """The province's monthly case: every posyandu of the new month reported earlier in the
    year, so July's rows stay as they are (not recomputed) and only September and 2025 are."""
    load(csv_file(tmp_path / "spm_1.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30, bulan="2025-07"),
        rec(2, "Mawar", "Kesehatan", "KES01", 10, 5, bulan="2025-07", desa="Keting"),
        rec(3, "Melati 1", "Kesehatan", "KES01", 40, 31, bulan="2025-08"),
        rec(4, "Mawar", "Kesehatan", "KES02", 10, 6, bulan="2025-08", desa="Keting"),
    ]))
    july = _coverage(query, "2025-07")
    load(csv_file(tmp_path / "spm_2.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 35, bulan="2025-09"),
        rec(2, "Mawar", "Kesehatan", "KES01", 10, 9, bulan="2025-09", desa="Keting"),
    ]))
    assert [months for name, months in by_period_calls if name == "stg_spm"] == [
        ["2025-09"]] * 2
    assert _coverage(query, "2025-07") == july
    assert ("provinsi", "35", "KES01", 44, 2, 2) in _coverage(query, "2025-09")
    assert ("provinsi", "35", "KES01", 30 + 5 + 31 + 35 + 9, 2, 2) in _coverage(query, "2025")
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)
    # a re-delivered month with a posyandu new to the year changes every month of it: August is
    # recomputed, July's and September's known counts updated
    load(csv_file(tmp_path / "spm_3.csv", HEADER, [
        rec(1, "Kenanga", "Kesehatan", "KES01", 12, 12, bulan="2025-08", desa="Keting"),
    ]))
    assert [months for name, months in by_period_calls if name == "stg_spm"][-1] == [
        "2025-07", "2025-08", "2025-09"]
    assert by_period_calls[-1] == ("known", ["2025-07", "2025-09"])
    assert ("provinsi", "35", "KES01", 35, 2, 3) in _coverage(query, "2025-07")
    (tmp_path / "again").mkdir()
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path / "again")
