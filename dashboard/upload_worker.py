"""The background load of one dashboard upload: `python -m dashboard.upload_worker RUN_FOLDER`.

Reads RUN_FOLDER/job.json (dashboard/uploads.py writes it), runs `ingest_files` as `tumbuh
ingest` does (same warehouse lock, same refusals: `pipelines.guarded.guarded`), rewrites
RUN_FOLDER/status.json as each batch commits, then deletes the uploaded files and appends one
line per file to the upload log. Never raises: whatever happens ends in status.json."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from contextlib import redirect_stderr
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from dashboard.uploads import _write_json, append_log


def run(folder: Path) -> int:
    from pipelines.filemodes import private_files
    from pipelines.guarded import guarded
    from pipelines.ingest import get_source
    from pipelines.ingest.load import OutsideWilayah, ingest_files
    from pipelines.warehouse import WarehouseLocked

    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    status: dict = {"state": "running", "n_files": len(job["files"]), "results": [],
                    "started_at": datetime.now().isoformat(timespec="seconds"),
                    "pid": os.getpid()}
    _write_json(folder / "status.json", status)
    source = get_source(job["source"])
    warehouse = Path(job["warehouse"])
    outcome = {"kind": "ok"}

    def report(result) -> None:
        status["results"].append(asdict(result))
        if len(status["results"]) >= status["n_files"]:
            status["state"] = "publishing"  # the marts are being rebuilt, then the rename
        _write_json(folder / "status.json", status)

    def work():
        try:
            return ingest_files(
                [(source, Path(f["path"])) for f in job["files"]], warehouse=warehouse,
                on_result=report, only_kabkota=job.get("only_kabkota"),
                today=date.fromisoformat(job["today"]) if job.get("today") else None)
        except WarehouseLocked:
            outcome["kind"] = "locked"
            raise
        except OutsideWilayah as exc:
            outcome.update(kind="outside", files=exc.files, kabkota=exc.kabkota)
            raise
        except BaseException:
            outcome["kind"] = "failed"
            raise

    stderr = io.StringIO()
    try:
        with redirect_stderr(stderr), private_files():
            results = guarded("ingest", warehouse, work)
    except Exception as exc:  # noqa: BLE001 - a bug: reported on the page, not lost
        results, outcome["kind"] = 3, "failed"
        stderr.write(f"{type(exc).__name__}: {exc}")
    if isinstance(results, int):
        code = results
        if outcome["kind"] == "ok":
            outcome["kind"] = "failed"
        status["results"] = []  # nothing was published: no file is loaded
    else:
        code = 1 if any(r.fatal for r in results) else 0
        status["results"] = [asdict(r) for r in results]
    status.update(state="done", exit=code, outcome=outcome["kind"],
                  message=stderr.getvalue().strip(),
                  outside=outcome.get("files"), finished_at=datetime.now().isoformat(
                      timespec="seconds"))
    # The uploaded files hold names and NIKs: gone once loaded (or refused).
    shutil.rmtree(folder / "files", ignore_errors=True)
    by_index = status["results"]
    entries = []
    for i, f in enumerate(job["files"]):
        result = by_index[i] if i < len(by_index) else {}
        entries.append({
            "at": status["finished_at"], "submitted_at": job.get("submitted_at"),
            "email": job.get("email"), "role": job.get("role"), "wilayah": job.get("wilayah"),
            "run_id": job["run_id"], "file_name": f["name"], "sha256": f["sha256"],
            "size": f["size"], "source": job["source"], "exit": code,
            "outcome": outcome["kind"],
            **{k: result.get(k) for k in ("rows_read", "rows_staged", "rows_rejected",
                                          "rejected_by_reason", "already_loaded", "fatal",
                                          "error")}})
    try:
        append_log(Path(job["log"]), entries)
    finally:
        _write_json(folder / "status.json", status)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main())
