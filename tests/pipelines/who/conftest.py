"""Shared fixtures for the WHO z-score tests: one DuckDB connection with the LMS tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import duckdb
import pytest

from pipelines.who.tables import install_who_tables
from pipelines.who.zscore import zscore_select

Row = tuple[object, object, object, object, object]  # sex, age_days, weight_kg, lenhei_cm, measure


@pytest.fixture(scope="session")
def who_con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    install_who_tables(con)
    yield con
    con.close()


def _run_rows(con: duckdb.DuckDBPyConnection, rows: Sequence[Row]) -> list[dict]:
    """Run rows (sex, age_days, weight_kg, lenhei_cm, measure) through the SQL, in input order.

    The input table is typed DOUBLE on purpose: literal arithmetic in DuckDB would be DECIMAL.
    """
    cur = con.cursor()
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE zs_in (id INTEGER, sex TINYINT, age_days DOUBLE, "
        "weight_kg DOUBLE, lenhei_cm DOUBLE, measure VARCHAR)"
    )
    cur.executemany(
        "INSERT INTO zs_in VALUES (?, ?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rows)]
    )
    result = cur.execute(f"SELECT * FROM ({zscore_select('zs_in')}) ORDER BY id")
    names = [d[0] for d in result.description]
    out = [dict(zip(names, values)) for values in result.fetchall()]
    cur.close()
    return out


@pytest.fixture(scope="session")
def run_rows(who_con: duckdb.DuckDBPyConnection):
    """run_rows([(sex, age_days, weight_kg, lenhei_cm, measure), ...]) -> output dicts."""
    return lambda rows: _run_rows(who_con, rows)


@pytest.fixture(scope="session")
def run_row(who_con: duckdb.DuckDBPyConnection):
    """run_row((sex, age_days, weight_kg, lenhei_cm, measure)) -> output dict."""
    return lambda row: _run_rows(who_con, [row])[0]


@pytest.fixture(scope="session")
def lms(who_con: duckdb.DuckDBPyConnection):
    """lms(indicator, sex, key) -> (L, M, S); indicator lhfa/wfa/bmi (key = day) or wfl/wfh
    (key = length in mm)."""

    def lookup(indicator: str, sex: int, key: int) -> tuple[float, float, float]:
        if indicator in ("wfl", "wfh"):
            row = who_con.execute(
                "SELECT l, m, s FROM who_lms_len WHERE tbl = ? AND sex = ? AND len_mm = ?",
                [indicator, sex, key],
            ).fetchone()
        else:
            row = who_con.execute(
                f"SELECT {indicator}_l, {indicator}_m, {indicator}_s FROM who_lms_age "
                "WHERE sex = ? AND age_days = ?",
                [sex, key],
            ).fetchone()
        assert row is not None
        return row

    return lookup
