"""The SKDN step of a build (domain.md 1.6, docs/marts_skdn.md): which months' growth-monitoring
statuses a load can change, the first month each child was weighed, and the per-area counts and
2T rows of those months for the skdn models (pipelines/sql/marts/skdn/).

A child's status in month m reads only its weighings of m, m-1 and m-2 (N/T compares m with
m-1; 2T also needs m-1's N/T) and whether it was weighed in any month before m (B or O). So a
load that adds measurements to months L can change the statuses of L, of the two months after
each, and of the month a child used to be B in when the load gives it an earlier first weighing.
Those months are recomputed (tmp_skdn_bulan) and replace theirs in the models' tables; no other
month can differ from a full rebuild, which is the same code with every month.

The first month weighed is an append-only log in the store (`state_skdn_pertama`, one Parquet
file per build with the children whose first month the build lowered; a child's first month is
the minimum over the files): a monthly load in date order appends only its new children, an
older month loaded late appends the children it moves. A full rebuild writes it anew. On a bare
connection (no build, tests of the SQL) it is a TEMP table and every build is full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from pipelines import store, trace
from pipelines.config import SQL_DIR

if TYPE_CHECKING:
    from pipelines.warehouse import Build

STEP_DIR = SQL_DIR / "marts" / "skdn" / "anak"
STATE = "state_skdn_pertama"
# Months of weighings before a month that its statuses read: N/T the one before, 2T two.
LOOKBACK = 2
# Staged rows one pass of the step recomputes at most (a province month is ~2.3 million): with
# the two months before them, about a gigabyte of temp tables, within the shipped memory limit.
CHUNK_ROWS = 3_000_000
# What tmp_skdn_pertama reads where the log has no file yet.
_EMPTY_LOG = "(SELECT NULL::VARCHAR AS child_key, NULL::DATE AS bulan_pertama)"


def weighed(source: str) -> str:
    """Child and month of every weighing of a balita in `source` (a staged-rows relation)."""
    return ("SELECT child_key, date_trunc('month', measurement_date)::DATE AS bulan "
            f"FROM {source} WHERE age_months < 60 AND weight_kg IS NOT NULL")


def shift(month: str, k: int) -> str:
    """'YYYY-MM' moved by k months."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _log_source(con: duckdb.DuckDBPyConnection, build: Build | None) -> str:
    if build is None:
        return "tmp_skdn_pertama_log"
    return store.parquet_source(build.root, store.files_of(con, STATE), empty_like=_EMPTY_LOG)


def _append_log(con: duckdb.DuckDBPyConnection, build: Build, select_sql: str) -> None:
    if not con.execute(f"SELECT count(*) FROM ({select_sql})").fetchone()[0]:
        return
    files = store.write_table(con, build.root, STATE, select_sql, build.build_id,
                              part=f"load={build.build_id}")
    build.new_files.update(rel for _, rel in files)
    store.register(con, STATE, files, build.build_id)


def rewrite_first_months(con: duckdb.DuckDBPyConnection, build: Build | None) -> None:
    """The log anew from every staged measurement (a full rebuild)."""
    select = (f"SELECT child_key, min(bulan) AS bulan_pertama FROM ({weighed('stg_pengukuran')}) "
              "GROUP BY child_key")
    if build is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE tmp_skdn_pertama_log AS {select}")
        return
    con.execute("DELETE FROM store_files WHERE table_name = ?", [STATE])
    _append_log(con, build, select)


def log_first_months(con: duckdb.DuckDBPyConnection, build: Build, months: list[str]) -> set[str]:
    """Append the children whose first month the loaded months lower; returns the months in
    which such a child used to be B (they must be recomputed: it is O, N or T there now)."""
    from pipelines.marts import _scope_pengukuran  # late: marts imports this module

    _scope_pengukuran(con, build, months, view="scope_skdn_dimuat")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE tmp_skdn_pindah AS
        WITH baru AS (
            SELECT child_key, min(bulan) AS bulan FROM ({weighed('scope_skdn_dimuat')})
            GROUP BY child_key),
        lama AS (
            SELECT child_key, min(bulan_pertama) AS bulan FROM {_log_source(con, build)}
            WHERE child_key IN (SELECT child_key FROM baru) GROUP BY child_key)
        SELECT b.child_key, b.bulan AS bulan_pertama, l.bulan AS bulan_lama
        FROM baru AS b LEFT JOIN lama AS l USING (child_key)
        WHERE l.bulan IS NULL OR b.bulan < l.bulan""")
    _append_log(con, build, "SELECT child_key, bulan_pertama FROM tmp_skdn_pindah")
    moved = {m for (m,) in con.execute(
        "SELECT DISTINCT strftime(bulan_lama, '%Y-%m') FROM tmp_skdn_pindah "
        "WHERE bulan_lama IS NOT NULL").fetchall()}
    con.execute("DROP TABLE tmp_skdn_pindah")
    con.execute("DROP VIEW scope_skdn_dimuat")
    return moved


def _scope_raw(con: duckdb.DuckDBPyConnection, build: Build | None, months: list[str]) -> None:
    """scope_skdn_raw: sheet, `No` and KIA of the raw rows behind the staged rows of `months`
    (raw rows are stored by load: the files of the builds that staged those months)."""
    columns = "file_sha256, row_number, sheet, no, kia"
    if build is None:
        con.execute(f"CREATE OR REPLACE TEMP VIEW scope_skdn_raw AS SELECT {columns} "
                    "FROM raw_pengukuran")
        return
    paths = [p for (p,) in con.execute(
        "SELECT path FROM store_files WHERE table_name = 'raw_pengukuran' AND build_id IN "
        "(SELECT build_id FROM store_files WHERE table_name = 'stg_pengukuran' "
        "AND list_contains(?, part)) ORDER BY path", [months]).fetchall()]
    source = store.parquet_source(build.root, paths, empty_like="delta.raw_pengukuran")
    con.execute(f"CREATE OR REPLACE TEMP VIEW scope_skdn_raw AS SELECT {columns} FROM {source}")


def months_to_recompute(loaded: list[str], moved: set[str], every: list[str]) -> list[str]:
    """The loaded months, the LOOKBACK months after each and the moved ones, that have data."""
    touched = {shift(m, k) for m in loaded for k in range(LOOKBACK + 1)} | moved
    return sorted(touched & set(every))


def _month_rows(con: duckdb.DuckDBPyConnection, build: Build | None,
                months: list[str]) -> dict[str, int]:
    """Staged measurements per month (from the Parquet footers: nothing is scanned)."""
    if not months:
        return {}
    if build is None:
        return dict(con.execute(
            "SELECT strftime(measurement_date, '%Y-%m') AS m, count(*) FROM stg_pengukuran "
            "WHERE list_contains(?, strftime(measurement_date, '%Y-%m')) GROUP BY m", [months]).fetchall())
    rows = con.execute(
        "SELECT part, path FROM store_files WHERE table_name = 'stg_pengukuran' "
        "AND list_contains(?, part)", [months]).fetchall()
    if not rows:
        return {}
    counts = dict(con.execute(
        "SELECT file_name, num_rows FROM parquet_file_metadata(?)",
        [[str(build.root / path) for _, path in rows]]).fetchall())
    out: dict[str, int] = {}
    for part, path in rows:
        out[part] = out.get(part, 0) + counts.get(str(build.root / path), 0)
    return out


def chunks(months: list[str], rows: dict[str, int], budget: int) -> list[list[str]]:
    """Consecutive runs of `months` (sorted) whose staged rows stay within `budget` (a month
    over it is a run of its own); [[]] for no month, so the step still makes its tables."""
    out: list[list[str]] = []
    total = 0
    for month in sorted(months):
        if out and total + rows.get(month, 0) <= budget:
            out[-1].append(month)
            total += rows.get(month, 0)
        else:
            out.append([month])
            total = rows.get(month, 0)
    return out or [[]]


def _months_table(con: duckdb.DuckDBPyConnection, months: list[str]) -> None:
    """tmp_skdn_bulan: the months being recomputed (a pass's, then the whole step's)."""
    con.execute("CREATE OR REPLACE TEMP TABLE tmp_skdn_bulan AS SELECT CAST(m || '-01' AS DATE) "
                "AS bulan FROM (SELECT unnest(CAST(? AS VARCHAR[])) AS m)", [months])


def _append(con: duckdb.DuckDBPyConnection, table: str, into: str, first: bool) -> None:
    if first:
        con.execute(f"ALTER TABLE {table} RENAME TO {into}")
    else:
        con.execute(f"INSERT INTO {into} SELECT * FROM {table}")
        con.execute(f"DROP TABLE {table}")


def _weighings(con: duckdb.DuckDBPyConnection, build: Build | None, read: list[str],
               kept: set[str] | None) -> set[str]:
    """tmp_skdn_timbang for the months `read`: the months of the previous pass's table
    (tmp_skdn_timbang_lalu, months `kept`; None on the first pass) that are still needed, and
    the others from the staged rows (a month's weighings do not depend on another month's)."""
    if kept is not None:
        con.execute("DELETE FROM tmp_skdn_timbang_lalu WHERE NOT list_contains(?, "
                    "strftime(bulan, '%Y-%m'))", [read])
    from pipelines.marts import _scope_pengukuran  # late: marts imports this module

    _scope_pengukuran(con, build, sorted(set(read) - (kept or set())), view="scope_skdn")
    with trace.step("skdn 10_skdn_timbang"):
        con.execute((STEP_DIR / "10_skdn_timbang.sql").read_text())
    if kept is not None:
        con.execute("INSERT INTO tmp_skdn_timbang SELECT * FROM tmp_skdn_timbang_lalu")
        con.execute("DROP TABLE tmp_skdn_timbang_lalu")
    con.execute("DROP VIEW scope_skdn")
    return set(read)


def run_skdn_step(con: duckdb.DuckDBPyConnection, build: Build | None, months: list[str],
                  full: bool, chunk_rows: int | None = None) -> list[str]:
    """tmp_skdn_bulan, tmp_skdn_lokasi and tmp_skdn_2t for the months a load of `months`
    (every month when `full`) can change; returns those months.

    The months are recomputed in passes of at most `chunk_rows` (CHUNK_ROWS by default) staged
    rows, in date order; each pass reads its months and the LOOKBACK months before them,
    keeping from the previous pass the weighings it still needs, so a full build reads every
    month once."""
    from pipelines.marts import _months_of  # late: marts imports this module

    every = _months_of(con, build)
    with trace.step("skdn first months"):
        if full or build is None:
            rewrite_first_months(con, build)
            recompute = every
        else:
            recompute = months_to_recompute(months, log_first_months(con, build, months), every)
    passes = chunks(recompute, _month_rows(con, build, recompute),
                    chunk_rows or CHUNK_ROWS)
    kept: set[str] | None = None
    for number, part in enumerate(passes):
        read = sorted({shift(m, -k) for m in part for k in range(LOOKBACK + 1)} & set(every))
        kept = _weighings(con, build, read, kept)
        _months_table(con, part)
        _scope_raw(con, build, part)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE tmp_skdn_pertama AS
            SELECT child_key, min(bulan_pertama) AS bulan_pertama FROM {_log_source(con, build)}
            WHERE child_key IN (SELECT child_key FROM tmp_skdn_timbang) GROUP BY child_key""")
        for name in ("20_skdn_anak", "25_skdn_raw", "30_skdn_lokasi"):
            with trace.step(f"skdn {name}"):
                con.execute((STEP_DIR / f"{name}.sql").read_text())
        for table in ("tmp_skdn_pertama", "tmp_skdn_nilai", "tmp_skdn_anak", "tmp_skdn_raw"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP VIEW scope_skdn_raw")
        con.execute("ALTER TABLE tmp_skdn_timbang RENAME TO tmp_skdn_timbang_lalu")
        _append(con, "tmp_skdn_lokasi", "tmp_skdn_lokasi_semua", number == 0)
        _append(con, "tmp_skdn_2t", "tmp_skdn_2t_semua", number == 0)
    con.execute("DROP TABLE tmp_skdn_timbang_lalu")
    con.execute("ALTER TABLE tmp_skdn_lokasi_semua RENAME TO tmp_skdn_lokasi")
    con.execute("ALTER TABLE tmp_skdn_2t_semua RENAME TO tmp_skdn_2t")
    _months_table(con, recompute)
    return recompute
