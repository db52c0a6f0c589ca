"""The tuned zscore.sql against the straightforward version it replaced (reference_zscore.sql):
identical output, column by column, on edge cases, every 0.01 cm around the WHZ tables and random
rows. Also the lookup tables the tuned version reads. Timing is the benchmark's job, not this."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.who.zscore import OUTPUT_COLUMNS, zscore_select

REFERENCE_SQL = (Path(__file__).parent / "reference_zscore.sql").read_text("utf-8")

NAN, INF = float("nan"), float("inf")
SEXES = [1, 2, None, 3]
# boundary ages (rules §2, §6), fractional ages, unknown (NULL, NaN), negative and infinite
AGES = [0, 1, 273, 273.9, 274, 730, 730.4, 730.5, 731, 1826, 1826.4, 1827, 1856, 1857]
AGES += [None, NAN, -1, INF, -INF]
WEIGHTS = [None, 0, -1, 0.5, 3.3, 9.2, 25, 150, NAN, INF]
# table edges 45/110/65/120 cm, just outside them, the 103.1 cm artefact, missing and absurd
LENGTHS = [None, 0, 0.5, 0.7, 44.99, 45, 45.7, 64.3, 64.9, 65, 65.7, 86.99, 87, 87.7]
LENGTHS += [102.4, 103.1, 109.3, 109.4, 110, 110.05, 110.7, 119.3, 120, 120.7, 300, NAN, INF]
MEASURES = ["l", "h", " H ", None, "x"]


def _list(items: list) -> str:
    """A VARCHAR list literal (the query casts it): every value as text, 'nan' and 'inf' too."""
    return "[" + ", ".join("NULL" if v is None else f"'{v}'" for v in items) + "]"


@pytest.fixture(scope="module")
def cases(who_con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """A table of ~200,000 rows: the grid of edge values, every 0.01 cm from 44.50 to 121.00 cm
    in each position with known and unknown ages, and random rows with 3-decimal values."""
    who_con.execute("SELECT setseed(0.25)")
    who_con.execute(f"""
        CREATE OR REPLACE TABLE zs_fast_cases AS
        WITH grid AS (
            SELECT
                CAST(s AS TINYINT) AS sex, CAST(a AS DOUBLE) AS age_days,
                CAST(w AS DOUBLE) AS weight_kg, CAST(l AS DOUBLE) AS lenhei_cm, m AS measure
            FROM unnest({_list(SEXES)}) AS t1(s),
                unnest({_list(AGES)}::DOUBLE[]) AS t2(a),
                unnest({_list(WEIGHTS)}::DOUBLE[]) AS t3(w),
                unnest({_list(LENGTHS)}::DOUBLE[]) AS t4(l),
                unnest({_list(MEASURES)}) AS t5(m)
        ),
        dense AS (
            SELECT
                CAST(1 + range % 2 AS TINYINT) AS sex, a AS age_days,
                3 + cm / 8 AS weight_kg, cm AS lenhei_cm, m AS measure
            FROM (SELECT range, (4450 + range) / 100.0::DOUBLE AS cm FROM range(0, 7651)),
                unnest(['500', '1000', 'nan']::DOUBLE[]) AS t2(a), unnest(['l', 'h', NULL]) AS t5(m)
        ),
        randomised AS (
            SELECT
                CAST(1 + floor(random() * 2) AS TINYINT) AS sex,
                round(random() * 1900, CAST(floor(random() * 2) AS INTEGER)) AS age_days,
                round(1 + random() * 30, 3) AS weight_kg,
                round(40 + random() * 85, 3) AS lenhei_cm,
                ['l', 'h', NULL][1 + CAST(floor(random() * 3) AS INTEGER)] AS measure
            FROM range(30000)
        )
        SELECT row_number() OVER () AS id, *
        FROM (SELECT * FROM grid UNION ALL SELECT * FROM dense UNION ALL SELECT * FROM randomised)
    """)
    yield "zs_fast_cases"
    who_con.execute("DROP TABLE zs_fast_cases")


def test_fast_sql_equals_reference_sql(who_con, cases):
    """Zero rows must differ in any output column (IS DISTINCT FROM: NULLs and NaN included)."""
    fast = zscore_select(cases)
    reference = REFERENCE_SQL.replace("{source}", cases)
    differs = " OR ".join(f"f.{c} IS DISTINCT FROM r.{c}" for c in OUTPUT_COLUMNS)
    n_rows, n_diff = who_con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE f.id IS NULL OR r.id IS NULL OR {differs})
        FROM ({fast}) AS f FULL JOIN ({reference}) AS r USING (id)
    """).fetchone()
    assert n_rows > 120_000 and n_diff == 0


def test_output_types_equal_reference_types(who_con, cases):
    fast = who_con.execute(f"DESCRIBE {zscore_select(cases)}").fetchall()
    reference = who_con.execute(f"DESCRIBE {REFERENCE_SQL.replace('{source}', cases)}").fetchall()
    assert [(r[0], r[1]) for r in fast] == [(r[0], r[1]) for r in reference]


def test_age_lookup_matches_the_lms_table(who_con):
    keys = who_con.execute(
        "SELECT min(k), max(k), count(*), count(DISTINCT k) FROM who_lookup_age"
    ).fetchone()
    assert keys == (-2, 2 * 1827 - 1, 2 * 1827 + 1, 2 * 1827 + 1)
    mismatched = who_con.execute("""
        SELECT count(*) FROM who_lms_age AS a
        JOIN who_lookup_age AS k ON k.k = (a.sex - 1) * 1827 + a.age_days
        WHERE (k.lhfa_l, k.lhfa_m, k.lhfa_s, k.wfa_l, k.wfa_m, k.wfa_s, k.bmi_l, k.bmi_m, k.bmi_s)
            IS DISTINCT FROM
            (a.lhfa_l, a.lhfa_m, a.lhfa_s, a.wfa_l, a.wfa_m, a.wfa_s, a.bmi_l, a.bmi_m, a.bmi_s)
    """).fetchone()
    assert mismatched == (0,)
    empty = who_con.execute("SELECT * FROM who_lookup_age WHERE k = -2").fetchone()
    assert empty[1:] == (None,) * (len(empty) - 1)


def test_length_lookup_matches_the_lms_table(who_con):
    keys = who_con.execute(
        "SELECT min(k), max(k), count(*), count(DISTINCT k) FROM who_lookup_len"
    ).fetchone()
    assert keys == (-2, 4 * 2259 - 1, 4 * 2259 + 1, 4 * 2259 + 1)
    # every table row appears as lower row with v = 0 (d = 0), v = 1 and v = 2 (d to 1 and 2 mm up)
    mismatched = who_con.execute("""
        WITH t AS (
            SELECT CASE tbl WHEN 'wfl' THEN 0 ELSE 1 END AS h, sex, len_mm, l, m, s
            FROM who_lms_len
        )
        SELECT count(*) FROM t CROSS JOIN range(0, 3) AS v(v)
        JOIN who_lookup_len AS k
            ON k.k = ((t.sex - 1) * 2 + t.h) * 2259 + (t.len_mm - 449) * 3 + v.v
        LEFT JOIN t AS up ON up.h = t.h AND up.sex = t.sex AND up.len_mm = t.len_mm + v.v
        WHERE (k.l, k.m, k.s) IS DISTINCT FROM (t.l, t.m, t.s)
            OR (v.v = 0 AND (k.dl, k.dm, k.ds) IS DISTINCT FROM (0, 0, 0))
            OR (v.v > 0 AND (k.dl, k.dm, k.ds) IS DISTINCT FROM (up.l - t.l, up.m - t.m, up.s - t.s))
    """).fetchone()
    assert mismatched == (0,)
    # keys outside the tables' ranges are empty rows
    n_filled = who_con.execute("SELECT count(*) FROM who_lookup_len WHERE m IS NOT NULL").fetchone()
    assert n_filled == (3 * 2 * (651 + 551),)
