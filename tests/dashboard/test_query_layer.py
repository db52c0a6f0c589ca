"""One query layer: only dashboard/queries/ writes SQL for the dashboard, and inside it only
`_base.run` hands SQL to the repository (the choke point, whose repository applies the wilayah
scope). The repository, the scope's views (scope.py) and the SQL console (user-typed SQL, its own
bounded path) are the other modules allowed to talk to DuckDB. Checked on the source with `ast`, so a page that starts querying
on its own fails here before review."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
QUERIES = "queries/"
ALLOWED = {"repository.py", "scope.py", "sql_console.py", "console_worker.py"}
CHOKE_POINT = "queries/_base.py"

RUNS_SQL = {"query", "table", "execute", "sql"}  # method calls that run SQL
SQL_TEXT = (
    re.compile(r"\bSELECT\b.*\bFROM\b", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*(SELECT\s|WITH\s+\w+\s+AS\s*\()", re.IGNORECASE),
    re.compile(r"\bFROM\s+(mart|ref|meta|load|stg|raw|state)_\w+", re.IGNORECASE),
)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (prose such as "select a period from the list" is no SQL)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def problems(source: str, *, query_layer: bool = False) -> list[str]:
    """What in `source` runs SQL or holds SQL text. In the query layer (`query_layer`) SQL text
    and `_base` are the point; running SQL is still only the choke point's job."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, owner = node.func.attr, node.func.value
            if attr in RUNS_SQL:
                found.append(f"{line}: .{attr}(...)")
            if attr == "connect" and isinstance(owner, ast.Name) and owner.id == "duckdb":
                found.append(f"{line}: duckdb.connect")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                node.module or ""]
            for name in names:
                if name.split(".")[0] == "duckdb":
                    found.append(f"{line}: import {name}")
                if not query_layer and (name.startswith("dashboard.queries._base") or (
                        name == "dashboard.queries" and any(a.name == "_base" for a in node.names))):
                    found.append(f"{line}: import of the choke point")
        elif (not query_layer and isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docs and any(p.search(node.value) for p in SQL_TEXT)):
            found.append(f"{line}: SQL text {node.value[:60]!r}")
    return found


def _modules() -> list[Path]:
    return sorted(DASHBOARD.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(DASHBOARD).as_posix()


def test_the_allowed_modules_exist():
    """A rename must update this test, not silently widen what it lets through."""
    names = {_rel(p) for p in _modules()}
    assert ALLOWED | {CHOKE_POINT} <= names
    assert len([n for n in names if n.startswith("views/")]) >= 7


@pytest.mark.parametrize("path", [p for p in _modules() if _rel(p) not in ALLOWED
                                  and not _rel(p).startswith(QUERIES)], ids=_rel)
def test_pages_and_helpers_run_no_sql(path):
    assert problems(path.read_text()) == [], f"{_rel(path)}: use a function in dashboard/queries/"


@pytest.mark.parametrize("path", [p for p in _modules() if _rel(p).startswith(QUERIES)
                                  and _rel(p) != CHOKE_POINT], ids=_rel)
def test_query_modules_go_through_the_choke_point(path):
    """Query modules write SQL, but hand it to the repository only through `_base`."""
    assert problems(path.read_text(), query_layer=True) == [], \
        f"{_rel(path)}: run SQL with _base.run / _base.table"


def test_only_the_choke_point_calls_the_repository():
    source = (DASHBOARD / CHOKE_POINT).read_text()
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "query"]
    assert len(calls) == 1  # run(): its repository carries the scope


@pytest.mark.parametrize("snippet", [
    'df = repo.query("SELECT 1")',
    'df = repo.table("mart_prevalensi", "level = ?", ["kabkota"])',
    'con.execute(sql)',
    'cursor.sql(text)',
    'import duckdb',
    'from duckdb import connect',
    'con = duckdb.connect("w.duckdb", read_only=True)',
    'from dashboard.queries._base import run',
    'from dashboard.queries import _base',
    'SQL = "SELECT kode, nama FROM mart_prevalensi"',
    'SQL = ("select kode\\n" "from mart_prevalensi_kabkota")',
    'sql = f"SELECT * FROM {name} WHERE kode = ?"',
    'sql = "WITH x AS (SELECT 1) SELECT * FROM x"',
    'where = " AND kode IN (SELECT kode FROM ref_kabkota)"',
    'sql = "SELECT count(*) " + "FROM mart_x"',
    'part = "count(*) FROM mart_intervensi_gaps"',
])
def test_the_check_catches(snippet):
    assert problems(snippet), snippet


@pytest.mark.parametrize("snippet", [
    'def f():\n    """Select a period from the list."""',
    'label = t("peta.level")',
    'x = "with the province"',
    'df.sort_values("kode")',
])
def test_the_check_lets_through(snippet):
    assert problems(snippet) == []


def test_the_query_layer_may_write_sql_but_not_run_it_around_the_choke_point():
    assert problems('df = run(repo, "SELECT kode FROM mart_x WHERE level = ?", [level])',
                    query_layer=True) == []
    assert problems('df = repo.query("SELECT kode FROM mart_x")', query_layer=True)
    assert problems("import duckdb", query_layer=True)
