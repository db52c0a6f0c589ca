"""round_stable (intervensi/00_round_macros.sql, D38): a display rounding that gives one answer
for a value at a half whatever order its sum of doubles was added in."""

from __future__ import annotations

import duckdb

from pipelines.models import MARTS_DIR


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((MARTS_DIR / "intervensi" / "00_round_macros.sql").read_text())
    return con


def test_a_half_rounds_the_same_from_either_side() -> None:
    con = _con()
    # in doubles 1.0125 - 1 is 0.01249999999999995559 and 0.0125 is 0.01250000000000000069: a
    # sum of the same terms in another order can land on either
    below, above = con.execute("SELECT 1.0125::DOUBLE - 1, 0.0125::DOUBLE").fetchone()
    assert below < 0.0125 <= above
    plain = con.execute("SELECT round(?::DOUBLE, 3), round(?::DOUBLE, 3)",
                        [below, above]).fetchone()
    assert plain == (0.012, 0.013)  # what the outcome mart did before (a CI run caught it)
    stable = con.execute("SELECT round_stable(?::DOUBLE, 3), round_stable(?::DOUBLE, 3), "
                         "round_stable(-?::DOUBLE, 3), round_stable(-?::DOUBLE, 3)",
                         [below, above, below, above]).fetchone()
    assert stable == (0.013, 0.013, -0.013, -0.013)


def test_other_values_round_as_round_does() -> None:
    con = _con()
    con.execute("SELECT setseed(0.42)")
    rows = con.execute("""
        SELECT x, k
        FROM (SELECT (random() - 0.5) * 200 AS x FROM range(10000)), (VALUES (0), (1), (3)) t(k)
        WHERE NOT round_stable(x, k) = round(x, k)""").fetchall()
    # a value within 5e-10 of a half at k decimals is one in 10^(9-k) draws: none of these
    assert rows == []
    assert con.execute("SELECT round_stable(NULL::DOUBLE, 3)").fetchone() == (None,)
