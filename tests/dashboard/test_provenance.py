"""Provenance of a mart row (issue 17.3): the files the dashboard names behind a wilayah and
period are exactly the files whose staged rows fed that mart row."""

from __future__ import annotations

import pytest

from dashboard import queries as q


def _fed(wh_con, where: str, params: list) -> list[str]:
    return sorted(r[0] for r in wh_con.execute(
        "SELECT DISTINCT f.file_name FROM stg_pengukuran s JOIN load_files f USING (file_sha256) "
        f"WHERE {where}", params).fetchall())


@pytest.mark.parametrize("level", ["kabkota", "kecamatan", "desa"])
def test_the_files_named_behind_a_mart_row_are_the_files_that_fed_it(repo, wh_con, level):
    rows = wh_con.execute(
        "SELECT kode, period_start::VARCHAR FROM mart_prevalensi WHERE level = ? AND "
        "period_type = 'bulan' AND n_children > 0 ORDER BY kode, period_start LIMIT 6",
        [level]).fetchall()
    assert rows
    column = {"kabkota": "kode_kabkota", "kecamatan": "kode_kecamatan", "desa": "kode_desa"}[level]
    for kode, start in rows:
        month = start[:7]
        named = q.build.files_behind(repo, ["pengukuran"], kode, month)
        fed = _fed(wh_con, f"s.{column} = ? AND strftime(s.measurement_date, '%Y-%m') = ?",
                   [kode, month])
        assert sorted(named["file_name"]) == fed, (kode, month)
        n = wh_con.execute(f"SELECT count(*) FROM stg_pengukuran WHERE {column} = ? AND "
                           "strftime(measurement_date, '%Y-%m') = ?", [kode, month]).fetchall()
        assert int(named["n_rows"].sum()) == n[0][0]


def test_a_year_and_a_span_gather_their_months(repo, wh_con):
    year = wh_con.execute("SELECT max(year(measurement_date))::VARCHAR FROM stg_pengukuran"
                          ).fetchall()[0][0]
    named = q.build.files_behind(repo, ["pengukuran"], None, year)
    assert sorted(named["file_name"]) == _fed(wh_con, "year(s.measurement_date) = ?", [int(year)])
    span = q.build.files_behind(repo, ["pengukuran"], None, (f"{year}-01", f"{year}-12"))
    assert sorted(span["file_name"]) == sorted(named["file_name"])
    assert q.build.files_behind(repo, ["pengukuran"], None, "1999").empty
