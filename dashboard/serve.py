"""`tumbuh serve`: start the Streamlit dashboard on the published warehouse.

Safe by default: it listens on 127.0.0.1 unless `--address` says otherwise, and it will not listen
on any other address without sign-in (an `[auth]` section in the config) unless `--no-auth` is
given. The project's `.streamlit/config.toml` (viewer toolbar, no error details in the browser) is
passed to Streamlit on its command line: Streamlit itself reads `.streamlit/config.toml` only from
the current directory and from ~/.streamlit, and the command line overrides both. A SIGTERM (or
SIGHUP) to `tumbuh serve` stops Streamlit before `tumbuh serve` exits.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent / "app.py"
PROJECT_ROOT = APP.parent.parent
STREAMLIT_CONFIG = PROJECT_ROOT / ".streamlit" / "config.toml"
LOOPBACK = "127.0.0.1"
# Set by `tumbuh serve` itself, whatever the file says.
OWN_OPTIONS = {"server.address", "server.port"}
STOP_TIMEOUT_S = 10.0


def streamlit_options(path: Path = STREAMLIT_CONFIG) -> dict[str, Any]:
    """The options of a Streamlit config file as {"section.option": value}."""
    with open(path, "rb") as fh:
        tree = tomllib.load(fh)
    flat: dict[str, Any] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk(tree, "")
    return flat


def _flag_values(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def command(port: int, warehouse: Path, address: str = LOOPBACK) -> list[str]:
    """The streamlit command line (also used by the browser test)."""
    flags: list[str] = ["--server.address", address, "--server.port", str(int(port))]
    for key, value in streamlit_options().items():
        if key not in OWN_OPTIONS:
            for text in _flag_values(value):
                flags += [f"--{key}", text]
    return [sys.executable, "-m", "streamlit", "run", str(APP), *flags,
            "--", "--warehouse", str(Path(warehouse).resolve())]


def is_loopback(address: str) -> bool:
    """Whether `address` (an IP or a host name) only ever means this machine. "", "0.0.0.0" and
    "::" mean every interface."""
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        pass
    if not address:
        return False
    try:
        infos = socket.getaddrinfo(address, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def url(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{int(port)}"


def refusal(address: str, auth_configured: bool, no_auth: bool) -> str | None:
    """Why `tumbuh serve` will not listen on `address`, or None."""
    if is_loopback(address) or auth_configured or no_auth:
        return None
    return (f"tumbuh serve: not listening on {address or 'every interface'} without sign-in: "
            "anyone who can reach that address would see the dashboard. Add an [auth] section "
            "to the config (client_id and server_metadata_url of your OpenID provider), serve "
            "on 127.0.0.1 behind a proxy that signs users in, or pass --no-auth to open it "
            "anyway.")


def _stop_with_parent() -> None:
    """In the child: get SIGTERM if `tumbuh serve` dies without passing a signal on (SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: SIGTERM and SIGHUP are still passed on
        pass


def main(port: int, warehouse: Path, address: str = LOOPBACK, no_auth: bool = False,
         auth_configured: bool | None = None) -> int:
    """Run the dashboard in the foreground until interrupted or terminated; returns streamlit's
    exit code (2 when the address is refused)."""
    if auth_configured is None:
        from pipelines.config import default_config

        auth_configured = default_config().auth_configured
    reason = refusal(address, auth_configured, no_auth)
    if reason:
        print(reason, file=sys.stderr)
        return 2
    warehouse = Path(warehouse)
    if not warehouse.exists():
        print(f"tumbuh serve: no warehouse at {warehouse} yet; the dashboard will say so "
              "until `tumbuh ingest` publishes one.", file=sys.stderr)
    where = ("this machine only" if is_loopback(address) else
             "every interface" if address in ("", "0.0.0.0", "::") else "this address")
    if not is_loopback(address) and not auth_configured:
        where += ", WITHOUT sign-in (--no-auth)"
    print(f"tumbuh dashboard: {url(address, port)}  ({where}; warehouse {warehouse})",
          file=sys.stderr, flush=True)

    # preexec_fn is unsafe in a process with threads; `tumbuh serve` has only its main thread.
    on_start = _stop_with_parent if sys.platform == "linux" else None
    proc = subprocess.Popen(command(port, warehouse, address), preexec_fn=on_start)  # noqa: PLW1509
    stopping: list[int] = []

    def pass_on(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # Ctrl-C reached Streamlit too (same process group)
        stopping.append(signal.SIGINT)
        code = 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 0 if stopping else code
