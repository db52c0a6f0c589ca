"""The audits (queries that must return zero rows) hold on the fixture warehouse, and each one
does catch the fault it is written for."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.marts import run_audits, set_config_variables
from pipelines.warehouse import connect_readonly
from tests.pipelines.marts import fixture
from tests.pipelines.marts.conftest import marts_config
from tests.warehouse_copy import writable_copy

MINE = ("stunting_", "quality_")


def audit_failures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    set_config_variables(con, marts_config())
    return {k: v for k, v in run_audits(con, {"stunting", "kualitas"}).items() if k.startswith(MINE)}


def test_audits_pass_on_the_fixture(con):
    assert audit_failures(con) == {}


def test_audits_pass_on_empty_staging(empty_warehouse):
    con = connect_readonly(empty_warehouse)
    try:
        assert audit_failures(con) == {}
    finally:
        con.close()


@pytest.fixture()
def writable(fixture_warehouse: Path, tmp_path: Path):
    path = tmp_path / "copy.duckdb"
    con = writable_copy(fixture_warehouse, path)
    yield con
    con.close()


BREAKAGES = {
    "stunting_counts_consistent": "UPDATE mart_prevalensi SET n_stunted = n_haz + 1 WHERE level = 'kabkota' AND kode = '35.09'",
    "stunting_interval_contains_estimate": "UPDATE mart_prevalensi SET pct_stunted_hi95 = pct_stunted - 1 WHERE level = 'provinsi'",
    "stunting_suppressed_no_counts": "UPDATE mart_prevalensi SET n_children = 4 WHERE suppressed",
    "stunting_kabkota_every_period": "DELETE FROM mart_prevalensi_kabkota WHERE kode = '35.78' AND period = '2025-07'",
    "stunting_provincial_pooled": "UPDATE mart_prevalensi SET prov_pct_stunted = prov_pct_stunted + 0.1 WHERE kode = '35.10'",
    "stunting_unique_grain": "INSERT INTO mart_target_list SELECT * FROM mart_target_list LIMIT 1",
    "stunting_rank_in_interval": "UPDATE mart_prevalensi SET rank_hi = 0 WHERE level = 'kabkota' AND kode = '35.10'",
    "stunting_signif_follows_p": "UPDATE mart_prevalensi SET signif = 'atas_95' WHERE level = 'kabkota' AND kode = '35.09'",
    "stunting_no_recoverable_cell": "UPDATE mart_prevalensi SET suppressed = false WHERE level = 'kecamatan' AND kode = '35.09.01'",
    "stunting_suppressed_no_counts#haz": "UPDATE mart_prevalensi SET suppressed = false WHERE level = 'posyandu' AND kode = '35.09.02.2001|MELATI' AND period = '2025-07'",
    "stunting_suppressed_no_counts#whz": "UPDATE mart_prevalensi SET n_whz = 3 WHERE suppressed_whz AND level = 'desa'",
    "stunting_cakupan_consistent": "UPDATE mart_cakupan_pengukuran SET coverage_over_100 = true WHERE level = 'kabkota' AND kode = '35.09'",
    "stunting_cakupan_consistent#hidden": "UPDATE mart_cakupan_pengukuran SET pct_coverage = 1 WHERE suppressed_anak",
    "quality_suppressed_no_metrics": "UPDATE mart_kualitas_data SET skor = 0 WHERE suppressed",
    "quality_ranges": "UPDATE mart_kualitas_data SET pct_flag_haz = 101 WHERE level = 'provinsi'",
}


@pytest.mark.parametrize("audit,breakage", BREAKAGES.items())
def test_each_audit_catches_its_fault(writable, audit, breakage):
    writable.execute(breakage)
    assert audit.split("#")[0] in audit_failures(writable)


def test_audits_refuse_to_pass_without_config_variables(fixture_warehouse):
    con = connect_readonly(fixture_warehouse)
    try:
        failures = {k: v for k, v in run_audits(con, {"stunting", "kualitas"}).items() if k.startswith(MINE)}
    finally:
        con.close()
    assert {
        "stunting_suppressed_no_counts",
        "quality_suppressed_no_metrics",
        "stunting_provincial_pooled",
    } <= set(failures)


def test_provincial_value_is_the_pooled_rate_of_the_staged_rows(con):
    """Independent of the SQL: pandas picks each child's latest measurement per period (under 60
    months) and each index's latest non-missing z-score, and pools the stunting rate."""
    st = pd.DataFrame(fixture.staging_rows())
    st = st[st["age_months"] < 60].copy()
    st["month"] = pd.to_datetime(st["measurement_date"]).dt.strftime("%Y-%m")
    st["year"] = pd.to_datetime(st["measurement_date"]).dt.strftime("%Y")
    st = st.sort_values(["measurement_date", "loaded_at", "file_sha256", "row_number"])
    for period_type, col in [("bulan", "month"), ("tahun", "year")]:
        haz = st[st["zlen"].notna()].groupby(["child_key", col]).tail(1)
        valid = haz[haz["flen"] == 0]
        for period, rows in valid.groupby(col):
            expected = 100 * (rows["zlen"] < -2).sum() / len(rows)
            got = con.execute(
                "SELECT prov_pct_stunted, count(DISTINCT prov_pct_stunted) FROM mart_prevalensi "
                "WHERE period_type = ? AND period = ? GROUP BY ALL",
                [period_type, period],
            ).fetchall()
            assert len(got) == 1 and got[0][0] == pytest.approx(expected), (period_type, period)
