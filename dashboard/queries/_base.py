"""The one place where the dashboard's SQL reaches the warehouse.

Every query function in `dashboard.queries` runs its SQL through `run` (or `table`, which builds
its SQL and calls `run`); nothing else in the dashboard calls `Repository.query`
(tests/dashboard/test_query_layer.py fails if a page or helper does).

Scoping by wilayah (D26, dashboard/scope.py): the `Repository` handed to every query function is
built per session with the user's scope (`Principal.kabkota`; None for the province), and
`Repository.query` runs the SQL on a cursor whose TEMP views, named like the tables, keep only the
rows that scope may read (its own kab/kota down to posyandu, the others at kab/kota level and the
province). So no query function can forget the scope, and a function needs no scope parameter:
it writes plain table names. The result cache is keyed by the scope too. `run` refuses SQL that
names a catalog (`warehouse.main.mart_x`, `temp.x`, `system.x`), the only way past the views.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.repository import Repository

# the tables a dashboard query may read whole: marts, reference tables and build metadata
_TABLE_NAME = re.compile(r"(mart|ref|meta)_[a-z0-9_]+")
# a name qualified by a catalog (or the temp / system schemas), which would read past the scope's
# views: `x.main.y`, `"x".main.y`, `temp.y`, `system.y`, `memory.y`
_CATALOG_NAME = re.compile(r"(\b\w+|\"[^\"]+\")\s*\.\s*\"?main\"?\s*\.|\b(temp|system|memory|pg_catalog"
                           r"|information_schema)\s*\.", re.IGNORECASE)


def run(repo: Repository, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one read query of the query layer within the repository's wilayah scope (cached per
    published version and scope). The frame may be changed freely by the caller."""
    if _CATALOG_NAME.search(sql):
        raise ValueError(f"the query layer names tables without a catalog: {sql[:80]}")
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
