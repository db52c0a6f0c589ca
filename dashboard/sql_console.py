"""A read-only SQL console over the marts.

Defence in layers:
1. its own DuckDB instance (in memory, the warehouse attached READ_ONLY), then
   `enable_external_access = false` (no files, no ATTACH, no COPY, no extension install, no
   pandas replacement scans) and the configuration locked, so a query cannot turn the setting
   back on. A separate instance because DuckDB shares one instance (and its settings) between
   all `duckdb.connect(path)` calls of a process: locking that one would lock the query layer's;
2. exactly one SELECT statement (WITH ... SELECT included), checked on DuckDB's own parse tree
   (`json_serialize_sql`): every table it names is a `mart_*` or `ref_*` table of the warehouse (or
   one of its own CTEs, which may not shadow another table), and it calls no table function
   except a few generators (`query()` and `query_table()` could run any SQL);
3. a time limit (`con.interrupt()` from a timer thread) and a row limit;
4. the result passes the query layer's personal-data column check.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.repository import check_no_personal_columns

ALLOWED_TABLE = re.compile(r"(mart|ref)_[a-z0-9_]+", re.IGNORECASE)
ALLOWED_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 5000


class ConsoleError(ValueError):
    """A query the console refuses or could not run; the message is shown to the user."""


@dataclass
class ConsoleResult:
    frame: pd.DataFrame
    truncated: bool
    seconds: float


def _walk(node: Any, visit: Any) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def check_query(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The statement to run, or ConsoleError saying why it is refused."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise ConsoleError("empty query")
    try:
        statements = con.extract_statements(text)
    except duckdb.Error as exc:
        raise ConsoleError(f"syntax error: {exc}") from exc
    if len(statements) != 1:
        raise ConsoleError("only one statement at a time")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise ConsoleError("only SELECT (or WITH ... SELECT) is allowed")
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0])
    if tree.get("error"):
        raise ConsoleError(f"only SELECT (or WITH ... SELECT) is allowed: {tree.get('error_message')}")

    cte_names: set[str] = set()
    tables: list[dict] = []
    functions: list[str] = []

    def visit(node: dict) -> None:
        if "cte_map" in node:
            for entry in node["cte_map"].get("map", []):
                cte_names.add(str(entry["key"]).lower())
        if node.get("type") == "BASE_TABLE":
            tables.append(node)
        elif node.get("type") == "TABLE_FUNCTION":
            functions.append(str(node.get("function", {}).get("function_name", "")).lower())

    _walk(tree["statements"], visit)
    existing = {r[0].lower() for r in con.execute(
        "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
    ).fetchall()}
    shadowing = sorted(c for c in cte_names if c in existing and not ALLOWED_TABLE.fullmatch(c))
    if shadowing:
        raise ConsoleError(f"a CTE may not reuse the name of a table: {', '.join(shadowing)}")
    for node in tables:
        name = str(node.get("table_name", "")).lower()
        if node.get("catalog_name") or node.get("schema_name") not in ("", "main"):
            raise ConsoleError(f"only tables of the warehouse's main schema: {name}")
        if name in cte_names and not node.get("schema_name"):
            continue
        if not ALLOWED_TABLE.fullmatch(name):
            raise ConsoleError(f"only mart_* and ref_* tables can be queried, not {name}")
    refused = sorted(set(functions) - ALLOWED_TABLE_FUNCTIONS)
    if refused:
        raise ConsoleError(f"table functions are not allowed: {', '.join(refused)}")
    return text


def open_console(warehouse: Path | str) -> duckdb.DuckDBPyConnection:
    """A separate read-only connection that cannot reach files or change its settings."""
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse)])
    con.execute("USE warehouse")
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET threads = 2")
    con.execute("SET lock_configuration = true")
    return con


def run_query(warehouse: Path | str, sql: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
              max_rows: int = DEFAULT_MAX_ROWS) -> ConsoleResult:
    """Check and run one query; at most `max_rows` rows, interrupted after `timeout_s`."""
    con = open_console(warehouse)
    try:
        statement = check_query(con, sql)
        timer = threading.Timer(timeout_s, con.interrupt)
        start = time.perf_counter()
        timer.start()
        try:
            # The checked statement is wrapped, so the row limit applies whatever it says.
            frame = con.execute(f"SELECT * FROM ({statement}) LIMIT {int(max_rows) + 1}").df()
        except duckdb.InterruptException as exc:
            raise ConsoleError(f"the query took longer than {timeout_s:g} s and was stopped") from exc
        except duckdb.Error as exc:
            raise ConsoleError(str(exc).split("\n")[0]) from exc
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    finally:
        con.close()
    check_no_personal_columns(frame.columns)
    truncated = len(frame) > max_rows
    return ConsoleResult(frame=frame.head(max_rows), truncated=truncated, seconds=seconds)
