"""Uploads through the dashboard (the "Unggah data" page; docs/decisions.md D27).

An upload is a *run*: a private folder `<uploads>/<run id>/` (0700) holding the uploaded files,
`job.json` (who, what kind, which files) and `status.json`, which the background process
(`python -m dashboard.upload_worker RUN_FOLDER`) rewrites as the load goes: state, every file's
accounting as its batch commits, and at the end the exit status and any refusal. The worker
runs the same `ingest_files` as `tumbuh ingest`, under the warehouse lock; an operator's load is
limited to its kab/kota (`only_kabkota`: a staged row elsewhere discards the whole build). When
the load ends the uploaded files are deleted (they hold names and NIKs, which tumbuh never keeps)
and one line per file is appended to the upload log `<uploads>/log.jsonl` (0600), which lives
outside the published warehouse.

No streamlit here: the page (dashboard/views/unggah.py) and the tests call these functions.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipelines.config import Config, default_config
from pipelines.filemodes import private_files
from pipelines.ingest import EXPORT_SUFFIXES, SOURCE_MODULES

SOURCES = tuple(SOURCE_MODULES)  # posyandu, pkk, spm, intervensi
SUFFIXES = tuple(sorted(s.lstrip(".") for s in EXPORT_SUFFIXES))
LOG_NAME = "log.jsonl"
_RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}_[0-9a-f]{6}$")


@dataclass(frozen=True)
class UploadSettings:
    folder: Path       # private folder of the runs and the log
    max_file_mb: int

    @property
    def max_bytes(self) -> int:
        return self.max_file_mb * 2**20

    @property
    def log(self) -> Path:
        return self.folder / LOG_NAME


def upload_settings(warehouse: Path, config: Config | None = None) -> UploadSettings:
    """`[uploads]` of the config (pipelines.config.Uploads): max_file_mb, and folder, by default
    beside the warehouse (data/warehouse.duckdb -> data/warehouse.uploads)."""
    config = config or default_config()
    path = config.resolve(config.uploads.folder)
    if path is None:
        warehouse = Path(warehouse).resolve()
        path = warehouse.with_name(warehouse.stem + ".uploads")
    return UploadSettings(folder=path, max_file_mb=config.uploads.max_file_mb)


@dataclass(frozen=True)
class Refusal:
    """A file refused before anything is read: `key` names the UI string (unggah.refuse_*)."""

    file: str
    key: str
    values: dict[str, Any]


def check_files(files: Sequence[tuple[str, int]], source: str, settings: UploadSettings
                ) -> list[Refusal]:
    """Refusals for (name, size in bytes) of an upload: an unknown kind, an extension the
    readers do not take, an empty file or one over max_file_mb."""
    refusals = []
    if source not in SOURCES:
        refusals.append(Refusal("", "refuse_kind", {"kind": source}))
    for name, size in files:
        suffix = Path(name).suffix.lower()
        if suffix not in EXPORT_SUFFIXES:
            refusals.append(Refusal(name, "refuse_extension", {
                "ext": suffix or "-", "allowed": ", ".join(f".{s}" for s in SUFFIXES)}))
        elif size > settings.max_bytes:
            refusals.append(Refusal(name, "refuse_size", {
                "mb": f"{size / 2**20:.1f}", "max": settings.max_file_mb}))
        elif size == 0:
            refusals.append(Refusal(name, "refuse_empty", {}))
    return refusals


class UploadBusy(RuntimeError):
    """The warehouse is being written (a load, a rebuild or another upload)."""


def warehouse_busy(warehouse: Path) -> bool:
    """Whether another process holds the warehouse's write lock right now."""
    from pipelines.warehouse import WarehouseLocked, lock

    published = Path(warehouse).resolve()
    if not published.parent.is_dir():
        return False
    try:
        with private_files(), lock(published):
            return False
    except WarehouseLocked:
        return True


def safe_name(name: str) -> str:
    """The uploaded file's own name without any folder part, control characters or leading
    dots (the name the load record and the rejects keep)."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base[:200] or "upload"


def _write_json(path: Path, data: dict) -> None:
    """Replace `path` atomically (the page polls it while the worker writes it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with private_files():
        tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def start_upload(warehouse: Path, principal: Any, source: str,
                 files: Sequence[tuple[str, bytes]], settings: UploadSettings,
                 today: date | None = None, wait: bool = False) -> str:
    """Save the files to a new private run folder and start the background load; the run id.
    Raises UploadBusy when the warehouse is being written (nothing saved then). `principal`:
    dashboard.auth.Principal (its kab/kota limits the load). With `wait` (tests) the call
    returns when the load has ended."""
    import hashlib

    from pipelines.ingest.load import stored_name

    warehouse = Path(warehouse).resolve()
    if warehouse_busy(warehouse):
        raise UploadBusy(str(warehouse))
    run_id = time.strftime("%Y%m%dT%H%M%S") + "_" + os.urandom(3).hex()
    run = settings.folder / run_id
    with private_files():
        settings.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        settings.folder.chmod(0o700)
        run.mkdir(mode=0o700)
        entries = []
        for i, (name, data) in enumerate(files):
            folder = run / "files" / str(i)
            folder.mkdir(mode=0o700, parents=True)
            path = folder / safe_name(name)
            path.write_bytes(data)
            entries.append({"name": stored_name(path), "path": str(path), "size": len(data),
                            "sha256": hashlib.sha256(data).hexdigest()})
    job = {"run_id": run_id, "warehouse": str(warehouse), "source": source, "files": entries,
           "email": principal.email, "role": principal.role, "wilayah": principal.wilayah,
           "only_kabkota": principal.kabkota, "today": today.isoformat() if today else None,
           "log": str(settings.log), "submitted_at": datetime.now().isoformat(timespec="seconds")}
    _write_json(run / "job.json", job)
    _write_json(run / "status.json", {"state": "queued", "n_files": len(entries), "results": []})
    with private_files(), open(run / "worker.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard.upload_worker", str(run)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, cwd=str(Path(__file__).parent.parent))
    if wait:
        proc.wait()
    return run_id


def run_folder(settings: UploadSettings, run_id: str) -> Path:
    if not _RUN_ID.match(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return settings.folder / run_id


def read_status(settings: UploadSettings, run_id: str) -> dict:
    """The run's status.json: state queued | running | publishing | done, n_files, results
    (FileResult dicts as each batch commits); when done also exit (0 loaded, 1 a file was
    fatal, 3 refused or failed), outcome (ok | locked | outside | failed) and message."""
    path = run_folder(settings, run_id) / "status.json"
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"state": "missing", "n_files": 0, "results": []}
    except json.JSONDecodeError:  # never half-written (atomic replace); be safe anyway
        return {"state": "running", "n_files": 0, "results": []}
    if status.get("state") in ("running", "publishing") and not _alive(status.get("pid")):
        # killed (out of memory, a server restart): nothing it built was published
        status.update(state="done", exit=3, outcome="failed", results=[],
                      message="the background load stopped before it ended (killed?); "
                              "nothing was published")
    return status


def _alive(pid: Any) -> bool:
    """Whether the worker process still runs (a zombie, not yet reaped, has ended)."""
    if not isinstance(pid, int):
        return True  # not known yet: trust the state
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def read_job(settings: UploadSettings, run_id: str) -> dict:
    return json.loads((run_folder(settings, run_id) / "job.json").read_text(encoding="utf-8"))


def append_log(log: Path, entries: Sequence[dict]) -> None:
    """Append lines to the upload log under an exclusive lock (one writer at a time)."""
    with private_files():
        log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                for entry in entries:
                    fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
                fh.flush()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def read_log(settings: UploadSettings, email: str | None = None, limit: int = 500) -> list[dict]:
    """The newest `limit` log lines first; only one person's with `email`."""
    try:
        lines = settings.log.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if email is None or entry.get("email") == email:
            out.append(entry)
            if len(out) >= limit:
                break
    return out


def rejects_xlsx(warehouse: Path, source: str, sha256: str) -> bytes:
    """One loaded file's rejected rows as an inert XLSX in the file's own layout
    (pipelines/rejects_file.py: it reads the warehouse's store, which the query layer does not)."""
    from pipelines.rejects_file import rejects_xlsx as write

    return write(warehouse, source, sha256)
