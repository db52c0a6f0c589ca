"""The intervention progress marts judge each day against the day they are built for
('belum terjadi' after it): a load on a later day recomputes them, so the marts after loads on
different days equal a rebuild made today."""

from __future__ import annotations

import datetime as dt

from pipelines.config import default_config
from pipelines.ingest import spm
from pipelines.ingest.load import ingest_files
from pipelines.warehouse import connect_readonly
from tests.pipelines.marts.test_incremental import assert_equal_to_rebuild
from tests.pipelines.spm.conftest import write_csv
from tests.pipelines.spm.test_spm_ingest import HEADER, rec


def _statuses(warehouse) -> set[str]:
    with connect_readonly(warehouse) as con:
        return {r[0] for r in con.execute(
            "SELECT DISTINCT status FROM mart_intervensi_progress WHERE tanggal > ?",
            [dt.date(2025, 11, 20)]).fetchall()}


def test_a_later_day_recomputes_the_progress_marts(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    first = write_csv(tmp_path / "spm_1.csv", HEADER, [rec(1, "Melati 1", "Kesehatan", "KES01",
                                                           40, 30, bulan="2025-08")])
    ingest_files([(spm.SOURCE, first)], warehouse=warehouse, today=dt.date(2025, 11, 20))
    assert _statuses(warehouse) == {"belum terjadi"}  # every day after the build day
    later = write_csv(tmp_path / "spm_2.csv", HEADER, [rec(1, "Melati 1", "Kesehatan", "KES01",
                                                           40, 33, bulan="2025-09")])
    ingest_files([(spm.SOURCE, later)], warehouse=warehouse)  # today
    assert "belum terjadi" not in _statuses(warehouse)
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)
