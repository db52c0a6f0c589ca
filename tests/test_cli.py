"""The `tumbuh` command as the top-level entry module (tumbuh_cli.py, D26): the packages never
import it back, and it is what the console script runs."""

from __future__ import annotations

import ast
import tomllib

import tumbuh_cli
from pipelines.config import PROJECT_ROOT

PACKAGES = ("pipelines", "dashboard", "demo", "geo")
CLI_MODULE = tumbuh_cli.__name__


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and (node.value == CLI_MODULE or node.value.startswith(CLI_MODULE + ":"))):
            # importlib.import_module("tumbuh_cli"), `python -m tumbuh_cli`, "tumbuh_cli:main"
            names.add(CLI_MODULE)
    return names


def test_no_package_imports_the_command():
    offenders = []
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            names = _imports(ast.parse(path.read_text(), str(path)))
            if any(n == CLI_MODULE or n.startswith(CLI_MODULE + ".") for n in names):
                offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []


def test_the_check_sees_an_import(tmp_path):
    for text in ("import tumbuh_cli", "from tumbuh_cli import main",
                 "importlib.import_module('tumbuh_cli')"):
        assert CLI_MODULE in _imports(ast.parse(text))


def test_the_console_script_runs_the_entry_module():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["tumbuh"] == f"{CLI_MODULE}:main"
    assert CLI_MODULE in project["tool"]["setuptools"]["py-modules"]
    assert not (PROJECT_ROOT / "pipelines" / "cli.py").exists()
