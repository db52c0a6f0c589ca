"""The hotspot marts on the hand-made fixture (four kecamatan with data, all suppressed at
kecamatan level) and on empty staging: the rows exist, nothing is analysed, nothing fails.
The statistics themselves are tested in tests/pipelines/hotspot/."""

from __future__ import annotations

from pipelines.warehouse import connect_readonly


def test_tiny_fixture_has_rows_but_no_analysis(con):
    rows = con.execute("SELECT status, count(*) FROM mart_hotspot GROUP BY ALL ORDER BY ALL"
                       ).fetchall()
    assert rows == [("no_data", 662 * 4), ("suppressed", 4 * 4)]
    assert con.execute("SELECT DISTINCT status, n_units FROM mart_moran").fetchall() == [
        ("too_few_units", 0)]


def test_empty_staging_gives_empty_hotspot_marts(empty_warehouse):
    con = connect_readonly(empty_warehouse)
    try:
        for table in ("mart_hotspot", "mart_moran"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    finally:
        con.close()
