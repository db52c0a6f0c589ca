"""The read-only SQL console: what it runs, what it refuses, and its limits. Uses a tiny
warehouse of its own so it does not depend on the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.repository import PersonalDataError
from dashboard.sql_console import ConsoleError, open_console, run_query


@pytest.fixture(scope="module")
def small_wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console") / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE mart_x AS SELECT range AS i, range % 3 AS g FROM range(10)")
    con.execute("CREATE TABLE ref_y AS SELECT 1 AS g, 'satu' AS label")
    con.execute("CREATE TABLE stg_pengukuran AS SELECT 'secret' AS child_key")
    con.execute("CREATE TABLE mart_bad AS SELECT '3509010101010001' AS nik")
    con.close()
    return path


def test_select_and_with_over_marts(small_wh):
    res = run_query(small_wh, "SELECT g, count(*) AS n FROM mart_x GROUP BY g ORDER BY g;")
    assert res.frame.to_dict("list") == {"g": [0, 1, 2], "n": [4, 3, 3]}
    assert not res.truncated
    res = run_query(small_wh, "WITH c AS (SELECT * FROM mart_x JOIN ref_y USING (g)) "
                              "SELECT label, count(*) AS n FROM c GROUP BY ALL")
    assert res.frame.to_dict("list") == {"label": ["satu"], "n": [3]}


@pytest.mark.parametrize("sql, why", [
    ("SELECT * FROM stg_pengukuran", "only mart_"),
    ("SELECT * FROM main.stg_pengukuran", "only mart_"),
    ("SELECT * FROM (WITH stg_pengukuran AS (SELECT 1) SELECT 1), stg_pengukuran", "CTE"),
    ("SELECT * FROM query('SELECT * FROM stg_pengukuran')", "table functions"),
    ("SELECT * FROM read_csv('/etc/passwd')", "table functions"),
    ("SELECT * FROM information_schema.tables", "main schema"),
    ("CREATE TABLE mart_z AS SELECT 1", "only SELECT"),
    ("DELETE FROM mart_x", "only SELECT"),
    ("COPY mart_x TO '/tmp/out.csv'", "only SELECT"),
    ("ATTACH '/tmp/other.duckdb'", "only SELECT"),
    ("SET enable_external_access = true", "only SELECT"),
    ("SELECT 1; DROP TABLE mart_x", "one statement"),
    ("", "empty"),
])
def test_refused(small_wh, sql, why):
    with pytest.raises(ConsoleError, match=why):
        run_query(small_wh, sql)


def test_the_connection_itself_cannot_reach_files(small_wh, tmp_path):
    """Layer 1 on its own: even a statement that skipped the parse-tree check could not read,
    write or attach files, nor switch the protection off."""
    con = open_console(small_wh)
    try:
        for sql in ("SELECT * FROM read_text('/etc/hostname')",
                    f"COPY mart_x TO '{tmp_path / 'out.csv'}'",
                    f"ATTACH '{tmp_path / 'other.duckdb'}'"):
            with pytest.raises(duckdb.PermissionException):
                con.execute(sql)
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE mart_new AS SELECT 1")  # read-only
    finally:
        con.close()
    assert not (tmp_path / "out.csv").exists()


def test_timeout_interrupts_a_long_query(small_wh):
    with pytest.raises(ConsoleError, match="longer than"):
        run_query(small_wh, "SELECT count(*) FROM mart_x a, mart_x b, mart_x c, mart_x d, mart_x e, "
                            "mart_x f, mart_x g, mart_x h, mart_x i, mart_x j, mart_x k",
                  timeout_s=0.3)


def test_row_limit(small_wh):
    res = run_query(small_wh, "SELECT * FROM mart_x a, mart_x b", max_rows=25)
    assert len(res.frame) == 25 and res.truncated


def test_personal_columns_are_refused(small_wh):
    with pytest.raises(PersonalDataError):
        run_query(small_wh, "SELECT nik FROM mart_bad")
    with pytest.raises(PersonalDataError):
        run_query(small_wh, "SELECT i AS nama_anak FROM mart_x")
