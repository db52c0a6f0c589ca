"""mart_cakupan_pengukuran: children measured ÷ sasaran balita per level and period, the
denominator's source chosen per level, ratios above 100 % kept and flagged, and no coverage
where the children count is hidden. Hand counts in tests/pipelines/marts/fixture.py (PKK recaps at its
end); the reference figures are read here from the reference CSV, independently of the build."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.config import REFERENCE_DIR
from pipelines.export import export, list_exports
from pipelines.warehouse import connect_readonly
from tests.pipelines.marts.conftest import build_fixture_warehouse, marts_config

PADOMASAN, CAKRU = "35.09.01.2001", "35.09.02.2001"
JOMBANG, KENCONG = "35.09.01", "35.09.02"


def reference_sasaran() -> dict[str, int]:
    """Balita 0-59 months per kab/kota: the published 6-59 months count × 60/54, rounded."""
    with open(REFERENCE_DIR / "jatim_kabkota.csv", newline="") as fh:
        return {r["kode"]: round(int(r["jumlah_balita_6_59bln_2024"]) * 60 / 54)
                for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def cov_all_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built with the PKK recaps and min_cell = 1 (nothing suppressed)."""
    return build_fixture_warehouse(tmp_path_factory.mktemp("cakupan") / "w.duckdb",
                                   marts_config(prevalence={"min_cell": 1}), pkk=True)


@pytest.fixture(scope="module")
def cov_all(cov_all_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect_readonly(cov_all_path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def cov_suppressed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The same with min_cell = 10: the small units and their complements are hidden."""
    path = build_fixture_warehouse(tmp_path_factory.mktemp("cakupan10") / "w.duckdb",
                                   marts_config(), pkk=True)
    con = connect_readonly(path)
    yield con
    con.close()


def row(con: duckdb.DuckDBPyConnection, level: str, kode: str, period_type: str,
        period: str) -> dict:
    cur = con.execute("SELECT * FROM mart_cakupan_pengukuran WHERE level = ? AND kode = ? "
                      "AND period_type = ? AND period = ?", [level, kode, period_type, period])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (level, kode, period_type, period, rows)
    return dict(zip(names, rows[0]))


def test_kabkota_and_province_use_the_reference(cov_all):
    ref = reference_sasaran()
    assert len(ref) == 38
    jember = row(cov_all, "kabkota", "35.09", "bulan", "2025-07")
    assert jember["coverage_source"] == "referensi"
    assert jember["sasaran_balita"] == ref["35.09"] == 191619  # 172,457 × 60 / 54
    assert jember["sasaran_periode"] == "2024"
    assert jember["n_children"] == 16
    assert jember["pct_coverage"] == pytest.approx(100 * 16 / 191619)
    assert jember["coverage_over_100"] is False
    # the same reference figure in every period type
    assert row(cov_all, "kabkota", "35.09", "tahun", "2025")["sasaran_balita"] == 191619
    prov = row(cov_all, "provinsi", "35", "bulan_timbang", "2025-08")
    assert prov["coverage_source"] == "referensi"
    assert prov["sasaran_balita"] == sum(ref.values())
    assert prov["pct_coverage"] == pytest.approx(100 * 29 / sum(ref.values()))
    # a kab/kota without children measured: 0 %, not missing (its row exists, decision D3)
    pacitan = row(cov_all, "kabkota", "35.01", "bulan", "2025-07")
    assert pacitan["n_children"] == 0 and pacitan["pct_coverage"] == 0


def test_desa_uses_its_pkk_recap_of_the_month_or_the_latest_of_the_year(cov_all):
    jul = row(cov_all, "desa", PADOMASAN, "bulan", "2025-07")
    assert (jul["coverage_source"], jul["sasaran_balita"], jul["sasaran_periode"]) == (
        "pkk_dasawisma", 10, "2025-07")
    assert jul["n_children"] == 12
    assert jul["pct_coverage"] == pytest.approx(120.0)
    aug = row(cov_all, "desa", PADOMASAN, "bulan_timbang", "2025-08")
    assert (aug["sasaran_balita"], aug["sasaran_periode"]) == (20, "2025-08")
    assert aug["pct_coverage"] == pytest.approx(60.0)
    year = row(cov_all, "desa", PADOMASAN, "tahun", "2025")
    assert (year["sasaran_balita"], year["sasaran_periode"]) == (20, "2025-08")
    assert year["n_children"] == 13
    assert year["pct_coverage"] == pytest.approx(65.0)
    assert (year["n_desa_pkk"], year["n_desa"]) == (1, 1)
    # a recap with Balita P not recorded is no denominator
    cakru = row(cov_all, "desa", CAKRU, "bulan", "2025-07")
    assert cakru["coverage_source"] is None and cakru["sasaran_balita"] is None
    assert cakru["pct_coverage"] is None and cakru["n_desa_pkk"] == 0
    # a desa without any recap
    sarongan = row(cov_all, "desa", "35.10.01.2001", "bulan", "2025-07")
    assert sarongan["coverage_source"] is None and sarongan["pct_coverage"] is None


def test_kecamatan_uses_pkk_only_when_every_desa_reported(cov_all):
    jul = row(cov_all, "kecamatan", JOMBANG, "bulan", "2025-07")
    assert (jul["coverage_source"], jul["sasaran_balita"], jul["n_desa_pkk"], jul["n_desa"]) == (
        "pkk_dasawisma", 35, 6, 6)
    assert jul["pct_coverage"] == pytest.approx(100 * 12 / 35)
    aug = row(cov_all, "kecamatan", JOMBANG, "bulan", "2025-08")  # 1 of 6 desa reported
    assert (aug["coverage_source"], aug["sasaran_balita"], aug["pct_coverage"]) == (None, None, None)
    assert (aug["n_desa_pkk"], aug["n_desa"]) == (1, 6)
    assert aug["coverage_over_100"] is None
    year = row(cov_all, "kecamatan", JOMBANG, "tahun", "2025")  # each desa's latest recap
    assert (year["sasaran_balita"], year["sasaran_periode"]) == (45, "2025-08")
    assert year["pct_coverage"] == pytest.approx(100 * 13 / 45)
    kencong = row(cov_all, "kecamatan", KENCONG, "bulan", "2025-07")
    assert kencong["coverage_source"] is None and (kencong["n_desa_pkk"], kencong["n_desa"]) == (0, 5)
    bangorejo = row(cov_all, "kecamatan", "35.10.02", "tahun", "2025")
    assert bangorejo["coverage_source"] is None and bangorejo["n_desa_pkk"] == 0


def test_over_100_is_kept_and_flagged(cov_all):
    flagged = cov_all.execute(
        "SELECT level, kode, period_type, period, pct_coverage FROM mart_cakupan_pengukuran "
        "WHERE coverage_over_100 ORDER BY ALL").fetchall()
    assert flagged == [("desa", PADOMASAN, "bulan", "2025-07", pytest.approx(120.0))]
    assert row(cov_all, "desa", PADOMASAN, "bulan", "2025-08")["coverage_over_100"] is False


def test_one_row_per_area_row_of_mart_prevalensi_and_no_posyandu(cov_all):
    n_prev = cov_all.execute("SELECT count(*) FROM mart_prevalensi WHERE level <> 'posyandu'"
                             ).fetchone()[0]
    n_cov, n_distinct, n_pos = cov_all.execute(
        "SELECT count(*), count(DISTINCT (level, kode, period_type, period)), "
        "count(*) FILTER (WHERE level = 'posyandu') FROM mart_cakupan_pengukuran").fetchone()
    assert n_cov == n_distinct == n_prev > 0 and n_pos == 0
    sources = cov_all.execute("SELECT level, list(DISTINCT coverage_source ORDER BY coverage_source) "
                              "FROM mart_cakupan_pengukuran GROUP BY level ORDER BY level"
                              ).fetchall()
    assert dict(sources) == {"desa": ["pkk_dasawisma", None], "kabkota": ["referensi"],
                             "kecamatan": ["pkk_dasawisma", None], "provinsi": ["referensi"]}


def test_no_coverage_where_the_children_count_is_hidden(cov_suppressed):
    hidden = cov_suppressed.execute(
        "SELECT level, kode, period, n_children, pct_coverage, sasaran_balita "
        "FROM mart_cakupan_pengukuran WHERE suppressed_anak ORDER BY ALL").fetchall()
    assert hidden, "min_cell = 10 hides the small units"
    assert all(n is None and pct is None for _, _, _, n, pct, _ in hidden)
    # Padomasan is hidden as the complement of its hidden kecamatan: its PKK denominator
    # (published in mart_pkk) stays, its coverage would give the count back and goes
    padomasan = row(cov_suppressed, "desa", PADOMASAN, "bulan", "2025-07")
    assert padomasan["suppressed_anak"] and padomasan["sasaran_balita"] == 10
    assert padomasan["pct_coverage"] is None and padomasan["coverage_over_100"] is None
    assert row(cov_suppressed, "kabkota", "35.09", "bulan", "2025-07")["pct_coverage"] > 0


def test_the_audit_holds_and_catches_a_wrong_rate(cov_all, tmp_path: Path):
    audit = (Path(__file__).parents[3] / "pipelines/sql/audits/stunting_cakupan_consistent.sql"
             ).read_text().rstrip().rstrip(";")
    assert cov_all.execute(f"SELECT count(*) FROM ({audit})").fetchone()[0] == 0
    con = duckdb.connect(str(tmp_path / "copy.duckdb"))
    for table in ("mart_prevalensi", "mart_cakupan_pengukuran"):
        con.register("src", cov_all.execute(f"SELECT * FROM {table}").df())
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src")
        con.unregister("src")
    con.execute("UPDATE mart_cakupan_pengukuran SET pct_coverage = 99 "
                "WHERE level = 'desa' AND kode = ? AND period = '2025-07'", [PADOMASAN])
    assert con.execute(f"SELECT count(*) FROM ({audit})").fetchone()[0] == 1
    con.close()


def test_tumbuh_export_of_the_coverage_mart(cov_all, cov_all_path: Path, tmp_path: Path):
    names = dict(list_exports(cov_all))
    assert names["cakupan_pengukuran"].startswith("one row per level")
    out = tmp_path / "cakupan.csv"
    n = export("cakupan_pengukuran", out, cov_all_path)
    df = pd.read_csv(out, dtype={"kode": str, "kode_kabkota": str, "period": str,
                                 "sasaran_periode": str})
    assert len(df) == n == cov_all.execute("SELECT count(*) FROM mart_cakupan_pengukuran"
                                           ).fetchone()[0]
    padomasan = df[(df["kode"] == PADOMASAN) & (df["period"] == "2025-07")].iloc[0]
    assert padomasan["coverage_source"] == "pkk_dasawisma"
    assert padomasan["pct_coverage"] == pytest.approx(120.0)
    assert bool(padomasan["coverage_over_100"])
