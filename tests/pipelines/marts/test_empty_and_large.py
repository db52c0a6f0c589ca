"""The marts on empty staging, and (slow) on a synthetic staging table of 100,000+ rows: the
audits hold and the provincial value is the pooled rate of the staged rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.marts import run_audits, set_config_variables
from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import marts_config
from tests.pipelines.marts.synthetic import fill_synthetic


def test_marts_build_on_empty_staging(empty_warehouse):
    con = connect_readonly(empty_warehouse)
    try:
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "mart_prevalensi",
                "mart_prevalensi_kabkota",
                "mart_survey_vs_admin",
                "mart_kualitas_data",
            )
        }
        ssgi = con.execute(
            "SELECT count(*) FILTER (WHERE above), count(*) FROM mart_target_list "
            "WHERE reference = 'ssgi_2024'"
        ).fetchone()
    finally:
        con.close()
    assert counts == dict.fromkeys(counts, 0)
    assert ssgi == (19, 38)  # the survey reference needs no staged data


@pytest.mark.slow
def test_synthetic_staging(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    with building(path, marts_config()) as b:
        rows = fill_synthetic(b.con, n_children=6000, months=24)
        b.changed = True
    assert rows > 100_000
    con = connect_readonly(path)
    try:
        set_config_variables(con, marts_config())
        failures = {
            k: v for k, v in run_audits(con, {"stunting", "kualitas"}).items() if k.startswith(("stunting_", "quality_"))
        }
        assert failures == {}
        # pooled rate recomputed with window functions (a different route from the marts' arg_max)
        independent = con.execute("""
            WITH ranked AS (
                -- each child's latest valid (unflagged) HAZ of the year (domain.md 1.7)
                SELECT strftime(measurement_date, '%Y') AS period, zlen,
                       row_number() OVER (PARTITION BY child_key, year(measurement_date)
                                          ORDER BY measurement_date DESC, row_number DESC) AS k
                FROM stg_pengukuran
                WHERE age_months < 60 AND zlen IS NOT NULL AND flen = 0 AND NOT isnan(zlen)
            )
            SELECT period, 100.0 * count(*) FILTER (WHERE zlen < -2) / count(*)
            FROM ranked WHERE k = 1 GROUP BY period ORDER BY period""").fetchall()
        marts = con.execute("""
            SELECT period, prov_pct_stunted FROM mart_prevalensi
            WHERE level = 'provinsi' AND period_type = 'tahun' ORDER BY period""").fetchall()
        assert [p for p, _ in marts] == [p for p, _ in independent]
        for (_, a), (_, b) in zip(marts, independent):
            assert a == pytest.approx(b)
        n_kab = con.execute(
            "SELECT count(DISTINCT kode) FROM mart_prevalensi_kabkota "
            "WHERE n_children > 0 OR suppressed"
        ).fetchone()[0]
        staged_kab = con.execute(
            "SELECT count(DISTINCT kode_kabkota) FROM stg_pengukuran WHERE age_months < 60"
        ).fetchone()[0]
        assert n_kab == staged_kab > 30
    finally:
        con.close()


def test_a_province_below_min_cell_shows_nothing(tmp_path: Path):
    """Five children in all: every row is suppressed, the provincial value included."""
    from tests.pipelines.marts.conftest import insert
    from tests.pipelines.marts.test_statistics import staging

    path = tmp_path / "w.duckdb"
    with building(path, marts_config()) as b:
        insert(b.con, "stg_pengukuran", staging([("35.11.01.2001", 2, 5)]))
        b.changed = True
    con = connect_readonly(path)
    try:
        shown = con.execute(
            "SELECT count(*) FROM mart_prevalensi WHERE n_children > 0 "
            "OR prov_pct_stunted IS NOT NULL OR prov_n_haz IS NOT NULL OR pct_stunted IS NOT NULL"
        ).fetchone()[0]
        suppressed = con.execute(
            "SELECT count(*) FILTER (WHERE suppressed), count(*) FROM mart_prevalensi "
            "WHERE level <> 'kabkota' OR kode = '35.11'"
        ).fetchone()
        quality = con.execute(
            "SELECT count(*) FROM mart_kualitas_data WHERE NOT suppressed"
        ).fetchone()[0]
    finally:
        con.close()
    assert shown == 0
    assert suppressed[0] == suppressed[1] > 0
    assert quality == 0
