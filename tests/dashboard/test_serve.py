"""`tumbuh serve` and how the app finds its warehouse."""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard import serve
from dashboard.app import warehouse_path
from pipelines.config import default_config


def test_command_runs_streamlit_on_the_app_with_the_warehouse(tmp_path):
    cmd = serve.command(8600, tmp_path / "w.duckdb")
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]) == Path(serve.__file__).with_name("app.py")
    assert cmd[cmd.index("--server.port") + 1] == "8600"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[-3:] == ["--", "--warehouse", str((tmp_path / "w.duckdb").resolve())]


def test_warehouse_from_argument_environment_or_config(monkeypatch):
    monkeypatch.delenv("TUMBUH_WAREHOUSE", raising=False)
    assert warehouse_path(["--warehouse", "/x/a.duckdb"]) == Path("/x/a.duckdb")
    monkeypatch.setenv("TUMBUH_WAREHOUSE", "/y/b.duckdb")
    assert warehouse_path([]) == Path("/y/b.duckdb")
    assert warehouse_path(["--warehouse", "/x/a.duckdb"]) == Path("/x/a.duckdb")
    monkeypatch.delenv("TUMBUH_WAREHOUSE")
    assert warehouse_path([]) == default_config().warehouse
