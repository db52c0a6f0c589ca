"""Each engine difference pipelines/spark/dialect.py handles, checked on both engines: the same
DuckDB SQL gives the same rows on DuckDB and, rewritten, on Spark (issue 13)."""

from __future__ import annotations

import math

import duckdb
import pytest

pytest.importorskip("pyspark")

from pipelines.config import default_config
from pipelines.spark.connection import SparkConnection
from pipelines.spark.session import spark_session

pytestmark = pytest.mark.slow

MACROS = """
CREATE OR REPLACE TEMP MACRO over_min(value, n) AS CASE WHEN n >= getvariable('min_cell') THEN value END;
CREATE OR REPLACE TEMP MACRO twice(x) AS over_min(2 * x, x);
"""
ROWS = """
CREATE OR REPLACE TEMP TABLE t AS
SELECT * FROM (VALUES
    ('35.07', '35.07.01', 'a', 10, 3, 1.25, DATE '2025-01-15', 'f1'),
    ('35.07', '35.07.01', 'b', 20, 7, 2.5, DATE '2025-02-03', 'f2'),
    ('35.07', '35.07.02', 'c', 30, 1, NULL, DATE '2025-02-28', 'f1'),
    ('35.09', '35.09.01', 'd', 40, 9, 4.75, DATE '2025-03-01', 'f3'),
    ('35.09', '35.09.01', 'e', 50, 0, 0.1, DATE '2025-03-09', 'f3')
) AS v(kab, kec, kode, n, x, w, tanggal, file)
"""
QUERIES = {
    "variables and nested macros":
        "SELECT kode, twice(n) AS t, over_min(x, n) AS m FROM t",
    "decimal literals and / in DOUBLE":
        "SELECT kode, (x + 1.0) / (n + 2) * (1 - (x + 1.0) / (n + 2)) / (n + 2) AS v, "
        "100 * x / n AS p, CAST(x AS HUGEINT) / 3 AS h FROM t",
    "HUGEINT bit packing and unpacking":
        "WITH p AS (SELECT kab, sum(CAST(x < 5 AS HUGEINT) << (24 * (x % 5))) AS lo "
        "FROM t GROUP BY kab) SELECT kab, CAST((coalesce(lo, 0) >> 0) & 16777215 AS BIGINT) "
        "AS d0, CAST((coalesce(lo, 0) >> 24) & 16777215 AS BIGINT) AS d1, "
        "CAST((coalesce(lo, 0) >> 72) & 16777215 AS BIGINT) AS d3 FROM p",
    "max over packed keys":
        "SELECT kab, max(CAST(n > 15 AS HUGEINT) << 122 | CAST(x AS HUGEINT) << 2 | 3) AS k, "
        "max(CAST(n > 15 AS HUGEINT) << 122 | CAST(x AS HUGEINT) << 2 | 3) & 3 AS cls FROM t "
        "GROUP BY kab",
    "bigint shifts stay native":
        "SELECT kode, (CAST(tanggal - DATE '1970-01-01' AS BIGINT) << 42) | n AS k, "
        "bit_count(bit_or(1 << (month(tanggal) - 1))) AS months FROM t GROUP BY ALL",
    "arg_max over a tuple":
        "SELECT kab, arg_max(kode, (x, kode)) AS top, arg_min(kode, (n, kode)) AS low FROM t "
        "GROUP BY kab",
    "grouping() of several columns":
        "SELECT grouping(kab, kec) AS g, kab, kec, sum(n) AS n FROM t "
        "GROUP BY GROUPING SETS ((), (kab), (kab, kec))",
    "quantiles exact":
        "SELECT kab, quantile_cont(n, 0.25) AS q1, median(n) AS med, "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY n) AS p90 FROM t GROUP BY kab",
    "EXCLUDE and REPLACE":
        "SELECT * EXCLUDE (w, file) REPLACE (upper(kode) AS kode) FROM t",
    "COLUMNS by regex, list and lambda":
        "SELECT kab, sum(COLUMNS('^[nx]$'))::BIGINT, max(COLUMNS(['w'])), "
        "min(COLUMNS(lambda c: c IN ('tanggal'))) FROM t GROUP BY kab",
    "t.* beside a USING join keeps t's column order":
        "SELECT x.*, y.total FROM (SELECT kode, kab, n FROM t) AS x "
        "LEFT JOIN (SELECT kab, sum(n) AS total FROM t GROUP BY kab) AS y USING (kab)",
    "UNION ALL BY NAME":
        "SELECT kab, n FROM t UNION ALL BY NAME SELECT x, kode AS kab, 'z' AS extra FROM t",
    "QUALIFY":
        "SELECT kab, kode, n FROM t "
        "QUALIFY row_number() OVER (PARTITION BY kab ORDER BY n DESC) = 1",
    "dates":
        "SELECT kode, strftime(tanggal, '%Y-%m') AS m, date_trunc('month', tanggal)::DATE AS b, "
        "CAST(tanggal - to_months(2) AS DATE) AS back, tanggal - DATE '2025-01-01' AS days, "
        "epoch_ms(CAST(tanggal AS TIMESTAMP) + INTERVAL 900 MICROSECONDS) AS ms, "
        "epoch_ms(CAST(tanggal AS TIMESTAMP) + INTERVAL 1400 MICROSECONDS) AS ms2 FROM t",
    "struct literals and lists":
        "SELECT kode, {'lo': x, 'hi': n}.hi AS hi, "
        "list_max(list_filter([1, 2, 8, 9], lambda d: list_contains([2, 8], d))) AS l FROM t",
    "list indexes count from 1":
        "SELECT kode, ['lo', 'mid', 'hi'][x % 3 + 1] AS band, [10, 20, 30][2] AS second FROM t",
    "DuckDB's hash as a tie-break":
        "SELECT file, hash(file) & 1073741823 AS h FROM t",
    "division by zero is NULL":
        "SELECT kode, n / x AS r FROM t",
    "integer division and modulo":
        "SELECT kode, n // 3 AS q, -n // 7 AS nq, x % 3 AS r, -x % 4 AS nr, "
        "n // nullif(x, 0) AS z FROM t",
    "rounding to decimals as DuckDB rounds":
        "SELECT v, round(v, 2) AS r2, round(v, 1) AS r1, round(v) AS r0, round(v * 1000) AS rk "
        "FROM (VALUES (0.285::DOUBLE), (1.005::DOUBLE), (-69.195::DOUBLE), (2.675::DOUBLE), "
        "(-2.5::DOUBLE), (0.125::DOUBLE), (12.345::DOUBLE)) AS u(v)",
    "fractions cast to integers round half to even":
        "SELECT kode, CAST(x / 2 AS INTEGER) AS h, CAST(n / 4 AS BIGINT) AS q, "
        "CAST(sqrt(x) AS INTEGER) AS s, CAST(CAST(x AS DOUBLE) / 2 AS HUGEINT) AS d, "
        "CAST(x > 2 AS INTEGER) AS b FROM t",
    "NULL ordering":
        "SELECT kode, w, row_number() OVER (ORDER BY w, kode) AS up, "
        "row_number() OVER (ORDER BY w DESC, kode) AS down, "
        "first_value(kode) OVER (ORDER BY w) AS lowest, "
        "(SELECT list(kode ORDER BY w DESC)[1] FROM t) AS first_listed, "
        "(SELECT list(w ORDER BY x DESC, kode)[2] FROM t) AS next_listed, "
        "(SELECT list(kode ORDER BY w NULLS FIRST) FROM t) AS all_listed, "
        "(SELECT array_length(list(w)) FROM t) AS with_null, "
        "(SELECT string_agg(kode, ',' ORDER BY w DESC) FROM t) AS joined FROM t",
    "window frames":
        "SELECT kode, sum(n) OVER (ORDER BY kab) AS with_peers, "
        "sum(n) OVER (ORDER BY kab, kode ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
        "AS running, last_value(n) OVER (PARTITION BY kab ORDER BY x) AS last_so_far, "
        "avg(n) OVER (ORDER BY kode ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS moving, "
        "count(*) OVER () AS n_all FROM t",
}


@pytest.fixture(scope="module")
def engines():
    duck = duckdb.connect()
    spark = SparkConnection(spark_session(default_config()))
    for con in (duck, spark):
        con.execute("SET VARIABLE min_cell = ?", [15])
        con.execute(MACROS)
        con.execute(ROWS)
    return duck, spark


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


@pytest.mark.parametrize("name", list(QUERIES))
def test_same_rows_on_both_engines(engines, name: str) -> None:
    duck, spark = engines
    sql = QUERIES[name]
    expected = duck.execute(sql)
    got = spark.execute(sql)
    assert [d[0] for d in expected.description] == got.columns, name
    a, b = _sorted(expected.fetchall()), _sorted(got.fetchall())
    assert len(a) == len(b) > 0
    for ra, rb in zip(a, b):
        assert all(_same(x, y) for x, y in zip(ra, rb)), f"{name}: {ra} vs {rb}"


def test_tables_take_insert_delete_rename(engines) -> None:
    """The builder's table statements, on Spark's frames as on DuckDB's tables."""
    duck, spark = engines
    script = """
    CREATE OR REPLACE TEMP TABLE s (kode VARCHAR, n BIGINT, note VARCHAR);
    INSERT INTO s SELECT kode, n, NULL FROM t WHERE n < 30;
    INSERT INTO s BY NAME SELECT 'z' AS kode, 99 AS n;
    INSERT INTO s VALUES ('y', 7, 'v');
    DELETE FROM s WHERE n = 20 OR note IS NULL AND n > 90;
    ALTER TABLE s RENAME TO s2;
    """
    for con in (duck, spark):
        con.execute(script)
    assert _sorted(duck.execute("SELECT * FROM s2").fetchall()) == \
        _sorted(spark.execute("SELECT * FROM s2").fetchall()) == \
        [("a", 10, None), ("y", 7, "v")]
    assert spark.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 's2'").fetchone()[0] == 1
