"""Uploads through the dashboard (dashboard/uploads.py, dashboard/upload_worker.py, the
"unggah" page): the background load of a messy posyandu file with its accounting, the rejected
rows as XLSX in the file's own layout, refusals (size, kind, outside the operator's kab/kota,
a load already running), the upload log, and a second session seeing the new numbers."""

from __future__ import annotations

import io
import json
import stat
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import uploads
from dashboard.auth import LOCAL, Principal
from dashboard.repository import Repository
from pipelines.config import load_config
from pipelines.warehouse import connect_readonly, lock
from tests.pipelines.ingest.conftest import row, write_csv

TODAY = date(2026, 1, 15)
FORMULA = '=HYPERLINK("http://example.invalid","klik")'
OPERATOR_JEMBER = Principal(email="op.jember@example.go.id", role="operator", wilayah="35.09",
                            name="Operator Jember")
OPERATOR_MALANG = Principal(email="op.malang@example.go.id", role="operator", wilayah="35.07",
                            name="Operator Malang")


def messy_rows() -> list[list[str]]:
    """Two good rows (Jember), then one row per problem, one duplicate."""
    return [row(1), row(2, Tgl_Lahir="2024-03-01"),
            row(3, JK="X"),
            row(4, Berat="83..9", Posyandu=FORMULA),
            row(5, Kec="Antah Berantah"),
            row(6, Tanggal_Pengukuran="kemarin"),
            row(1)]


@pytest.fixture
def wh(tmp_path) -> Path:
    return tmp_path / "data" / "warehouse.duckdb"


@pytest.fixture
def settings(wh) -> uploads.UploadSettings:
    return uploads.upload_settings(wh)


def upload(wh, settings, principal, *paths, source="posyandu"):
    run_id = uploads.start_upload(wh, principal, source,
                                  [(p.name, p.read_bytes()) for p in paths], settings,
                                  today=TODAY, wait=True)
    return run_id, uploads.read_status(settings, run_id)


def test_settings_default_beside_the_warehouse(wh):
    s = uploads.upload_settings(wh)
    assert s.folder == wh.resolve().with_name("warehouse.uploads")
    assert s.max_file_mb == 200  # config/tumbuh.toml's [uploads] max_file_mb


def test_settings_from_the_config_file(wh, tmp_path):
    """[uploads] folder relative to the config file's folder (absolute as given), max_file_mb."""
    path = tmp_path / "cfg" / "tumbuh.toml"
    path.parent.mkdir()
    path.write_text('[uploads]\nfolder = "up"\nmax_file_mb = 5\n')
    s = uploads.upload_settings(wh, load_config(path))
    assert (s.folder, s.max_file_mb, s.max_bytes) == (tmp_path / "cfg" / "up", 5, 5 * 2**20)
    path.write_text(f'[uploads]\nfolder = "{tmp_path / "abs"}"\n')
    assert uploads.upload_settings(wh, load_config(path)).folder == tmp_path / "abs"
    path.write_text('[uploads]\nfolder = ""\n')  # "": the default, beside the warehouse
    assert uploads.upload_settings(wh, load_config(path)).folder == wh.resolve().with_name(
        "warehouse.uploads")


def test_refusals_size_extension_kind_empty(settings):
    small = uploads.UploadSettings(folder=settings.folder, max_file_mb=1)
    refusals = uploads.check_files(
        [("ok.csv", 10), ("big.xlsx", 2 * 2**20), ("virus.exe", 10), ("kosong.csv", 0),
         ("noext", 5)], "posyandu", small)
    assert [(r.file, r.key) for r in refusals] == [
        ("big.xlsx", "refuse_size"), ("virus.exe", "refuse_extension"),
        ("kosong.csv", "refuse_empty"), ("noext", "refuse_extension")]
    assert refusals[0].values == {"mb": "2.0", "max": 1}
    assert [r.key for r in uploads.check_files([("a.csv", 1)], "kader", settings)] == [
        "refuse_kind"]
    assert uploads.check_files([("a.CSV", 1), ("b.xls", 1), ("c.htm", 1)], "spm",
                               settings) == []


def test_background_load_accounting_rejects_xlsx_and_log(tmp_path, wh, settings):
    path = write_csv(tmp_path / "posyandu jember 2025-11.csv", messy_rows())
    run_id, status = upload(wh, settings, OPERATOR_JEMBER, path)
    assert status["state"] == "done" and status["exit"] == 0 and status["outcome"] == "ok"
    [result] = status["results"]
    assert (result["rows_read"], result["rows_staged"], result["rows_rejected"]) == (7, 2, 5)
    assert result["rejected_by_reason"] == {"sex": 1, "bad_number": 1, "kecamatan": 1,
                                            "measurement_date": 1, "duplicate": 1}
    # the uploaded file (names, NIKs) is gone; the run folder and the log are private
    run = settings.folder / run_id
    assert not (run / "files").exists()
    assert stat.S_IMODE(settings.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.log.stat().st_mode) == 0o600
    with connect_readonly(wh) as con:
        assert con.execute("SELECT count(*) FROM stg_pengukuran").fetchone()[0] == 2

    # rejected rows in the file's own layout, reason and message, inert cells
    xlsx = uploads.rejects_xlsx(wh, "posyandu", result["file_sha256"])
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "baris" and header[-3:] == ("kolom", "reason", "message")
    for column in ("JK", "Tgl Lahir", "Kab/Kota", "Kec", "Desa/Kel", "Posyandu",
                   "Tanggal Pengukuran", "Berat", "Tinggi"):
        assert column in header
    assert not {"NIK", "Nama", "Nama Ortu", "Alamat"} & set(header)  # never kept
    body = [dict(zip(header, r)) for r in rows[1:]]
    assert [r["reason"] for r in body] == ["sex", "bad_number", "kecamatan", "measurement_date",
                                           "duplicate"]
    assert [r["baris"] for r in body] == [6, 7, 8, 9, 10]  # header on line 3
    bad = body[1]
    assert bad["Berat"] == "83..9" and bad["message"] == "Berat '83..9' is not a number"
    assert bad["Posyandu"] == "'" + FORMULA  # written inert: text, not a formula
    assert body[0]["JK"] == "X" and body[2]["Kec"] == "Antah Berantah"
    assert all(cell.data_type != "f" for r in ws.iter_rows() for cell in r)

    [entry] = uploads.read_log(settings)
    assert entry["email"] == OPERATOR_JEMBER.email and entry["source"] == "posyandu"
    assert entry["file_name"] == path.name and entry["size"] == path.stat().st_size
    assert entry["sha256"] == result["file_sha256"] and entry["exit"] == 0
    assert (entry["rows_read"], entry["rows_staged"], entry["rows_rejected"]) == (7, 2, 5)
    assert entry["rejected_by_reason"]["duplicate"] == 1

    # the same file again: already loaded, nothing new, logged again
    _, again = upload(wh, settings, OPERATOR_JEMBER, path)
    assert again["exit"] == 0 and again["results"][0]["already_loaded"] is True
    assert len(uploads.read_log(settings)) == 2
    assert uploads.read_log(settings, email="someone@else") == []


def test_operator_outside_its_kabkota_is_refused(tmp_path, wh, settings):
    first = write_csv(tmp_path / "a.csv", [row(1)])
    upload(wh, settings, OPERATOR_JEMBER, first)
    before = wh.read_bytes()
    jember = write_csv(tmp_path / "jember.csv", [row(2), row(3)])
    run_id, status = upload(wh, settings, OPERATOR_MALANG, jember)
    assert status["exit"] == 3 and status["outcome"] == "outside"
    assert status["outside"] == {"jember.csv": ["35.09"]}
    assert status["results"] == []
    assert wh.read_bytes() == before  # nothing published, nothing lost
    with connect_readonly(wh) as con:
        assert con.execute("SELECT count(*) FROM stg_pengukuran").fetchone()[0] == 1
    entry = uploads.read_log(settings)[0]
    assert entry["outcome"] == "outside" and entry["exit"] == 3
    assert entry["email"] == OPERATOR_MALANG.email
    assert not (settings.folder / run_id / "files").exists()
    # the province may load any kab/kota
    _, status = upload(wh, settings, LOCAL, jember)
    assert status["exit"] == 0 and status["results"][0]["rows_staged"] == 2


def test_refused_while_the_warehouse_is_loading(tmp_path, wh, settings):
    path = write_csv(tmp_path / "a.csv", [row(1)])
    wh.parent.mkdir(parents=True)
    with lock(wh.resolve()):
        assert uploads.warehouse_busy(wh)
        with pytest.raises(uploads.UploadBusy):
            uploads.start_upload(wh, LOCAL, "posyandu", [(path.name, path.read_bytes())],
                                 settings)
    assert not wh.exists() and not settings.folder.exists()  # nothing saved
    assert not uploads.warehouse_busy(wh)


def test_a_second_session_sees_the_upload(tmp_path, wh, settings):
    upload(wh, settings, LOCAL, write_csv(tmp_path / "a.csv", [row(1)]))
    sql = "SELECT sum(rows_staged) AS n FROM load_files"
    first, second = Repository(wh), Repository(wh)  # two sessions, one process cache
    assert first.query(sql)["n"][0] == 1 and second.query(sql)["n"][0] == 1
    upload(wh, settings, LOCAL, write_csv(tmp_path / "b.csv", [row(2), row(3)]))
    assert second.query(sql)["n"][0] == 3 and first.query(sql)["n"][0] == 3


def page_script(warehouse: str) -> None:
    """The uploads page alone under AppTest (sign-in off: LOCAL, a provincial principal)."""
    import streamlit as st

    from dashboard.app import render_page
    from dashboard.repository import Repository

    st.session_state.setdefault("lang", "id")
    render_page("unggah", Repository(warehouse))


def test_page_uploads_shows_progress_then_accounting_and_log(tmp_path, wh):
    at = AppTest.from_function(page_script, args=(str(wh),), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Unggah data"
    assert [s.label for s in at.selectbox] == ["Jenis ekspor"]
    path = write_csv(tmp_path / "posyandu.csv", messy_rows())
    at.file_uploader[0].set_value([(path.name, path.read_bytes(), "text/csv")])
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    deadline = time.monotonic() + 120
    while not at.success and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Selesai: 1 berkas baru dimuat dan diterbitkan."
    accounting = at.dataframe[0].value
    assert accounting.iloc[0]["Berkas"] == "posyandu.csv"
    assert (accounting.iloc[0]["Baris dibaca"], accounting.iloc[0]["Dimuat"],
            accounting.iloc[0]["Ditolak"]) == ("7", "2", "5")
    assert "duplikat: 1" in accounting.iloc[0]["Alasan penolakan"]
    [download] = at.get("download_button")
    assert "5 baris ditolak" in download.proto.label
    log = at.dataframe[1].value
    assert list(log["Berkas"]) == ["posyandu.csv"] and list(log["Hasil"]) == ["selesai"]


def test_page_refuses_a_file_over_the_size_limit(tmp_path, wh, monkeypatch):
    real = uploads.upload_settings
    monkeypatch.setattr(uploads, "upload_settings", lambda w, config=None: uploads.UploadSettings(
        folder=real(w).folder, max_file_mb=1))
    at = AppTest.from_function(page_script, args=(str(wh),), default_timeout=60).run()
    big = b"x" * (2 * 2**20)
    at.file_uploader[0].set_value([("besar.csv", big, "text/csv")])
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "besar.csv: 2,0 MB" in at.error[0].value or "besar.csv: 2.0 MB" in at.error[0].value
    assert "Tidak ada yang dimuat" in at.info[0].value
    assert not wh.exists()


def test_log_lines_are_json(tmp_path):
    log = tmp_path / "u" / "log.jsonl"
    uploads.append_log(log, [{"a": 1}, {"b": "ü"}])
    assert [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] == [
        {"a": 1}, {"b": "ü"}]


def test_a_worker_that_died_is_reported_not_polled_forever(settings):
    run = settings.folder / "20260101T000000_abcdef"
    run.mkdir(parents=True)
    dead = __import__("subprocess").Popen(["true"])
    dead.wait()
    uploads._write_json(run / "status.json", {"state": "running", "n_files": 1, "results": [],
                                              "pid": dead.pid})
    status = uploads.read_status(settings, run.name)
    assert status["state"] == "done" and status["outcome"] == "failed" and status["exit"] == 3
