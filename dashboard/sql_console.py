"""A read-only SQL console over the marts, bounded in time, rows, bytes, memory and concurrency.

Defence in layers:
1. its own DuckDB instance (in memory, the warehouse attached READ_ONLY), scoped to the user's
   wilayah by TEMP views named like the tables (dashboard/scope.py, D26), then
   `enable_external_access = false` (no files, no ATTACH, no COPY, no extension install, no
   pandas replacement scans), no temporary folder, one thread, a low `memory_limit`, and the
   configuration locked, so a query cannot turn a setting back;
2. exactly one SELECT statement (WITH ... SELECT included), checked on DuckDB's own parse tree
   (`json_serialize_sql`): every table it names is a `mart_*` or `ref_*` table of the warehouse (or
   one of its own CTEs, which may not shadow another table) named without a catalog or another
   schema than `main` (a catalog-qualified name would read past the scope's views), it calls no
   table function except a few generators (`query()` and `query_table()` could run any SQL,
   `duckdb_*()` list the catalog, `read_*()` read files), no SHOW / DESCRIBE / SUMMARIZE, no
   system functions (`current_setting()`, `getenv()`, `duckdb_*`, `pragma_*`);
3. the query runs in a process of its own (`dashboard.console_worker`) whose memory the kernel
   caps, so one user's query cannot take the dashboard's memory (DuckDB's memory_limit alone
   does not bound what scalar functions build, see there); at most `max_concurrent` such
   processes at a time; interrupted after `timeout_s` and killed soon after;
4. the result is streamed in Arrow batches and cut at `max_rows` rows or `max_result_mb` of
   Arrow buffers, whichever comes first;
5. the result passes the query layer's personal-data column check before it is decoded.
The check of step 2 runs here first too (a refused query costs no process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from dashboard.console_worker import ConsoleError, check_query, open_console
from dashboard.repository import check_no_personal_columns
from dashboard.scope import check_scope
from pipelines.config import ConsoleLimits, default_config

__all__ = ["DEFAULT_SQL", "ConsoleError", "ConsoleLimits", "ConsoleResult", "check_query",
           "configured_limits", "open_console", "run_query"]

# What the console's text box holds until the user types: an example over the marts.
DEFAULT_SQL = ("SELECT kode, nama, period, n_haz, pct_stunted, p_above, signif, signif_adj\n"
               "FROM mart_prevalensi_kabkota\nWHERE period_type = 'bulan'\n"
               "ORDER BY period DESC, pct_stunted DESC\nLIMIT 20")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# How long a query waits for a free slot before the page says the console is busy.
BUSY_WAIT_S = 1.0
# Time the query process may take beyond timeout_s (start-up, writing the result) before it is
# killed; it interrupts its own query at timeout_s.
KILL_GRACE_S = 10.0


def configured_limits() -> ConsoleLimits:
    """The config's `[console]` (fields and defaults: pipelines.config.ConsoleLimits)."""
    return default_config().console


@dataclass
class ConsoleResult:
    frame: pd.DataFrame
    truncated: bool
    seconds: float
    cut: str | None = None  # "rows" or "bytes" when truncated


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def slots(n: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore for `n` concurrent console queries (Streamlit serves every
    session from one process)."""
    with _slots_lock:
        return _slots.setdefault(int(n), threading.BoundedSemaphore(max(1, int(n))))


def _worker(warehouse: Path | str, statement: str, limits: ConsoleLimits,
            scope: str | None = None, child_rows: bool = False) -> tuple[dict, bytes]:
    request = {"warehouse": str(Path(warehouse).resolve()), "sql": statement, "scope": scope,
               "child_rows": bool(child_rows),
               "timeout_s": float(limits.timeout_s), "max_rows": int(limits.max_rows),
               "max_result_bytes": int(limits.max_result_mb * 1024 * 1024),
               "memory_limit_mb": int(limits.memory_limit_mb),
               "process_memory_mb": int(limits.process_memory_mb)}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.console_worker"], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(json.dumps(request).encode(),
                                    timeout=limits.timeout_s + KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        raise ConsoleError(f"the query took longer than {limits.timeout_s:g} s and was stopped",
                           "timeout", s=limits.timeout_s) from None
    finally:
        if proc.poll() is None:  # timed out, or this thread was interrupted
            proc.kill()
            proc.communicate()
    head, _, body = out.partition(b"\n")
    try:
        outcome = json.loads(head)
    except ValueError:
        # No outcome line: the process died (the kernel's OOM killer, a crash). Say so in the
        # server log; the page gets a message.
        print(f"tumbuh console: query process ended with code {proc.returncode}: "
              f"{err.decode(errors='replace')[-2000:]}", file=sys.stderr)
        raise ConsoleError(f"the query process stopped unexpectedly (code {proc.returncode}); "
                           "it may have needed more memory than the console allows",
                           "memory", mb=limits.process_memory_mb) from None
    return outcome, body


def run_query(warehouse: Path | str, sql: str, limits: ConsoleLimits | None = None,
              scope: str | None = None, child_rows: bool = False) -> ConsoleResult:
    """Check and run one query within `limits` (by default the config's `[console]`) and the
    wilayah `scope` (None: the province; "35.07": that kab/kota's rows below kab/kota level
    only, as in the query layer); child-level tables read as empty unless `child_rows`."""
    limits = limits or configured_limits()
    scope = check_scope(scope)
    con = open_console(warehouse, limits.memory_limit_mb)
    try:
        statement = check_query(con, sql)
    finally:
        con.close()
    slot = slots(limits.max_concurrent)
    if not slot.acquire(timeout=BUSY_WAIT_S):
        raise ConsoleError(f"the console is busy ({limits.max_concurrent} queries are running); "
                           "try again in a moment", "busy", n=limits.max_concurrent)
    start = time.perf_counter()
    try:
        outcome, body = _worker(warehouse, statement, limits, scope, child_rows)
    finally:
        slot.release()
    seconds = time.perf_counter() - start
    if not outcome["ok"]:
        values = {"timeout": {"s": limits.timeout_s},
                  "memory": {"mb": limits.process_memory_mb}}.get(outcome["kind"], {})
        raise ConsoleError(outcome["error"], outcome["kind"], **values)
    reader = pa.ipc.open_stream(body)
    check_no_personal_columns(reader.schema.names)
    frame = reader.read_all().to_pandas()
    return ConsoleResult(frame=frame, truncated=outcome["cut"] is not None, seconds=seconds,
                         cut=outcome["cut"])
