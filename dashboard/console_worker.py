"""The SQL console's query process: `python -m dashboard.console_worker`, one per console query.

DuckDB's `memory_limit` bounds what its buffer manager holds (joins, sorts, aggregates), not the
strings and lists a scalar function builds inside a row batch: measured on DuckDB 2.0.0 with a
256 MB limit, `SELECT repeat('x', 1000000) FROM range(5000)` streamed in 100-row Arrow batches
still took the process to 2 GB, and `SELECT range(0, 100000000)` to 7 GB. So the query runs in a
process of its own whose data segment the kernel caps (RLIMIT_DATA): past it an allocation
fails, DuckDB reports "Out of Memory", and the dashboard's own process is untouched.

Reads one JSON request on stdin; writes one JSON line (the outcome), then on success the result
as an Arrow IPC stream, at most `max_rows` rows and about `max_result_bytes` bytes. This module
imports neither pandas nor streamlit, so the process starts in ~0.3 s.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dashboard.scope import apply_scope, check_scope

ALLOWED_TABLE = re.compile(r"(mart|ref)_[a-z0-9_]+", re.IGNORECASE)
ALLOWED_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
# Scalar functions that read the instance's settings or the server's environment, or run SQL.
REFUSED_FUNCTIONS = {"current_setting", "getenv", "which_secret", "query", "query_table",
                     "json_execute_serialized_sql", "getvariable", "current_database",
                     "current_catalog", "current_schema", "current_schemas"}
# Scalar system functions by prefix (catalog listings, pragmas, file readers); table functions
# are refused unless in ALLOWED_TABLE_FUNCTIONS.
REFUSED_PREFIXES = ("duckdb_", "pragma_", "read_", "sniff_", "glob", "parquet_", "iceberg_",
                    "delta_", "sqlite_", "postgres_", "mysql_")
BATCH_ROWS = 256


class ConsoleError(ValueError):
    """A query the console refuses or could not run; the message is shown to the user.

    `kind` names the few outcomes the page words itself ("busy", "memory", "timeout"); any other
    is shown as "refused or failed" with the message."""

    def __init__(self, message: str, kind: str = "refused", **values: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.values = values


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
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise ConsoleError(f"only SELECT (or WITH ... SELECT) is allowed, not {kind.name}")
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0])
    if tree.get("error"):
        raise ConsoleError("only SELECT (or WITH ... SELECT) is allowed: "
                           f"{tree.get('error_message')}")

    cte_names: set[str] = set()
    tables: list[dict] = []
    table_functions: list[str] = []
    functions: set[str] = set()
    shows: set[str] = set()

    def visit(node: dict) -> None:
        if "cte_map" in node:
            for entry in node["cte_map"].get("map", []):
                cte_names.add(str(entry["key"]).lower())
        kind = node.get("type")
        if kind == "BASE_TABLE":
            tables.append(node)
        elif kind == "TABLE_FUNCTION":
            table_functions.append(str(node.get("function", {}).get("function_name", "")).lower())
        elif kind == "SHOW_REF":  # SHOW, DESCRIBE and SUMMARIZE, alone or as a subquery
            shows.add(str(node.get("show_type", "SHOW")))
        elif kind == "FUNCTION" and "function_name" in node:
            functions.add(str(node["function_name"]).lower())

    _walk(tree["statements"], visit)
    if shows:
        raise ConsoleError("SHOW, DESCRIBE and SUMMARIZE are not allowed; the tables and their "
                           "columns are listed above the console")
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
    refused = sorted(set(table_functions) - ALLOWED_TABLE_FUNCTIONS)
    if refused:
        raise ConsoleError(f"table functions are not allowed: {', '.join(refused)}")
    refused = sorted(f for f in functions
                     if f in REFUSED_FUNCTIONS or f.startswith(REFUSED_PREFIXES))
    if refused:
        raise ConsoleError(f"functions not allowed: {', '.join(refused)}")
    return text


def open_console(warehouse: Path | str, memory_limit_mb: int = 256,
                 scope: str | None = None) -> duckdb.DuckDBPyConnection:
    """A separate read-only connection that cannot reach files, spill to disk or change its
    settings, scoped to the wilayah `scope` (None: the province) by TEMP views named like the
    tables (dashboard/scope.py). A separate instance because DuckDB shares one instance (and
    its settings) between all `duckdb.connect(path)` calls of a process: locking that one would
    lock the query layer's."""
    con = duckdb.connect(":memory:")
    # No temporary folder: past memory_limit a query fails instead of spilling to disk. Set
    # first, as enable_external_access = false forbids changing it.
    con.execute("SET temp_directory = ''")
    con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse)])
    con.execute("USE warehouse")
    apply_scope(con, check_scope(scope))
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute(f"SET memory_limit = '{int(memory_limit_mb)}MB'")
    con.execute("SET threads = 1")
    con.execute("SET lock_configuration = true")
    return con


def _fit(batch: pa.RecordBatch, room: int) -> pa.RecordBatch:
    """The longest head of `batch` whose Arrow buffers take at most `room` bytes."""
    lo, hi = 0, batch.num_rows
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if batch.slice(0, mid).nbytes <= room:
            lo = mid
        else:
            hi = mid - 1
    return batch.slice(0, lo)


def fetch(con: duckdb.DuckDBPyConnection, statement: str, max_rows: int,
          max_bytes: int) -> tuple[pa.Schema, list[pa.RecordBatch], str | None]:
    """Stream the checked statement in small Arrow batches and stop at the row or byte cap.
    Returns the schema, the batches kept and which cap cut the result ("rows", "bytes" or None)."""
    # Wrapped, so the row limit applies whatever the statement says.
    reader = con.sql(f"SELECT * FROM ({statement}) LIMIT {int(max_rows) + 1}").to_arrow_reader(
        BATCH_ROWS)
    kept: list[pa.RecordBatch] = []
    rows = size = 0
    cut: str | None = None
    try:
        for batch in reader:
            if rows + batch.num_rows > max_rows:
                batch, cut = batch.slice(0, max_rows - rows), "rows"
            if size + batch.nbytes > max_bytes:
                batch, cut = _fit(batch, max_bytes - size), "bytes"
            kept.append(batch)
            rows += batch.num_rows
            size += batch.nbytes
            if cut:
                break
    finally:
        reader.close()
    return reader.schema, kept, cut


def limit_process_memory(mb: int) -> None:
    """Cap this process's data segment (heap and private mappings) at `mb` MiB."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = int(mb) << 20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _failure(exc: BaseException, timed_out: bool, request: dict) -> dict:
    if timed_out:
        return {"ok": False, "kind": "timeout", "error": f"the query took longer than "
                f"{request['timeout_s']:g} s and was stopped"}
    if isinstance(exc, ConsoleError):
        return {"ok": False, "kind": exc.kind, "error": str(exc)}
    text = str(exc).split("\n")[0] or type(exc).__name__
    if isinstance(exc, MemoryError) or "out of memory" in text.lower():
        return {"ok": False, "kind": "memory", "error": "the query needed more memory than the "
                f"console allows ({request['process_memory_mb']} MB) and was stopped: {text}"}
    return {"ok": False, "kind": "refused", "error": text}


def run(request: dict, out: Any) -> int:
    """Run one request and write the outcome line (and the result) to the binary stream `out`."""
    timed_out = threading.Event()
    try:
        limit_process_memory(request["process_memory_mb"])
        con = open_console(request["warehouse"], request["memory_limit_mb"],
                           request.get("scope"))
        statement = check_query(con, request["sql"])

        def stop() -> None:
            timed_out.set()
            con.interrupt()

        timer = threading.Timer(request["timeout_s"], stop)
        start = time.perf_counter()
        timer.start()
        try:
            schema, batches, cut = fetch(con, statement, request["max_rows"],
                                         request["max_result_bytes"])
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
        body = sink.getvalue()
        con.close()
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the page as a message
        out.write(json.dumps(_failure(exc, timed_out.is_set(), request)).encode() + b"\n")
        return 0
    head = {"ok": True, "cut": cut, "seconds": seconds,
            "bytes": sum(b.nbytes for b in batches)}
    out.write(json.dumps(head).encode() + b"\n")
    out.write(memoryview(body))
    return 0


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    code = run(request, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
