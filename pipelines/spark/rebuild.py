"""`tumbuh rebuild --engine spark`: every mart rebuilt on Spark from the stored rows, published
exactly as a DuckDB rebuild is (decision D37).

The warehouse build is the usual one (pipelines/warehouse.py: a private copy of the catalog,
audits, atomic publish); only the marts step runs elsewhere:
1. Spark reads the staged, raw and rejected rows straight from the store's Parquet files (the
   files the catalog lists), and the small catalog tables the marts read (reference tables,
   load manifest) from the build's catalog.
2. The same builder code as on DuckDB (pipelines/marts.py `run_models`, a full plan) runs on a
   SparkConnection, which answers DuckDB's connection calls on Spark (connection.py).
3. The tables the builder creates outside TEMP (the marts, the manifests' areas) are written by
   Spark as Parquet and read into the build's catalog, each cast to the column types the
   published catalog has for it, so the dashboard and `tumbuh export` read them unchanged.
The audits then run on DuckDB over Spark's marts, and a failing one keeps them unpublished.

Spark keeps none of the incremental states the DuckDB builder stores (the per-child year
state, the SKDN first-month log): the stored ones are dropped and the fingerprint marks the
build as Spark's, so the next load rebuilds every mart on DuckDB once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines import store, trace
from pipelines.config import Config
from pipelines.marts import STATE_ANAK, Plan, record_build, run_models, set_config_variables
from pipelines.skdn import STATE as SKDN_STATE
from pipelines.spark.connection import SparkConnection
from pipelines.spark.session import spark_session

if TYPE_CHECKING:
    from pipelines.warehouse import Build

# Catalog tables the builder reads; load_file_area and load_file_months it also rewrites.
CATALOG_INPUTS = ("load_files", "load_file_area", "load_file_months")
CATALOG_REWRITTEN = ("load_file_area", "load_file_months")


def _catalog_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_catalog = current_database()").fetchall()]


def _load_inputs(con: duckdb.DuckDBPyConnection, sc: SparkConnection, root: Path) -> None:
    from pipelines.warehouse import empty_bulk_selects

    for table in _catalog_tables(con):
        if table.startswith(("ref_", "who_")) or table in CATALOG_INPUTS:
            sc.register(table, con.sql(f"SELECT * FROM {table}").to_arrow_table(),
                        output=table in CATALOG_REWRITTEN)
    for table in store.BULK_TABLES:
        sc.parts[table] = {}  # by part too, for the passes that read some months only
        for part, path in con.execute("SELECT part, path FROM store_files WHERE table_name = ? "
                                      "ORDER BY path", [table]).fetchall():
            sc.parts[table].setdefault(part, []).append(str(root / path))
        paths = [path for part_paths in sc.parts[table].values() for path in part_paths]
        if paths:
            # the files themselves, not their folders: no partition columns inferred
            frame = sc.spark.read.option("recursiveFileLookup", "true").parquet(*paths)
        else:
            frame = sc.spark.createDataFrame(con.sql(empty_bulk_selects()[table]).to_arrow_table())
        sc.put_view(table, frame)


def _publish_outputs(con: duckdb.DuckDBPyConnection, sc: SparkConnection, scratch: Path) -> None:
    """Write every table the Spark build created outside TEMP into the DuckDB catalog, in the
    column order and types the catalog already has for it."""
    existing = set(_catalog_tables(con))
    for name in sc.outputs():
        folder = scratch / name
        sc.frame(name).write.mode("overwrite").parquet(str(folder))
        source = f"read_parquet('{folder}/*.parquet')"
        if name in existing:
            target = con.execute(f"DESCRIBE {name}").fetchall()
            got = {c for (c, *_) in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            wanted = [c for c, *_ in target]
            if set(wanted) != got:
                raise RuntimeError(f"{name}: Spark's columns {sorted(got)} are not the "
                                   f"catalog's {sorted(wanted)}")
            columns = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t, *_ in target)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {columns} FROM {source}")
        else:
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {source}")


def build_marts_on_spark(con: duckdb.DuckDBPyConnection, config: Config,
                         build: Build | None = None) -> list[str]:
    """The `marts` step of a warehouse build, on Spark (see the module's docstring)."""
    if build is None:
        raise ValueError("the Spark engine rebuilds a warehouse: it needs its build")
    scratch = Path(str(build.path) + ".spark")
    scratch.mkdir(mode=0o700, exist_ok=True)
    try:
        with trace.step("spark session"):
            spark = spark_session(config)
        sc = SparkConnection(spark)
        # the build's variables (the day it is built for, set by tests and the CLI), then the
        # config's
        sc.variables.update(con.execute("SELECT name, value FROM duckdb_variables()").fetchall())
        set_config_variables(sc, config)
        set_config_variables(con, config)  # the audits read them on DuckDB
        with trace.step("spark inputs"):
            _load_inputs(con, sc, build.root)
        plan = Plan(full=True, pos_months=store.parts_of(con, "stg_pengukuran"))
        # states the DuckDB builder keeps (catalog tables and store files): Spark keeps none
        for table in _catalog_tables(con):
            if table.startswith("state_"):
                con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM store_files WHERE table_name IN (?, ?)", [STATE_ANAK, SKDN_STATE])
        # larger passes than DuckDB's: each statement on Spark is a job and a checkpoint, and
        # each SKDN pass scans every raw row once (25_skdn_raw) (D39)
        ran = run_models(sc, config, plan, build=None, whole_years=True,
                         skdn_chunk_rows=config.spark.skdn_pass_rows)
        with trace.step("spark outputs"):
            _publish_outputs(con, sc, scratch / "out")
        record_build(con, config, plan, ran, engine="spark")
        for name in list(sc.temp | sc.persistent):
            sc.unregister(name)
        return ran
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
