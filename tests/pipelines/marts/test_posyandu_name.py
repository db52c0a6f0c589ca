"""A posyandu's display name in mart_prevalensi: the spelling of its latest measurement, and the
same name on every build when two spellings share that date."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import insert, marts_config

DESA = "35.09.01.2001"


def _rows(spellings: list[tuple[str, date, datetime]]) -> list[dict]:
    rows = []
    for i, (nama, measured, loaded) in enumerate(spellings):
        for j in range(12):  # above min_cell, so the unit is not suppressed
            rows.append({
                "file_sha256": f"f{i}", "row_number": j + 1, "child_key": f"c{i}-{j}",
                "child_key_source": "nik", "sex": 1, "birth_date": date(2024, 1, 1),
                "measurement_date": measured, "age_days": (measured - date(2024, 1, 1)).days,
                "age_months": 19, "kode_kabkota": DESA[:5], "kode_kecamatan": DESA[:8],
                "kode_desa": DESA, "posyandu_key": f"{DESA}|MAWAR", "posyandu_nama": nama,
                "zlen": -0.5, "flen": 0, "loaded_at": loaded,
            })
    return rows


def _name(path: Path, spellings: list[tuple[str, date, datetime]]) -> str:
    with building(path, marts_config()) as build:
        insert(build.con, "stg_pengukuran", _rows(spellings))
        build.changed = True
    con = connect_readonly(path)
    try:
        return con.execute(
            "SELECT DISTINCT nama FROM mart_prevalensi WHERE level = 'posyandu'").fetchall()
    finally:
        con.close()


def test_latest_measurement_spelling_wins(tmp_path):
    spellings = [("Mawar Lama", date(2025, 2, 10), datetime(2025, 9, 1)),
                 ("Mawar", date(2025, 8, 10), datetime(2025, 3, 1))]
    assert _name(tmp_path / "w.duckdb", spellings) == [("Mawar",)]


def test_same_date_spellings_give_one_name_whatever_the_row_order(tmp_path):
    same_day = date(2025, 8, 10)
    loaded = datetime(2025, 9, 1)
    a = [("Mawar I", same_day, loaded), ("Mawar 1", same_day, loaded)]
    assert _name(tmp_path / "a.duckdb", a) == [("Mawar I",)]  # alphabetically last
    assert _name(tmp_path / "b.duckdb", a[::-1]) == [("Mawar I",)]
    later_load = [("Mawar I", same_day, loaded), ("Mawar 1", same_day, datetime(2025, 9, 2))]
    assert _name(tmp_path / "c.duckdb", later_load) == [("Mawar 1",)]
