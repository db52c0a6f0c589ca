"""The one place where the dashboard's SQL reaches the warehouse.

Every query function in `dashboard.queries` runs its SQL through `run` (or `table`, which builds
its SQL and calls `run`); nothing else in the dashboard calls `Repository.query`
(tests/dashboard/test_query_layer.py fails if a page or helper does).

Where scoping by wilayah goes (next issue: a kabupaten user sees its own kab/kota down to
posyandu, the others at kab/kota level only): `run` is the choke point. The user's scope will
reach it with the repository (a `Repository` built per session, carrying the scope) and be
applied here, before the SQL is sent, so that no query function can forget it; the scope must
then also be part of the cache key in `Repository.query`, which today caches by path, version,
SQL and parameters. The area marts carry `level`, `kode` and `kode_kabkota` to filter on; the
catalog and load tables (`load_files`, `load_rejects`, `meta_*`) carry no area and need a rule
of their own (`load_file_area` maps files to kab/kota). Nothing is scoped yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.repository import Repository

# the tables a dashboard query may read whole: marts, reference tables and build metadata
_TABLE_NAME = re.compile(r"(mart|ref|meta)_[a-z0-9_]+")


def run(repo: Repository, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one read query of the query layer (cached per published version). The frame may be
    changed freely by the caller."""
    return repo.query(sql, params)


def table(repo: Repository, name: str, where: str = "", params: Sequence[Any] = (),
          order_by: str = "") -> pd.DataFrame:
    """All columns of a mart/ref/meta table, optionally filtered and ordered. `where` and
    `order_by` are written by the query modules, never taken from user input; values go in
    `params`."""
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(f"not a dashboard table: {name}")
    sql = f"SELECT * FROM {name}"
    if where:
        sql += f" WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    return run(repo, sql, params)


def placeholders(values: Sequence[Any]) -> str:
    """`?, ?, ?` for an IN list of len(values) parameters."""
    return ", ".join("?" for _ in values)
