"""The `tumbuh` command as the top-level entry module (tumbuh_cli.py, D30): the packages never
import it back, it is what the console script runs, and a config mistake is a message and exit
code 2, not a traceback."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib

import pytest

import tumbuh_cli
from pipelines.config import PROJECT_ROOT, default_config

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


def test_a_config_mistake_is_a_message_and_exit_code_2(tmp_path):
    config = tmp_path / "tumbuh.toml"
    config.write_text("[prevalence]\nmin_cell = \"10\"\n")
    done = subprocess.run(
        [sys.executable, "-m", CLI_MODULE, "rebuild", "--warehouse", str(tmp_path / "w.duckdb")],
        capture_output=True, text=True, check=False, cwd=PROJECT_ROOT,
        env={**os.environ, "TUMBUH_CONFIG": str(config)})
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"tumbuh rebuild: the config cannot be used: {config}: "
                           "prevalence.min_cell: expected a whole number of at least 1, got '10' "
                           "(a string)\n")
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("command", [["ingest", "posyandu", "x.csv"], ["export"], ["key"],
                                     ["serve", "--port", "8699"]])
def test_every_command_that_reads_the_config_reports_a_mistake(tmp_path, monkeypatch, capsys,
                                                              command):
    config = tmp_path / "tumbuh.toml"
    config.write_text("[prevalance]\n")
    monkeypatch.setenv("TUMBUH_CONFIG", str(config))
    default_config.cache_clear()
    try:
        assert tumbuh_cli.main(command) == 2
    finally:
        default_config.cache_clear()
    err = capsys.readouterr().err
    assert f"{config}: prevalance: unknown section" in err and "Traceback" not in err
