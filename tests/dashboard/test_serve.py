"""`tumbuh serve` and how the app finds its warehouse: loopback by default, no open dashboard
without sign-in unless asked for, the shipped Streamlit settings applied from any directory, and
SIGTERM stopping Streamlit too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest

from dashboard import serve
from dashboard.app import warehouse_path
from pipelines.config import Config, default_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONFIG = PROJECT_ROOT / "config" / "tumbuh.toml"
# What a careless ~/.streamlit or working directory might say; the shipped settings must win.
HOSTILE_STREAMLIT_CONFIG = """
[server]
address = "0.0.0.0"
[client]
toolbarMode = "developer"
showErrorDetails = "full"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on `port` (what `ss -ltn` shows)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order.
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6,
                                           words))
    return found


def hostile_dir(tmp_path: Path) -> Path:
    (tmp_path / ".streamlit").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".streamlit" / "config.toml").write_text(HOSTILE_STREAMLIT_CONFIG)
    return tmp_path


def test_command_runs_streamlit_on_the_app_with_the_warehouse(tmp_path):
    cmd = serve.command(8600, tmp_path / "w.duckdb")
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]) == Path(serve.__file__).with_name("app.py")
    assert cmd[cmd.index("--server.port") + 1] == "8600"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--client.toolbarMode") + 1] == "viewer"
    assert cmd[cmd.index("--client.showErrorDetails") + 1] == "none"
    assert cmd.count("--server.address") == 1
    assert cmd[-3:] == ["--", "--warehouse", str((tmp_path / "w.duckdb").resolve())]
    assert serve.command(8600, tmp_path / "w.duckdb", "0.0.0.0").count("0.0.0.0") == 1


def test_shipped_streamlit_config():
    options = serve.streamlit_options()
    assert serve.STREAMLIT_CONFIG == PROJECT_ROOT / ".streamlit" / "config.toml"
    assert options["server.address"] == "127.0.0.1"
    assert options["client.toolbarMode"] == "viewer"
    assert options["client.showErrorDetails"] == "none"


def test_shipped_settings_win_over_the_working_directory_and_home(tmp_path):
    """Streamlit's own reading of the command line `tumbuh serve` builds, run from a directory
    and with a home whose .streamlit/config.toml say the opposite."""
    cmd = serve.command(8600, tmp_path / "w.duckdb")
    flags = cmd[5:cmd.index("--")]
    cwd = hostile_dir(tmp_path / "cwd")
    home = hostile_dir(tmp_path / "home")
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show", *flags],
                           cwd=cwd, env={**os.environ, "HOME": str(home)}, capture_output=True,
                           text=True, timeout=60, check=True).stdout
    settings = dict(line.split(" = ", 1) for line in shown.splitlines() if " = " in line)
    assert settings["toolbarMode"] == '"viewer"'
    assert settings["showErrorDetails"] == '"none"'
    assert settings["address"] == '"127.0.0.1"'
    # The same check without the flags sees the hostile file: the test does test something.
    bare = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=cwd,
                          env={**os.environ, "HOME": str(home)}, capture_output=True, text=True,
                          timeout=60, check=True).stdout
    assert 'toolbarMode = "developer"' in bare


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("", False), ("10.1.2.3", False),
    ("192.168.0.10", False),
])
def test_loopback_addresses(address, loopback):
    assert serve.is_loopback(address) is loopback


def test_refusal_without_auth():
    assert serve.refusal("127.0.0.1", auth_configured=False, no_auth=False) is None
    assert "--no-auth" in serve.refusal("0.0.0.0", auth_configured=False, no_auth=False)
    assert serve.refusal("0.0.0.0", auth_configured=True, no_auth=False) is None
    assert serve.refusal("0.0.0.0", auth_configured=False, no_auth=True) is None


def test_cli_refuses_a_public_address_without_auth(tmp_path):
    port = free_port()
    proc = subprocess.run([sys.executable, "-m", "tumbuh_cli", "serve", "--address", "0.0.0.0",
                           "--port", str(port), "--warehouse", str(tmp_path / "w.duckdb")],
                          capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT,
                          check=False, env={**os.environ, "TUMBUH_CONFIG": str(SHIPPED_CONFIG)})
    assert proc.returncode == 2
    assert "without sign-in" in proc.stderr and "--no-auth" in proc.stderr
    assert not listening_addresses(port)


class FakePopen:
    """Stands in for Streamlit: records the command and exits at once."""

    commands: ClassVar[list[list[str]]] = []

    def __init__(self, cmd: list[str], **_kwargs: object) -> None:
        FakePopen.commands.append(cmd)
        self.returncode = 0

    def poll(self) -> int:
        return 0

    def wait(self, _timeout: float | None = None) -> int:
        return 0


def test_no_auth_or_auth_lets_it_listen_on_a_public_address(monkeypatch, capsys, tmp_path):
    """Argument handling only; Streamlit is not started."""
    import tumbuh_cli as cli

    monkeypatch.setattr(serve.subprocess, "Popen", FakePopen)
    FakePopen.commands = []
    assert cli.main(["serve", "--address", "0.0.0.0", "--no-auth", "--port", "8611",
                     "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    cmd = FakePopen.commands[-1]
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
    assert "http://0.0.0.0:8611" in capsys.readouterr().err
    signed = Config.from_dict({"auth": {
        "server_metadata_url": "https://sso.example/.well-known/openid-configuration",
        "client_id": "tumbuh", "client_secret": "s", "cookie_secret": "c" * 32,
        "redirect_uri": "https://tumbuh.example/oauth2callback"}})
    assert serve.main(8612, tmp_path / "w.duckdb", "10.1.2.3", config=signed) == 0
    assert cli.main(["serve", "--address", "0.0.0.0", "--port", "8613"]) == 2
    assert len(FakePopen.commands) == 2
    cli.main(["serve", "--port", "8614", "--warehouse", str(tmp_path / "w.duckdb")])
    cmd = FakePopen.commands[-1]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"


def test_serve_listens_on_loopback_only_and_sigterm_stops_streamlit(tmp_path):
    """A real `tumbuh serve` with the shipped defaults, started from a directory whose
    .streamlit/config.toml asks for 0.0.0.0."""
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tumbuh_cli", "serve", "--port", str(port),
             "--warehouse", str(warehouse)],
            cwd=hostile_dir(tmp_path / "cwd"), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1"})
    group = proc.pid  # its own session: the group id is its pid
    try:
        deadline = time.monotonic() + 60
        while not listening_addresses(port):
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        assert listening_addresses(port) == {"127.0.0.1"}
        assert f"http://127.0.0.1:{port}" in log_path.read_text()

        os.kill(proc.pid, signal.SIGTERM)  # tumbuh serve only, not its group
        assert proc.wait(30) == 0
        deadline = time.monotonic() + 15
        while True:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "streamlit outlived tumbuh serve"
            time.sleep(0.2)
        assert not listening_addresses(port)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def test_warehouse_from_argument_environment_or_config(monkeypatch):
    monkeypatch.delenv("TUMBUH_WAREHOUSE", raising=False)
    assert warehouse_path(["--warehouse", "/x/a.duckdb"]) == Path("/x/a.duckdb")
    monkeypatch.setenv("TUMBUH_WAREHOUSE", "/y/b.duckdb")
    assert warehouse_path([]) == Path("/y/b.duckdb")
    assert warehouse_path(["--warehouse", "/x/a.duckdb"]) == Path("/x/a.duckdb")
    monkeypatch.delenv("TUMBUH_WAREHOUSE")
    assert warehouse_path([]) == default_config().warehouse_path
