"""The part of DuckDB's connection API the mart builder uses, run on a SparkSession.

The mart models and the Python steps around them (pipelines/marts.py, pipelines/skdn.py, the
`.py` models) talk to a DuckDB connection: `execute(sql, params)`, `sql(...)`, `fetchall`,
`fetchone`, `df`, `fetchnumpy`, `register`. SparkConnection answers the same calls, so the same
code builds the marts on Spark. Each statement is parsed as DuckDB SQL and rewritten for Spark
in one place (pipelines/spark/dialect.py). Spark SQL has temporary views, not mutable tables, so
a table here is a materialized DataFrame under a temporary view name:

- CREATE TABLE ... AS / (columns): the query (or an empty frame of those types), checkpointed;
- INSERT INTO t [BY NAME]: t's rows and the new ones, by position or by name, checkpointed;
- DELETE FROM t WHERE c: the rows where c is not true, checkpointed;
- ALTER TABLE a RENAME TO b, DROP TABLE / VIEW: the view names;
- CREATE MACRO and SET VARIABLE: kept here and inlined when a statement uses them.
Checkpointing cuts the lineage, so a table built by many INSERTs stays cheap to plan.
Tables created without TEMP are the build's outputs (`outputs()`): the caller writes them into
the DuckDB catalog it publishes.
"""

from __future__ import annotations

import decimal
import functools
import os
import re
import time
from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from pipelines.spark import dialect

_SET_VARIABLE = re.compile(r"^\s*SET\s+VARIABLE\s+([a-z_][a-z_0-9]*)\s*=\s*(.+?)\s*;?\s*$",
                           re.IGNORECASE | re.DOTALL)
_LOG = os.environ.get("TUMBUH_SPARK_SQL")
_IGNORED = re.compile(r"^\s*(SET|RESET|CHECKPOINT|PRAGMA)\b", re.IGNORECASE)


def _log(text: str) -> None:
    """TUMBUH_SPARK_SQL=<file>: every statement as Spark was given it, and what it cost."""
    if _LOG:
        with open(_LOG, "a") as fh:
            fh.write(text + "\n")


class SparkSQLError(RuntimeError):
    """A statement Spark refused: the message has the model's SQL and what Spark was given."""


class Result:
    """What execute() returns: the rows of a query, fetched once, as DuckDB returns them."""

    def __init__(self, frame: Any = None, description: list[str] | None = None,
                 table: pa.Table | None = None):
        self._frame, self._arrow, self._rows = frame, table, None
        self.columns = description if description is not None else (
            list(frame.columns) if frame is not None else [])

    def arrow(self) -> pa.Table:
        if self._arrow is None:
            self._arrow = (self._frame.toArrow() if self._frame is not None
                           else pa.table({c: [] for c in self.columns}))
        return self._arrow

    to_arrow_table = arrow

    def fetchall(self) -> list[tuple]:
        if self._rows is None:
            table = self.arrow()
            columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
            self._rows = list(zip(*columns)) if columns else []
        return self._rows

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self):
        return self.arrow().to_pandas()

    def fetchnumpy(self) -> dict[str, np.ndarray]:
        table = self.arrow()
        return {name: table.column(name).to_numpy(zero_copy_only=False)
                for name in table.column_names}

    @property
    def description(self) -> list[tuple]:
        return [(c,) for c in self.columns]


@functools.lru_cache(maxsize=1 << 16)
def duckdb_hash(value: object) -> decimal.Decimal | None:
    """DuckDB's hash() of a value (a UBIGINT, as an exact decimal). The models hash file
    digests, a few thousand distinct values, so the cache answers almost every row."""
    return decimal.Decimal(duckdb.execute("SELECT hash(?)", [value]).fetchone()[0])


class SparkConnection:
    def __init__(self, spark: Any):
        from pyspark.sql.functions import udf
        from pyspark.sql.types import DecimalType

        self.spark = spark
        spark.udf.register(dialect.HASH_UDF, udf(duckdb_hash, DecimalType(20, 0)))
        self.variables: dict[str, object] = {}
        self.macros: dict[str, dialect.Macro] = {}
        self.temp: set[str] = set()      # views created as TEMP tables or views
        self.persistent: set[str] = set()  # tables created without TEMP: the build's outputs
        self.views: set[str] = set()     # names that are views, not materialized tables
        self._seen_jobs: set[int] = set()
        # table -> part (month) -> the absolute paths of its store files (read_parts)
        self.parts: dict[str, dict[str, list[str]]] = {}

    # --- the DuckDB API ----------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[object] | None = None) -> Result:
        result = Result()
        if isinstance(sql, Result):
            raise TypeError("execute() takes SQL text")
        found = _SET_VARIABLE.match(sql)
        if found:
            value = found.group(2)
            if value.strip() == "?":
                self.variables[found.group(1)] = params[0] if params else None
            else:
                self.variables[found.group(1)] = self.execute(f"SELECT {value}").fetchone()[0]
            return result
        if _IGNORED.match(sql):
            return result
        for tree in dialect.parse(sql):
            started = time.perf_counter()
            result = self._statement(dialect.bind(tree, params))
            if _LOG:  # what the statement cost (its query runs as its table is checkpointed)
                _log(f"-- {time.perf_counter() - started:.2f} s, {self._jobs()}\n")
        return result

    sql = execute

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        for row in rows:
            self.execute(sql, row)

    def _jobs(self) -> str:
        """The Spark jobs, stages and tasks run since the last call (for the SQL log)."""
        tracker = self.spark.sparkContext.statusTracker()
        jobs = tracker.getJobIdsForGroup(None)
        new = [j for j in jobs if j not in self._seen_jobs]
        self._seen_jobs.update(new)
        stages = [s for j in new if (info := tracker.getJobInfo(j)) for s in info.stageIds]
        tasks = sum((st.numTasks if (st := tracker.getStageInfo(s)) else 0) for s in stages)
        return f"{len(new)} jobs, {len(stages)} stages, {tasks} tasks"

    def register(self, name: str, obj: Any, output: bool = False) -> None:
        """A pandas or Arrow table as a table (`output`: one the build writes back)."""
        table = obj if isinstance(obj, pa.Table) else pa.Table.from_pandas(obj,
                                                                           preserve_index=False)
        self._put(name, self.spark.createDataFrame(table), temp=not output)

    def put_view(self, name: str, frame: Any) -> None:
        """A DataFrame as a TEMP view, not materialized (the bulk rows read from their files)."""
        self._put(name, frame, temp=True, view=True)

    def read_parts(self, view: str, table: str, parts: Sequence[str]) -> None:
        """`view`: the rows of `table` in these parts of the store only (the files of those
        months, as DuckDB's builder reads them), not a filter over every file: Spark cannot
        prune the files of an explicit list by a predicate on a column."""
        paths = [p for part in sorted(set(parts)) for p in self.parts[table].get(part, [])]
        frame = (self.spark.read.parquet(*paths) if paths
                 else self.frame(table).limit(0))
        self.put_view(view, frame)

    def unregister(self, name: str) -> None:
        self._drop(name)

    def close(self) -> None:
        pass

    # --- tables as checkpointed frames -------------------------------------------------------
    def frame(self, name: str) -> Any:
        return self.spark.table(name)

    def has(self, name: str) -> bool:
        return name in self.temp or name in self.persistent

    def outputs(self) -> list[str]:
        return sorted(self.persistent)

    def _put(self, name: str, frame: Any, temp: bool, view: bool = False) -> None:
        name = name.lower()
        if not view:
            frame = frame.localCheckpoint(eager=True)
            self.views.discard(name)
        else:
            self.views.add(name)
        frame.createOrReplaceTempView(name)
        # a CREATE decides whether the name is TEMP (a plain CREATE TABLE replaces a TEMP
        # input of that name: it is then an output); INSERT, DELETE and RENAME keep it
        (self.temp if temp else self.persistent).add(name)
        (self.persistent if temp else self.temp).discard(name)

    def _drop(self, name: str) -> None:
        name = name.lower()
        self.spark.catalog.dropTempView(name)
        self.temp.discard(name)
        self.persistent.discard(name)
        self.views.discard(name)

    def _query(self, tree: exp.Expression) -> Any:
        self._information_schema(tree)
        spark_tree = dialect.to_spark(tree, self.variables, self.macros, self._columns_of)
        return self._spark_sql(dialect.spark_sql(spark_tree), tree)

    def _spark_sql(self, text: str, tree: exp.Expression) -> Any:
        _log(text + ";\n")
        try:
            return self.spark.sql(text)
        except Exception as exc:  # Spark's analysis and parse errors: say which statement
            raise SparkSQLError(f"{type(exc).__name__}: {str(exc).splitlines()[0]}\n"
                                f"DuckDB SQL: {tree.sql('duckdb')[:2000]}\n"
                                f"Spark SQL: {text[:4000]}") from exc

    def _columns_of(self, probe: exp.Expression) -> list[str]:
        return list(self.spark.sql(dialect.spark_sql(
            dialect.to_spark(probe, self.variables, self.macros))).columns)

    def _information_schema(self, tree: exp.Expression) -> None:
        """A view `information_schema_tables` of this session's tables, when a query asks."""
        if not any(t.db and t.db.lower() == "information_schema" for t in tree.find_all(exp.Table)):
            return
        rows = [(n, "main", "temp" if n in self.temp else "spark",
                 "VIEW" if n in self.views else "BASE TABLE")
                for n in sorted(self.temp | self.persistent)]
        schema = "table_name string, table_schema string, table_catalog string, table_type string"
        self.spark.createDataFrame(rows, schema).createOrReplaceTempView(
            "information_schema_tables")
        columns = [(name, f.name, schema_, catalog, f.dataType.simpleString().upper(), i + 1)
                   for name, schema_, catalog, _ in rows
                   for i, f in enumerate(self.frame(name).schema.fields)]
        self.spark.createDataFrame(columns, "table_name string, column_name string, "
                                   "table_schema string, table_catalog string, "
                                   "data_type string, ordinal_position int"
                                   ).createOrReplaceTempView("information_schema_columns")

    # --- statements --------------------------------------------------------------------------
    def _statement(self, tree: exp.Expression) -> Result:
        if isinstance(tree, exp.Create):
            return self._create(tree)
        if isinstance(tree, exp.Insert):
            return self._insert(tree)
        if isinstance(tree, exp.Delete):
            return self._delete(tree)
        if isinstance(tree, exp.Drop):
            for table in tree.args.get("tables") or [tree.this]:
                name = table.name.lower()
                if not self.has(name) and not tree.args.get("exists"):
                    raise KeyError(f"DROP {tree.args.get('kind')} {name}: no such table")
                if self.has(name):
                    self._drop(name)
            return Result()
        if isinstance(tree, exp.Alter):
            (action,) = tree.args["actions"]
            if not isinstance(action, exp.AlterRename):
                raise NotImplementedError(f"ALTER other than RENAME: {tree.sql('duckdb')}")
            old, new = tree.this.name.lower(), action.this.name.lower()
            temp = old in self.temp
            frame = self.frame(old)
            self._drop(old)
            self._put(new, frame, temp=temp)
            return Result()
        if isinstance(tree, exp.Describe):
            target = tree.this
            frame = (self.frame(target.name) if isinstance(target, exp.Table)
                     else self._query(target))
            rows = [(f.name, f.dataType.simpleString().upper(), "YES", None, None, None)
                    for f in frame.schema.fields]
            names = ["column_name", "column_type", "null", "key", "default", "extra"]
            return Result(description=names, table=pa.table(
                {n: [r[i] for r in rows] for i, n in enumerate(names)}))
        if isinstance(tree, exp.Query):
            return Result(self._query(tree))
        raise NotImplementedError(f"the Spark engine does not run: {tree.sql('duckdb')[:200]}")

    def _create(self, tree: exp.Create) -> Result:
        kind = (tree.args.get("kind") or "").upper()
        temp = any(isinstance(p, exp.TemporaryProperty)
                   for p in (tree.args.get("properties") or exp.Properties()).expressions)
        if kind == "MACRO":
            udf = tree.this
            name = udf.this.name if isinstance(udf.this, exp.Expression) else udf.name
            self.macros[name.lower()] = dialect.Macro(
                [p.name for p in udf.expressions], tree.expression)
            return Result()
        target = tree.this
        schema = target if isinstance(target, exp.Schema) else None
        name = (schema.this if schema else target).name.lower()
        if tree.args.get("exists") and self.has(name):
            return Result()
        if kind == "VIEW":
            self._information_schema(tree.expression)
            spark_tree = dialect.to_spark(tree.expression, self.variables, self.macros,
                                          self._columns_of)
            self._spark_sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS "
                            + dialect.spark_sql(spark_tree), tree)
            self.views.add(name)
            (self.temp if temp else self.persistent).add(name)
            return Result()
        if kind != "TABLE":
            raise NotImplementedError(f"CREATE {kind}: {tree.sql('duckdb')[:200]}")
        if tree.expression is not None:
            frame = self._query(tree.expression)
        else:
            columns = [c for c in schema.expressions if isinstance(c, exp.ColumnDef)]
            select = exp.Select(expressions=[
                exp.alias_(exp.cast(exp.Null(), c.args["kind"]), c.name) for c in columns]
            ).where(exp.false())
            frame = self._query(select)
        self._put(name, frame, temp=temp)
        return Result()

    def _insert(self, tree: exp.Insert) -> Result:
        target = tree.this
        columns = None
        if isinstance(target, exp.Schema):
            columns = [c.name for c in target.expressions]
            target = target.this
        name = target.name.lower()
        existing = self.frame(name)
        source = tree.expression
        if isinstance(source, exp.Values):
            source = exp.select("*").from_(source)
        new = self._query(source)
        by_name = bool(tree.args.get("by_name"))
        fields = {f.name.lower(): f for f in existing.schema.fields}
        if by_name or columns:
            names = [c.lower() for c in (columns or new.columns)]
            new = new.toDF(*names)
            missing = [f for f in existing.schema.fields if f.name.lower() not in names]
            from pyspark.sql import functions as F
            new = new.select(*[F.col(n).cast(fields[n].dataType).alias(fields[n].name)
                               for n in names],
                             *[F.lit(None).cast(f.dataType).alias(f.name) for f in missing])
            new = new.select(*existing.columns)
        else:
            if len(new.columns) != len(existing.columns):
                raise ValueError(f"INSERT INTO {name}: {len(new.columns)} values for "
                                 f"{len(existing.columns)} columns")
            from pyspark.sql import functions as F
            new = new.select(*[F.col(f"`{c}`").cast(f.dataType).alias(f.name)
                               for c, f in zip(new.columns, existing.schema.fields)])
        self._put(name, existing.unionByName(new), temp=name in self.temp)
        return Result()

    def _delete(self, tree: exp.Delete) -> Result:
        name = tree.this.name.lower()
        where = tree.args.get("where")
        if where is None:
            keep = exp.select("*").from_(name).where(exp.false())
        else:
            keep = exp.select("*").from_(name).where(
                exp.not_(exp.func("coalesce", exp.Paren(this=where.this.copy()), exp.false())))
        self._put(name, self._query(keep), temp=name in self.temp)
        return Result()
