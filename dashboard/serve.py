"""`tumbuh serve`: start the Streamlit dashboard on the published warehouse.

Safe by default: it listens on 127.0.0.1 unless `--address` says otherwise, and it will not listen
on any other address without sign-in (an `[auth]` section in the config) unless `--no-auth` is
given. The project's `.streamlit/config.toml` (viewer toolbar, no error details in the browser) is
passed to Streamlit on its command line: Streamlit itself reads `.streamlit/config.toml` only from
the current directory and from ~/.streamlit, and the command line overrides both. A SIGTERM (or
SIGHUP) to `tumbuh serve` stops Streamlit before `tumbuh serve` exits.

Sign-in: with an `[auth]` section, `tumbuh serve` checks it and the `[[users]]` table (refusing to
start on a problem), writes them as Streamlit's `[auth]` secrets to a file of its own (0600, in a
new 0700 folder, removed when it exits) and points Streamlit at that file alone
(`--secrets.files`), so no `.streamlit/secrets.toml` elsewhere is read (docs/decisions.md D25).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pipelines.config import Config

APP = Path(__file__).resolve().parent / "app.py"
PROJECT_ROOT = APP.parent.parent
STREAMLIT_CONFIG = PROJECT_ROOT / ".streamlit" / "config.toml"
LOOPBACK = "127.0.0.1"
# Set by `tumbuh serve` itself, whatever the file says.
OWN_OPTIONS = {"server.address", "server.port", "secrets.files"}
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


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    raise TypeError(f"not a TOML scalar: {value!r}")


def secrets_toml(settings: Mapping[str, Any]) -> str:
    """Streamlit's secrets file holding only `[auth]` (and `[auth.client_kwargs]`)."""
    lines = ["[auth]"]
    nested = {k: v for k, v in settings.items() if isinstance(v, Mapping)}
    lines += [f"{key} = {_toml_value(value)}" for key, value in settings.items()
              if key not in nested]
    for name, table in nested.items():
        lines += ["", f"[auth.{name}]"]
        lines += [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in table.items()]
    text = "\n".join(lines) + "\n"
    if tomllib.loads(text) != {"auth": dict(settings)}:
        raise ValueError("the [auth] settings do not survive writing as TOML")
    return text


@contextlib.contextmanager
def private_secrets(settings: Mapping[str, Any]) -> Iterator[Path]:
    """A secrets.toml with `settings` as `[auth]`, readable by this user only (0600 in a new 0700
    folder, on the per-user runtime tmpfs where there is one), removed on leaving."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = runtime if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="tumbuh-serve-", dir=base))  # mode 0700
    try:
        path = folder / "secrets.toml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets_toml(settings))
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def command(port: int, warehouse: Path, address: str = LOOPBACK,
            secrets_file: Path | None = None) -> list[str]:
    """The streamlit command line (also used by the browser tests). `secrets_file`: the only
    secrets file Streamlit reads (sign-in), from `private_secrets`."""
    flags: list[str] = ["--server.address", address, "--server.port", str(int(port))]
    if secrets_file is not None:
        flags += ["--secrets.files", str(secrets_file)]
    for key, value in streamlit_options().items():
        if key not in OWN_OPTIONS:
            for text in _flag_values(value):
                flags += [f"--{key}", text]
    # Streamlit's own ceiling on an upload follows [uploads] max_file_mb (the page refuses a
    # larger file with a message; Streamlit's ceiling stops it before it reaches the page).
    from dashboard.uploads import upload_settings

    flags += ["--server.maxUploadSize", str(upload_settings(Path(warehouse)).max_file_mb)]
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
            "to the config (README: Sign-in and users), serve on 127.0.0.1 behind a proxy that "
            "signs users in, or pass --no-auth to open it anyway.")


def _stop_with_parent() -> None:
    """In the child: get SIGTERM if `tumbuh serve` dies without passing a signal on (SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: SIGTERM and SIGHUP are still passed on
        pass


def sign_in_settings(config: Config) -> dict[str, Any] | None:
    """`[auth]` as Streamlit's secrets, None without `[auth]`; AuthConfigError on a problem."""
    from dashboard import auth

    return auth.oidc_settings(config) if auth.auth_required(config) else None


def main(port: int, warehouse: Path, address: str = LOOPBACK, no_auth: bool = False,
         config: Config | None = None) -> int:
    """Run the dashboard in the foreground until interrupted or terminated; returns streamlit's
    exit code (2 when the address or the sign-in settings are refused)."""
    from dashboard.auth import AuthConfigError, users_table
    from pipelines.config import default_config

    config = config or default_config()
    try:
        settings = sign_in_settings(config)
    except AuthConfigError as exc:
        problems = str(exc).replace("\n", "\n  ")
        print(f"tumbuh serve: the sign-in settings cannot be used:\n  {problems}",
              file=sys.stderr)
        return 2
    reason = refusal(address, settings is not None, no_auth)
    if reason:
        print(reason, file=sys.stderr)
        return 2
    warehouse = Path(warehouse)
    if not warehouse.exists():
        print(f"tumbuh serve: no warehouse at {warehouse} yet; the dashboard will say so "
              "until `tumbuh ingest` publishes one.", file=sys.stderr)
    where = ("this machine only" if is_loopback(address) else
             "every interface" if address in ("", "0.0.0.0", "::") else "this address")
    if not is_loopback(address) and settings is None:
        where += ", WITHOUT sign-in (--no-auth)"
    if settings is not None:
        redirect = urlsplit(settings["redirect_uri"].replace("{port}", str(int(port))))
        where += f"; sign-in on: open it as {redirect.scheme}://{redirect.netloc}"
        if not users_table(config):
            print("tumbuh serve: [[users]] lists nobody: everyone who signs in sees the "
                  "no-access page.", file=sys.stderr)
    print(f"tumbuh dashboard: {url(address, port)}  ({where}; warehouse {warehouse})",
          file=sys.stderr, flush=True)
    with contextlib.ExitStack() as stack:
        secrets_file = (stack.enter_context(private_secrets(settings))
                        if settings is not None else None)
        return _run(command(port, warehouse, address, secrets_file))


def _run(cmd: list[str]) -> int:
    """Streamlit in the foreground; SIGTERM/SIGHUP passed on, stopped when we stop."""
    # preexec_fn is unsafe in a process with threads; `tumbuh serve` has only its main thread.
    on_start = _stop_with_parent if sys.platform == "linux" else None
    proc = subprocess.Popen(cmd, preexec_fn=on_start)  # noqa: PLW1509
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
