"""The privacy scan (issue 16): hostile exports of every source, in CSV, XLSX and HTML, go
through `tumbuh ingest`; no NIK, name, phone number, e-mail or address they hold may be found in
any table or bulk view, in any file beside the warehouse, in any `tumbuh export` (CSV, XLSX,
Parquet) or in the dashboard's downloads."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.ingest import get_source
from pipelines.ingest.load import ingest_files
from pipelines.warehouse import connect_readonly
from tests.security.hostile_inputs import FORMATS, PERSONAL_HEADERS, SOURCES, planted, write_source
from tests.security.scan import needles, personal_leaks

TODAY = dt.date(2026, 1, 15)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_value_reaches_any_layer(tmp_path, fmt):
    files = [(get_source(s), write_source(tmp_path / "in", s, fmt)) for s in SOURCES]
    warehouse = tmp_path / "wh" / "w.duckdb"
    results = ingest_files(files, warehouse=warehouse, today=TODAY)
    # not a vacuous scan: every file loaded, rows were staged and rejected with messages
    assert [r.fatal for r in results] == [False] * len(SOURCES), [r.error for r in results]
    assert all(r.rows_staged > 0 for r in results), [r.to_line() for r in results]
    with connect_readonly(warehouse) as con:
        assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] >= 5
        assert con.execute("SELECT count(*) FROM raw_pengukuran").fetchone()[0] == 4
        dropped = con.execute("SELECT source, dropped_columns FROM load_files").fetchall()
    # PKK reads "No KTP" as its own NIK column (read for nothing, never stored)
    expected = {s: [h for h in PERSONAL_HEADERS if (s, h) != ("pkk", "No KTP")] for s in SOURCES}
    assert dict(dropped) == expected
    leaks = personal_leaks(warehouse, planted(), tmp_path / "out")
    assert leaks == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The scan itself: a personal value in a table, in a file's bytes or in a number is found."""
    from pipelines.config import default_config
    from pipelines.warehouse import building

    warehouse = tmp_path / "w.duckdb"
    with building(warehouse, default_config()) as build:
        build.con.execute("CREATE TABLE mart_leak AS SELECT 'Ibu SRI WAHYUNINGSIH A' AS nama, "
                          "3509014506900000.0 AS kg")
        build.changed = True
    leaks = personal_leaks(warehouse, ["SRI WAHYUNINGSIH A", "3509014506900000"], tmp_path / "o")
    assert any(leak.startswith("mart_leak:") for leak in leaks)
    assert any(leak.startswith("leak.csv:") for leak in leaks)
    assert needles(["+62 857-3312-0001"]) == ["+62 857-3312-0001", "5733120001", "6285733120001"]
