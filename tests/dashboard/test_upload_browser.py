"""The uploads page in headless chromium: the app as `tumbuh serve` runs it (sign-in off, so the
visitor is the province) on a new, empty warehouse; a messy posyandu CSV given to the page's file
input, "Unggah dan muat" clicked, the progress shown, then the accounting, the rejects download and
the log. Screenshot: data/screenshots/unggah_done.png."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from dashboard.serve import command
from pipelines.config import PROJECT_ROOT
from tests.dashboard.cdp import Browser, chromium_binary
from tests.dashboard.test_browser import ERROR_MARKERS, free_port, wait_healthy
from tests.dashboard.test_uploads import messy_rows
from tests.pipelines.ingest.conftest import write_csv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (make browser)"),
]
SCREENSHOTS = PROJECT_ROOT / "data" / "screenshots"


def text_of(browser: Browser) -> str:
    return str(browser.evaluate("document.body.innerText"))


def wait_for(browser: Browser, needle: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while needle not in text_of(browser):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{needle!r} not shown: {text_of(browser)[-2000:]}")
        time.sleep(0.5)


def test_upload_in_chromium(tmp_path):
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    csv = write_csv(tmp_path / "posyandu_jember.csv", messy_rows())
    port = free_port()
    log_path = tmp_path / "streamlit.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command(port, warehouse), stdout=log, stderr=subprocess.STDOUT,
                                cwd=PROJECT_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        browser = None
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc, log_path)
            browser = Browser()
            browser.open(f"{url}/unggah")
            assert "Unggah data" in text_of(browser)
            assert "Gudang data belum ada" in text_of(browser)  # no warehouse yet: the page shows
            browser.call("DOM.enable")
            root = browser.call("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            node = browser.call("DOM.querySelector", {
                "nodeId": root, "selector": "input[type=file]"})["nodeId"]
            browser.call("DOM.setFileInputFiles", {"nodeId": node, "files": [str(csv)]})
            wait_for(browser, "posyandu_jember.csv", 30)  # the uploader lists the file
            time.sleep(1.0)
            clicked = browser.evaluate(
                "(() => { const b = [...document.querySelectorAll('button')]"
                ".find(b => b.innerText.includes('Unggah dan muat')); if (b) b.click(); "
                "return !!b; })()")
            assert clicked
            wait_for(browser, "Selesai: 1 berkas baru dimuat")
            time.sleep(2.0)
            dom = browser.dom()
            browser.screenshot(SCREENSHOTS / "unggah_done.png")
            for marker in ERROR_MARKERS:
                assert marker not in dom, "error element on the page"
            text = text_of(browser)
            assert "Unduh 5 baris ditolak dari posyandu_jember.csv (XLSX)" in text
            assert "Catatan unggahan" in text
            assert warehouse.exists()
        finally:
            if browser is not None:
                browser.close()
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
