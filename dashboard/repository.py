"""Read-only access to the published warehouse, under the query layer (dashboard.queries).

This module keeps only what every read shares: the read-only DuckDB handle on the published file
(the pipeline can publish a new file at any time; see Repository), the result cache keyed by the
warehouse path and the published version (`meta_build.version`, else the file's inode, mtime and
size, so a new publish shows up on the next rerun without a restart), and the refusal of columns
that look like personal data. `Repository.query` is the low-level read; only
`dashboard.queries._base` calls it (the SQL console is a separate, bounded path for typed SQL:
dashboard/sql_console.py). No page opens DuckDB or writes SQL itself.

A Repository carries the user's wilayah scope (None: the province; "35.07": a kab/kota, see
dashboard/scope.py and D26). A scoped query runs on a cursor whose TEMP views of the same names
as the tables keep only the rows the scope may read, and its result is cached under the scope,
so rows cached for one scope never serve another. Cursors are pooled per scope and published
file, so the views are made once per cursor, not per query.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.scope import apply_scope, check_scope

# Defence in depth: marts never hold personal data, and this layer refuses to pass any on.
PERSONAL_COLUMN = re.compile(
    r"(^|_)(nik|no_kk|nama_anak|nama_balita|nama_ortu|nama_ibu|nama_ayah|alamat|child_key)($|_)",
    re.IGNORECASE,
)
CACHE_SIZE = 512
IDLE_CURSORS = 4  # per scope and published file


class PersonalDataError(RuntimeError):
    """A query result carried a column that looks like personal data."""


def check_no_personal_columns(columns: Sequence[str]) -> None:
    bad = [c for c in columns if PERSONAL_COLUMN.search(str(c))]
    if bad:
        raise PersonalDataError(f"personal data columns refused: {', '.join(bad)}")


class _ResultCache:
    """A small thread-safe LRU shared by every Repository in the process (Streamlit reruns
    create pages anew; the cache must outlive them)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


RESULTS = _ResultCache()


@dataclass
class _Published:
    """One open read-only handle on one published file (stamp), the version it holds and its
    idle cursors by scope (a scoped cursor holds that scope's TEMP views)."""

    stamp: tuple
    con: duckdb.DuckDBPyConnection
    version: str
    idle: dict[str | None, list[duckdb.DuckDBPyConnection]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False
    catalog: str = ""

    def __post_init__(self) -> None:
        self.catalog = str(self.con.execute("SELECT current_database()").fetchone()[0])

    def take(self, scope: str | None) -> duckdb.DuckDBPyConnection:
        """An idle cursor of `scope`, else a new one (scoped by its TEMP views)."""
        with self.lock:
            idle = self.idle.get(scope)
            if idle:
                return idle.pop()
        cursor = self.con.cursor()
        try:
            apply_scope(cursor, scope)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def give_back(self, scope: str | None, cursor: duckdb.DuckDBPyConnection) -> None:
        with self.lock:
            idle = self.idle.setdefault(scope, [])
            if not self.closed and len(idle) < IDLE_CURSORS:
                idle.append(cursor)
                return
        cursor.close()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            cursors = [c for idle in self.idle.values() for c in idle]
            self.idle.clear()
        for cursor in cursors:
            cursor.close()
        self.con.close()  # cursors still running keep their own reference


_OPEN: dict[str, _Published] = {}
_OPEN_LOCK = threading.Lock()


def _read_version(con: duckdb.DuckDBPyConnection, stamp: tuple) -> str:
    has_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta_build'").fetchone()[0]
    row = con.execute("SELECT version FROM meta_build").fetchone() if has_meta else None
    return str(row[0]) if row and row[0] else f"{stamp[2]}-{stamp[3]}"


class Repository:
    """Read-only access to one published warehouse file.

    Opening a DuckDB file costs ~30 ms, so the layer keeps one read-only handle per published
    file and runs each query on its own short-lived cursor. The handle is replaced as soon as
    the path points to a new file (inode, mtime or size changed): the pipeline publishes by
    rename, so the old handle keeps reading the old, complete file until then, and never blocks
    the writer, which builds a different file."""

    def __init__(self, warehouse: Path | str, scope: str | None = None) -> None:
        self.path = Path(warehouse).resolve()
        self.scope = check_scope(scope)  # None: the province; "35.07": one kab/kota (D26)

    def exists(self) -> bool:
        return self.path.is_file()

    def _stamp(self) -> tuple:
        st = self.path.stat()
        return (str(self.path), st.st_ino, st.st_mtime_ns, st.st_size)

    def _published(self) -> _Published:
        stamp = self._stamp()
        key = str(self.path)
        with _OPEN_LOCK:
            current = _OPEN.get(key)
            if current is not None and current.stamp == stamp:
                return current
            if current is not None:
                del _OPEN[key]
                current.close()
            con = duckdb.connect(key, read_only=True)
            entry = _Published(stamp, con, _read_version(con, stamp))
            # DuckDB shares one instance per path while any handle on it lives: if a cursor
            # elsewhere still holds the old file, this handle may see the old version. Use it
            # (its results are keyed by the version it really holds) but do not keep it.
            if current is None or entry.version != current.version:
                _OPEN[key] = entry
            return entry

    def version(self) -> str:
        """The published version: meta_build.version, else a stamp of the file."""
        return self._published().version

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run one read query within the repository's scope (cached per published version and
        scope); returns a frame the caller may change freely. Called only by
        dashboard.queries._base.run."""
        published = self._published()
        if self.scope is not None and re.search(
                rf'(\b{re.escape(published.catalog)}|"{re.escape(published.catalog)}")\s*\.',
                sql, re.IGNORECASE):
            raise ValueError("a scoped query may not name the warehouse's catalog")
        key = (str(self.path), published.version, self.scope, sql, tuple(params))
        cached = RESULTS.get(key)
        if cached is None:
            try:
                cursor = published.take(self.scope)
            except duckdb.ConnectionException:  # another thread just replaced the handle
                published = self._published()
                key = (str(self.path), published.version, self.scope, sql, tuple(params))
                cursor = published.take(self.scope)
            try:
                # Arrow then pandas: several times faster than DuckDB's own .df() here.
                cached = cursor.sql(sql, params=list(params)).to_arrow_table().to_pandas(
                    date_as_object=False)
            except BaseException:
                cursor.close()  # a failed query does not go back to the pool
                raise
            published.give_back(self.scope, cursor)
            check_no_personal_columns(cached.columns)
            RESULTS.put(key, cached)
        return cached.copy(deep=False)

    @staticmethod
    def clear_cache() -> None:
        """Forget every result and close the open handles (the next query starts cold)."""
        RESULTS.clear()
        with _OPEN_LOCK:
            for entry in _OPEN.values():
                entry.close()
            _OPEN.clear()
