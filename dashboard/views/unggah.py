"""Unggah data: an operator (its own kab/kota) or provinsi uploads exports; they load in the
background (dashboard/uploads.py, dashboard/upload_worker.py) with a progress indicator, then
each file's accounting, its rejected rows as XLSX, and the upload log (docs/decisions.md D27)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import fmt, uploads
from dashboard.auth import current_principal, wilayah_name
from dashboard.i18n import DEFAULT_LANGUAGE, strings, t
from dashboard.repository import Repository
from dashboard.widgets import grid
from pipelines.safe_cells import markdown_text

RUN_KEY = "unggah.run"
POLL = timedelta(seconds=1)


def render(repo: Repository) -> None:
    st.title(t("unggah.title"))
    principal = current_principal()
    if principal is None:  # the app never renders a page for nobody; be safe
        return
    settings = uploads.upload_settings(repo.path)
    scope = (t("unggah.scope_kabkota", wilayah=wilayah_name(principal.kabkota))
             if principal.kabkota else t("unggah.scope_province"))
    st.caption(t("unggah.intro", max=settings.max_file_mb) + " " + scope)
    _form(repo, principal, settings)
    run_id = st.session_state.get(RUN_KEY)
    if run_id:
        status = uploads.read_status(settings, run_id)
        if status.get("state") in ("queued", "running", "publishing"):
            _progress(settings, run_id)
        else:
            _result(repo, settings, run_id, status)
    _log(settings, principal)


def _form(repo: Repository, principal, settings: uploads.UploadSettings) -> None:
    with st.form("unggah.form", clear_on_submit=True):
        source = st.selectbox(t("unggah.kind"), uploads.SOURCES, key="unggah.source",
                              format_func=lambda s: t(f"unggah.source_{s}"))
        files = st.file_uploader(t("unggah.files"), type=list(uploads.SUFFIXES),
                                 accept_multiple_files=True, key="unggah.files",
                                 help=t("unggah.files_help"))
        submitted = st.form_submit_button(t("unggah.submit"), type="primary")
    if not submitted:
        return
    if not files:
        st.warning(t("unggah.no_files"))
        return
    running = st.session_state.get(RUN_KEY)
    if running and uploads.read_status(settings, running).get("state") in (
            "queued", "running", "publishing"):
        st.warning(t("unggah.busy"))
        return
    refusals = uploads.check_files([(f.name, f.size) for f in files], source, settings)
    if refusals:
        for refusal in refusals:
            st.error(t(f"unggah.{refusal.key}", file=markdown_text(refusal.file),
                       **refusal.values))
        st.info(t("unggah.nothing_loaded"))
        return
    try:
        run_id = uploads.start_upload(repo.path, principal, source,
                                      [(f.name, f.getvalue()) for f in files], settings)
    except uploads.UploadBusy:
        st.warning(t("unggah.busy"))
        return
    st.session_state[RUN_KEY] = run_id


@st.fragment(run_every=POLL)
def _progress(settings: uploads.UploadSettings, run_id: str) -> None:
    """Polls the run's status every second; a full rerun shows the result when it is done."""
    status = uploads.read_status(settings, run_id)
    state = status.get("state")
    if state not in ("queued", "running", "publishing"):
        st.rerun()
    n_files = max(int(status.get("n_files") or 1), 1)
    done = len(status.get("results") or [])
    label = t("unggah.publishing") if state == "publishing" else t(
        "unggah.loading", done=fmt.num(done), total=fmt.num(n_files))
    with st.status(label, state="running", expanded=True):
        st.progress(min(done / n_files, 1.0) * (0.9 if state != "publishing" else 1.0))
        st.caption(t("unggah.wait_note"))


def _reasons(by_reason: dict[str, int]) -> str:
    """"duplikat: 2; angka tidak sah: 1" (a reason without a label under its key)."""
    known = strings(DEFAULT_LANGUAGE)

    def label(reason: str) -> str:
        return t(f"reason.{reason}") if f"reason.{reason}" in known else reason

    return "; ".join(f"{label(k)}: {fmt.num(v)}" for k, v in sorted(by_reason.items()))


def _result(repo: Repository, settings: uploads.UploadSettings, run_id: str,
            status: dict) -> None:
    job = uploads.read_job(settings, run_id)
    outcome = status.get("outcome")
    names = ", ".join(markdown_text(f["name"]) for f in job["files"])
    if outcome == "locked":
        st.warning(t("unggah.busy"))
        return
    if outcome == "outside":
        files = "; ".join(f"{markdown_text(name)} ({', '.join(wilayah_name(c) for c in codes)})"
                          for name, codes in (status.get("outside") or {}).items())
        st.error(t("unggah.refuse_outside", wilayah=wilayah_name(job["only_kabkota"] or "35"),
                   files=files))
        st.info(t("unggah.nothing_loaded"))
        return
    if outcome == "failed":
        st.error(t("unggah.failed", files=names))
        st.code(status.get("message") or "", language=None)
        return
    results = status.get("results") or []
    loaded = sum(1 for r in results if not r["fatal"] and not r["already_loaded"])
    if loaded:
        st.success(t("unggah.done", n=fmt.num(loaded)))
    else:
        st.info(t("unggah.done_nothing_new"))
    rows = []
    for f, r in zip(job["files"], results):
        rows.append({
            "file": f["name"], "read": r["rows_read"], "staged": r["rows_staged"],
            "rejected": r["rows_rejected"], "reasons": _reasons(r["rejected_by_reason"]),
            "status": (t("unggah.status_fatal", error=r["error"]) if r["fatal"]
                       else t("unggah.status_already") if r["already_loaded"]
                       else t("unggah.status_loaded"))})
    table = pd.DataFrame(rows)
    table = fmt.frame(table, {"read": "int", "staged": "int", "rejected": "int"})
    grid(table.rename(columns={c: t(f"unggah.col_{c}") for c in table.columns}),
         key="unggah.accounting")
    for f, r in zip(job["files"], results):
        if r["fatal"]:
            st.error(t("unggah.fatal", file=markdown_text(f["name"]),
                       error=markdown_text(r["error"])))
        elif r["rows_rejected"]:
            st.download_button(
                t("unggah.download_rejects", file=f["name"], n=fmt.num(r["rows_rejected"])),
                data=_rejects_file(repo.path, job["source"], r["file_sha256"]),
                file_name=f"ditolak_{Path(f['name']).stem}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"unggah.rejects.{run_id}.{r['file_sha256']}", icon=":material/download:")
    if any(r["rows_rejected"] for r in results):
        st.caption(t("unggah.rejects_note"))


def _rejects_file(warehouse: Path, source: str, sha256: str) -> bytes:
    cache = st.session_state.setdefault("unggah.rejects_cache", {})
    if sha256 not in cache:
        cache.clear()  # one upload's files at a time
        cache[sha256] = uploads.rejects_xlsx(warehouse, source, sha256)
    return cache[sha256]


def _log(settings: uploads.UploadSettings, principal) -> None:
    everyone = principal.role == "provinsi"
    entries = uploads.read_log(settings, email=None if everyone else principal.email)
    st.subheader(t("unggah.log_title"))
    st.caption(t("unggah.log_note_all") if everyone else t("unggah.log_note_own"))
    if not entries:
        st.caption(t("unggah.log_empty"))
        return
    rows = [{
        "at": str(e.get("at") or "").replace("T", " ")[:16],
        "email": e.get("email") or t("unggah.local_user"), "file": e.get("file_name"),
        "source": e.get("source"), "size": _size(e.get("size") or 0),
        "read": e.get("rows_read"), "staged": e.get("rows_staged"),
        "rejected": e.get("rows_rejected"), "exit": e.get("exit"),
        "outcome": t(f"unggah.outcome_{e.get('outcome', 'failed')}"),
        "sha256": (e.get("sha256") or "")[:12]} for e in entries]
    table = pd.DataFrame(rows)
    if not everyone:
        table = table.drop(columns=["email"])
    grid(table.rename(columns={c: t(f"unggah.col_{c}") for c in table.columns}),
         key="unggah.log")


def _size(n_bytes: int) -> str:
    return (fmt.num(n_bytes / 2**20, 1) + " MB" if n_bytes >= 2**20
            else fmt.num(max(n_bytes / 1024, 0.1), 1) + " KB")
