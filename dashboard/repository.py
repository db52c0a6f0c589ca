"""The dashboard's one query layer over the published warehouse.

Every read runs on a short-lived cursor of a read-only DuckDB handle on the published file (the
pipeline can publish a new file at any time; see Repository) and returns a pandas frame. Results are cached in memory keyed by the warehouse path
and the published version (`meta_build.version`, else the file's inode, mtime and size), so a new
publish shows up on the next rerun without a restart. No page opens DuckDB itself.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# Defence in depth: marts never hold personal data, and this layer refuses to pass any on.
PERSONAL_COLUMN = re.compile(
    r"(^|_)(nik|no_kk|nama_anak|nama_balita|nama_ortu|nama_ibu|nama_ayah|alamat|child_key)($|_)",
    re.IGNORECASE,
)
CACHE_SIZE = 512


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
    """One open read-only handle on one published file (stamp) and the version it holds."""

    stamp: tuple
    con: duckdb.DuckDBPyConnection
    version: str


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

    def __init__(self, warehouse: Path | str) -> None:
        self.path = Path(warehouse).resolve()

    # -- plumbing ---------------------------------------------------------------------------

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
                current.con.close()  # cursors still running keep their own reference
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
        """Run one read query (cached per published version); returns a frame the caller may
        change freely."""
        published = self._published()
        key = (str(self.path), published.version, sql, tuple(params))
        cached = RESULTS.get(key)
        if cached is None:
            try:
                cursor = published.con.cursor()
            except duckdb.ConnectionException:  # another thread just replaced the handle
                published = self._published()
                key = (str(self.path), published.version, sql, tuple(params))
                cursor = published.con.cursor()
            try:
                # Arrow then pandas: several times faster than DuckDB's own .df() here.
                cached = cursor.sql(sql, params=list(params)).to_arrow_table().to_pandas(
                    date_as_object=False)
            finally:
                cursor.close()
            check_no_personal_columns(cached.columns)
            RESULTS.put(key, cached)
        return cached.copy(deep=False)

    @staticmethod
    def clear_cache() -> None:
        """Forget every result and close the open handles (the next query starts cold)."""
        RESULTS.clear()
        with _OPEN_LOCK:
            for entry in _OPEN.values():
                entry.con.close()
            _OPEN.clear()

    def tables(self) -> frozenset[str]:
        if not self.exists():
            return frozenset()
        df = self.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")
        return frozenset(df["table_name"])

    def has(self, *tables: str) -> bool:
        available = self.tables()
        return all(t in available for t in tables)

    def table_columns(self, prefixes: tuple[str, ...] = ("mart_", "ref_")) -> dict[str, list[str]]:
        """Column names of every table whose name starts with one of the prefixes."""
        df = self.query("SELECT table_name, column_name FROM duckdb_columns() "
                        "WHERE schema_name = 'main' ORDER BY table_name, column_index")
        df = df[df["table_name"].str.startswith(prefixes)]
        return {name: list(part["column_name"]) for name, part in df.groupby("table_name", sort=True)}

    def table(self, table: str, where: str = "", params: Sequence[Any] = (),
              order_by: str = "") -> pd.DataFrame:
        """All columns of a mart/ref table, optionally filtered; names are checked, not quoted
        from user input."""
        if not re.fullmatch(r"(mart|ref|meta)_[a-z0-9_]+", table):
            raise ValueError(f"not a dashboard table: {table}")
        sql = f"SELECT * FROM {table}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        return self.query(sql, params)

    # -- build metadata ---------------------------------------------------------------------

    def build_info(self) -> dict[str, Any]:
        """When the warehouse was built and the newest extraction date per source."""
        info: dict[str, Any] = {"built_at": None, "version": None, "extraction": {}, "files": {}}
        if not self.exists():
            return info
        if self.has("meta_build"):
            meta = self.query("SELECT built_at, version FROM meta_build")
            if len(meta):
                info["built_at"] = meta["built_at"].iloc[0]
                info["version"] = meta["version"].iloc[0]
        if self.has("load_files"):
            df = self.query(
                "SELECT source, max(extraction_date) AS extraction_date, count(*) AS n_files "
                "FROM load_files GROUP BY source ORDER BY source"
            )
            info["extraction"] = dict(zip(df["source"], df["extraction_date"]))
            info["files"] = dict(zip(df["source"], df["n_files"]))
        return info

    # -- reference --------------------------------------------------------------------------

    def kabkota(self) -> pd.DataFrame:
        """The 38 kab/kota: kode, nama, jenis, seat lat/lon and the SSGI baselines."""
        if not self.has("ref_kabkota"):
            return pd.DataFrame(columns=["kode", "nama", "jenis", "lat", "lon"])
        return self.table("ref_kabkota", order_by="kode")

    def kecamatan(self, kode_kabkota: str | None = None) -> pd.DataFrame:
        if not self.has("ref_wilayah"):
            return pd.DataFrame(columns=["kode", "nama", "kode_induk"])
        where, params = "tingkat = 'kecamatan'", []
        if kode_kabkota:
            where, params = where + " AND kode_induk = ?", [kode_kabkota]
        return self.table("ref_wilayah", where, params, order_by="kode")

    # -- prevalence -------------------------------------------------------------------------

    def periods(self, period_type: str = "bulan") -> list[str]:
        """Periods present in mart_prevalensi for a period type, newest first."""
        if not self.has("mart_prevalensi"):
            return []
        df = self.query(
            "SELECT DISTINCT period FROM mart_prevalensi WHERE period_type = ? "
            "ORDER BY period DESC",
            [period_type],
        )
        return [str(p) for p in df["period"]]

    def period_types(self) -> list[str]:
        if not self.has("mart_prevalensi"):
            return []
        order = {"bulan": 0, "bulan_timbang": 1, "tahun": 2}
        df = self.query("SELECT DISTINCT period_type FROM mart_prevalensi")
        return sorted(df["period_type"], key=lambda p: order.get(p, 9))

    def spm_periods(self) -> dict[str, list[str]]:
        """SPM periods by type (bulan, tahun), newest first."""
        if not self.has("mart_spm_field"):
            return {}
        df = self.query("SELECT DISTINCT period_type, period FROM mart_spm_field "
                        "ORDER BY period_type, period DESC")
        return {p: [str(x) for x in df.loc[df["period_type"] == p, "period"]]
                for p in ("bulan", "tahun") if (df["period_type"] == p).any()}

    def prevalensi(self, level: str, period_type: str, period: str,
                   kode_kabkota: str | None = None) -> pd.DataFrame:
        where = "level = ? AND period_type = ? AND period = ?"
        params: list[Any] = [level, period_type, period]
        if kode_kabkota:
            where += " AND kode_kabkota = ?"
            params.append(kode_kabkota)
        return self.table("mart_prevalensi", where, params, order_by="kode")

    def prevalensi_series(self, level: str, period_type: str,
                          kodes: Sequence[str] | None = None) -> pd.DataFrame:
        """Every period of one level (optionally some units), oldest first."""
        where = "level = ? AND period_type = ?"
        params: list[Any] = [level, period_type]
        if kodes:
            where += f" AND kode IN ({', '.join('?' for _ in kodes)})"
            params.extend(kodes)
        return self.table("mart_prevalensi", where, params, order_by="period, kode")
