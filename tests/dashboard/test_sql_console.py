"""The read-only SQL console: what it runs, what it refuses, and its limits. Uses a tiny
warehouse of its own so it does not depend on the marts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard import sql_console
from dashboard.repository import PersonalDataError
from dashboard.sql_console import ConsoleError, ConsoleLimits, open_console, run_query
from pipelines.config import Config

# The query of issue 15: 5,000 strings of 200 kB (1 GB), which took the server to 6 GB.
BIG_QUERY = "SELECT repeat('x', 200000) FROM range(5000)"


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
    ("SELECT * FROM read_parquet('/tmp/x.parquet')", "table functions"),
    ("SELECT * FROM glob('/etc/*')", "table functions"),
    ("SELECT * FROM duckdb_settings()", "table functions"),
    ("SELECT * FROM '/etc/passwd'", "only mart_"),
    ("COPY mart_x TO '/tmp/out.csv'", "only SELECT"),
    ("ATTACH '/tmp/other.duckdb'", "only SELECT"),
    ("SET enable_external_access = true", "only SELECT"),
    ("SET memory_limit = '8GB'", "only SELECT"),
    ("PRAGMA table_info('mart_x')", "only SELECT"),
    ("INSTALL httpfs", "only SELECT"),
    ("LOAD httpfs", "only SELECT"),
    ("EXPLAIN SELECT * FROM mart_x", "only SELECT"),
    ("CALL pragma_version()", "only SELECT"),
    ("SHOW TABLES", "SHOW, DESCRIBE and SUMMARIZE"),
    ("SHOW mart_x", "SHOW, DESCRIBE and SUMMARIZE"),
    ("DESCRIBE mart_x", "SHOW, DESCRIBE and SUMMARIZE"),
    ("SUMMARIZE mart_x", "SHOW, DESCRIBE and SUMMARIZE"),
    ("SELECT * FROM mart_x, (SUMMARIZE SELECT 1)", "SHOW, DESCRIBE and SUMMARIZE"),
    ("SELECT current_setting('temp_directory')", "current_setting"),
    ("SELECT i FROM mart_x WHERE getenv('HOME') IS NOT NULL", "getenv"),
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
        for setting in ("enable_external_access = true", "memory_limit = '8GB'",
                        "temp_directory = '/tmp'"):
            with pytest.raises(duckdb.Error, match="locked|disabled"):
                con.execute(f"SET {setting}")
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE mart_new AS SELECT 1")  # read-only
    finally:
        con.close()
    assert not (tmp_path / "out.csv").exists()


def test_timeout_interrupts_a_long_query(small_wh):
    with pytest.raises(ConsoleError, match="longer than") as err:
        run_query(small_wh, "SELECT count(*) FROM mart_x a, mart_x b, mart_x c, mart_x d, mart_x e, "
                            "mart_x f, mart_x g, mart_x h, mart_x i, mart_x j, mart_x k",
                  ConsoleLimits(timeout_s=0.3))
    assert err.value.kind == "timeout"


def test_row_limit(small_wh):
    res = run_query(small_wh, "SELECT * FROM mart_x a, mart_x b", ConsoleLimits(max_rows=25))
    assert len(res.frame) == 25 and res.truncated and res.cut == "rows"


def test_byte_limit(small_wh):
    """5,000 strings of 20 kB (100 MB) are cut at 1 MB of result, under the row limit."""
    res = run_query(small_wh, "SELECT i, repeat('x', 20000) AS s FROM range(5000) t(i)",
                    ConsoleLimits(max_result_mb=1))
    assert res.truncated and res.cut == "bytes"
    assert 40 <= len(res.frame) <= 53  # 1 MiB / ~20 kB a row
    assert res.frame["i"].tolist() == list(range(len(res.frame)))
    assert res.frame["s"].str.len().sum() <= 1024 * 1024


def test_limits_come_from_the_config_section():
    limits = Config.from_dict({"console": {"max_rows": 10, "timeout_s": 2}}).console
    assert limits.max_rows == 10 and limits.timeout_s == 2.0
    assert limits.max_concurrent == ConsoleLimits().max_concurrent  # a missing key: the default


def test_the_issue_query_cannot_take_the_servers_memory(small_wh, tmp_path):
    """The issue's query, run by the console function in a fresh process standing for the
    dashboard: it is refused with a message, the dashboard's process grows by little, and the
    query process stays within its cap."""
    script = f"""
import json, resource
from dashboard.sql_console import ConsoleError, ConsoleLimits, run_query
def hwm_mb():
    status = open("/proc/self/status").read().splitlines()
    return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
run_query({str(small_wh)!r}, "SELECT 1 AS warm")
open("/proc/self/clear_refs", "w").write("5")  # restart the peak RSS count
before = hwm_mb()
try:
    res = run_query({str(small_wh)!r}, {BIG_QUERY!r}, ConsoleLimits(process_memory_mb=512))
    outcome = ["ok", res.cut, len(res.frame)]
except ConsoleError as exc:
    outcome = [exc.kind, str(exc)]
print(json.dumps({{"outcome": outcome, "growth_mb": hwm_mb() - before,
                  "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True, cwd=Path(__file__).parents[2]).stdout
    report = json.loads(out.splitlines()[-1])
    # Refused for memory (or, on a machine where the batch fits, cut at the byte cap).
    assert report["outcome"][0] == "memory" or report["outcome"][:2] == ["ok", "bytes"], report
    assert report["growth_mb"] < 100, report  # was ~4 GB in-process
    assert report["child_mb"] < 512 + 150, report  # RSS also counts the libraries' code


def test_concurrent_queries_are_limited(small_wh, monkeypatch):
    monkeypatch.setattr(sql_console, "BUSY_WAIT_S", 0.05)
    limits = ConsoleLimits(max_concurrent=1)
    slot = sql_console.slots(1)
    assert slot.acquire(timeout=5)  # another user's query is running
    try:
        with pytest.raises(ConsoleError, match="busy") as err:
            run_query(small_wh, "SELECT * FROM mart_x", limits)
        assert err.value.kind == "busy" and err.value.values == {"n": 1}
    finally:
        slot.release()
    with pytest.raises(ConsoleError):  # a failed query gives its slot back ...
        run_query(small_wh, "SELECT count(*) FROM mart_x a, mart_x b, mart_x c, mart_x d, "
                            "mart_x e, mart_x f, mart_x g, mart_x h, mart_x i, mart_x j",
                  ConsoleLimits(max_concurrent=1, timeout_s=0.2))
    assert len(run_query(small_wh, "SELECT * FROM mart_x", limits).frame) == 10  # ... as does this
    assert slot.acquire(timeout=0)
    slot.release()


def test_personal_columns_are_refused(small_wh):
    with pytest.raises(PersonalDataError):
        run_query(small_wh, "SELECT nik FROM mart_bad")
    with pytest.raises(PersonalDataError):
        run_query(small_wh, "SELECT i AS nama_anak FROM mart_x")
