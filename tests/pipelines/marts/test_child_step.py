"""The per-child step of the prevalence mart (stunting/10_prevalensi_anak.sql packs each z-score's
class under the ordering key, groups child-years once and regroups months only where needed)
against a plain reference written with window functions, on random staging rows built to hit
every path: one measurement in a year, once a month, twice in a month, ties on the day broken
by load time, file and row number, weight-only visits, flagged and NaN z-scores (a flagged
latest value gives way to the latest valid one, domain.md 1.7), boundary
values (-2.00, -3.00, +2.00), children turning 60 months, unknown posyandu, two calendar years.
min_cell is 1, so no cell is suppressed and every count is visible in the marts."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import insert, marts_config

AREAS = [  # (kab/kota, kecamatan, desa), real codes of ref_wilayah
    ("35.09", "35.09.01", "35.09.01.2001"),
    ("35.09", "35.09.02", "35.09.02.2001"),
    ("35.10", "35.10.01", "35.10.01.2001"),
    ("35.10", "35.10.02", "35.10.02.2001"),
]
Z_VALUES = [None, float("nan"), -3.5, -3.0, -2.5, -2.0, -1.99, 0.0, 2.0, 2.01, 3.2]
FILES = [("f-a", datetime(2025, 3, 1, 8)), ("f-b", datetime(2025, 3, 1, 8)),
         ("f-c", datetime(2025, 3, 2, 9)), ("f-d", datetime(2025, 1, 5, 7))]


def random_rows(seed: int = 7, n_children: int = 400) -> list[dict]:
    rng = random.Random(seed)
    rows, counters = [], {}
    for c in range(n_children):
        birth = date(2020, 3, 1) + timedelta(days=rng.randrange(0, 1800))
        days = []
        for _ in range(rng.choice([1, 1, 2, 3, 5, 8])):
            # Nov 2024 - Feb 2025: two calendar years, several rows in one month
            day = date(2024, 11, 1) + timedelta(days=rng.randrange(0, 120))
            days.append(day)
            if rng.random() < 0.15:
                days.append(day)  # the same day again, from another file or row
        for day in days:
            kab, kec, desa = rng.choice(AREAS)
            fname, loaded = rng.choice(FILES)
            counters[fname] = counters.get(fname, 0) + rng.choice([1, 1, 2])
            age_days = (day - birth).days
            haz, waz, whz = (rng.choice(Z_VALUES) for _ in range(3))
            pos = rng.choice(["MAWAR", "MELATI", None])
            rows.append({
                "file_sha256": fname, "row_number": counters[fname], "child_key": f"k{c}",
                "child_key_source": "nik", "sex": 1, "birth_date": birth,
                "measurement_date": day, "age_days": age_days,
                "age_months": int(age_days // 30.4375) if rng.random() > 0.05 else 60,
                "kode_kabkota": kab, "kode_kecamatan": kec, "kode_desa": desa,
                "posyandu_key": f"{desa}|{pos}" if pos else None, "posyandu_nama": pos,
                "weight_kg": 10.0, "lenhei_cm": 80.0, "measure": "h",
                "zlen": haz, "flen": None if haz is None else int(rng.random() < 0.1),
                "zwei": waz, "fwei": None if waz is None else int(rng.random() < 0.1),
                "zwfl": whz, "fwfl": None if whz is None else int(rng.random() < 0.1),
                "loaded_at": loaded,
            })
    return rows


REFERENCE = """
WITH b AS (
    SELECT child_key, coalesce(posyandu_key, kode_desa) AS lokasi,
           date_trunc('month', measurement_date)::DATE AS bulan,
           date_trunc('year', measurement_date)::DATE AS tahun,
           measurement_date AS d, epoch_ms(loaded_at) AS ms,
           hash(file_sha256) & 1073741823 AS h, row_number AS rn,
           CASE WHEN flen = 1 THEN 'NaN'::DOUBLE ELSE zlen END AS haz,
           CASE WHEN fwei = 1 THEN 'NaN'::DOUBLE ELSE zwei END AS waz,
           CASE WHEN fwfl = 1 THEN 'NaN'::DOUBLE ELSE zwfl END AS whz
    FROM stg_pengukuran WHERE age_months < 60
),
p AS (
    SELECT 'bulan' AS period_type, bulan AS period_start, * FROM b
    UNION ALL
    SELECT 'tahun', tahun, * FROM b
),
latest AS (  -- latest by day, load time, file, row; per index the latest valid (not flagged,
            -- not NaN) z-score, and NaN (flagged) only when every one of the period is flagged
    SELECT period_type, period_start, child_key,
           first(lokasi ORDER BY d DESC, ms DESC, h DESC, rn DESC) AS lokasi,
           first(haz ORDER BY isnan(haz), d DESC, ms DESC, h DESC, rn DESC)
               FILTER (WHERE haz IS NOT NULL) AS haz,
           first(waz ORDER BY isnan(waz), d DESC, ms DESC, h DESC, rn DESC)
               FILTER (WHERE waz IS NOT NULL) AS waz,
           first(whz ORDER BY isnan(whz), d DESC, ms DESC, h DESC, rn DESC)
               FILTER (WHERE whz IS NOT NULL) AS whz
    FROM p GROUP BY ALL
)
SELECT period_type,
       CASE period_type WHEN 'tahun' THEN strftime(period_start, '%Y')
            ELSE strftime(period_start, '%Y-%m') END AS period,
       CASE WHEN lvl = 'posyandu' THEN lokasi ELSE split_part(lokasi, '|', 1) END AS kode, lvl,
       count(*), count(*) FILTER (WHERE NOT isnan(haz)),
       count(*) FILTER (WHERE haz < -2), count(*) FILTER (WHERE haz < -3),
       count(*) FILTER (WHERE isnan(haz)),
       count(*) FILTER (WHERE NOT isnan(whz)), count(*) FILTER (WHERE whz < -2),
       count(*) FILTER (WHERE whz > 2 AND NOT isnan(whz)), count(*) FILTER (WHERE isnan(whz)),
       count(*) FILTER (WHERE NOT isnan(waz)), count(*) FILTER (WHERE waz < -2),
       count(*) FILTER (WHERE isnan(waz))
FROM latest, (VALUES ('posyandu'), ('desa')) AS l(lvl)
WHERE lvl = 'desa' OR contains(lokasi, '|')
GROUP BY ALL
ORDER BY ALL
"""

MART = """
SELECT period_type, period, kode, level, n_children, n_haz, n_stunted, n_severe, n_flag_haz,
       n_whz, n_wasted, n_overweight, n_flag_whz, n_waz, n_underweight, n_flag_waz
FROM mart_prevalensi
WHERE level IN ('posyandu', 'desa') AND period_type IN ('bulan', 'tahun')
ORDER BY ALL
"""


@pytest.fixture(scope="module")
def random_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("child-step") / "w.duckdb"
    with building(path, marts_config(prevalence={"min_cell": 1})) as build:
        insert(build.con, "stg_pengukuran", random_rows())
        build.changed = True
    return path


def test_child_step_matches_a_window_function_reference(random_warehouse):
    with connect_readonly(random_warehouse) as con:
        paths = con.execute("""
            WITH y AS (SELECT child_key, year(measurement_date) AS t, count(*) AS n,
                              count(DISTINCT date_trunc('month', measurement_date)) AS m
                       FROM stg_pengukuran WHERE age_months < 60 GROUP BY ALL)
            SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1 AND n = m),
                   count(*) FILTER (WHERE n > m) FROM y""").fetchone()
        assert min(paths) > 20  # every path of the child step is exercised
        reference = con.execute(REFERENCE).fetchall()
        mart = con.execute(MART).fetchall()
    assert len(mart) == len(reference) > 50
    assert mart == reference


def test_a_flagged_latest_value_gives_way_to_the_latest_valid_one(tmp_path):
    """domain.md 1.7: the latest *valid* measurement. X: -2.5 in July, a flagged -7.0 later in
    August: the year counts July's -2.5 (stunted), August has only the flag. Y: flagged only,
    counted in n_flag_haz. Z: -1.0 in July, -2.5 on 5 August and a flagged value on 20 August:
    August and the year take the -2.5."""
    def m(child: str, day: date, haz: float, flagged: int) -> dict:
        return {"file_sha256": "f", "row_number": day.toordinal() % 1000 + ord(child),
                "child_key": child, "child_key_source": "nik", "sex": 1,
                "birth_date": date(2023, 1, 1), "measurement_date": day, "age_days": 900,
                "age_months": 29, "kode_kabkota": "35.09", "kode_kecamatan": "35.09.01",
                "kode_desa": "35.09.01.2001", "posyandu_key": "35.09.01.2001|MAWAR",
                "posyandu_nama": "MAWAR", "zlen": haz, "flen": flagged, "zwei": -1.0,
                "fwei": 0, "zwfl": 0.0, "fwfl": 0, "loaded_at": datetime(2025, 9, 1)}

    rows = [m("X", date(2025, 7, 10), -2.5, 0), m("X", date(2025, 8, 20), -7.0, 1),
            m("Y", date(2025, 8, 12), 6.5, 1),
            m("Z", date(2025, 7, 10), -1.0, 0), m("Z", date(2025, 8, 5), -2.5, 0),
            m("Z", date(2025, 8, 20), 6.8, 1)]
    path = tmp_path / "w.duckdb"
    with building(path, marts_config(prevalence={"min_cell": 1})) as build:
        insert(build.con, "stg_pengukuran", rows)
        build.changed = True
    with connect_readonly(path) as con:
        got = dict(con.execute(
            "SELECT period, (n_children, n_haz, n_stunted, n_flag_haz) FROM mart_prevalensi "
            "WHERE level = 'posyandu' AND period_type IN ('bulan', 'tahun')").fetchall())
    assert got["2025-07"] == (2, 2, 1, 0)  # X -2.5, Z -1.0
    assert got["2025-08"] == (3, 1, 1, 2)  # Z -2.5; X and Y flagged only
    assert got["2025"] == (3, 2, 2, 1)     # X -2.5 (July), Z -2.5; Y flagged
