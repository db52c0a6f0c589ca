"""End to end in a real browser: start `streamlit run` (the command `tumbuh serve` runs) against
the fixture warehouse, open every page in headless Debian chromium, find no error element, save a
screenshot per page to data/screenshots/, and drill into a kab/kota by clicking the map.

The same checks run against any other warehouse (a demo at full scale, say) with
TUMBUH_BROWSER_WAREHOUSE=path; its screenshots then go to data/screenshots/<warehouse folder>/."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.app import PAGES
from dashboard.serve import command
from pipelines.config import PROJECT_ROOT
from tests.dashboard.cdp import Browser, chromium_binary

OTHER_WAREHOUSE = os.environ.get("TUMBUH_BROWSER_WAREHOUSE")
SCREENSHOTS = PROJECT_ROOT / "data" / "screenshots"
if OTHER_WAREHOUSE:
    SCREENSHOTS = SCREENSHOTS / Path(OTHER_WAREHOUSE).resolve().parent.name
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (make browser)"),
]
ERROR_MARKERS = ('data-testid="stException"', 'data-testid="stAlertContentError"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(warehouse: Path, tmp_path_factory) -> Iterator[str]:
    """`streamlit run dashboard/app.py -- --warehouse ...` on a free port, as `tumbuh serve`."""
    if OTHER_WAREHOUSE:
        warehouse = Path(OTHER_WAREHOUSE).resolve()
    port = free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command(port, warehouse), stdout=log, stderr=subprocess.STDOUT,
                                cwd=PROJECT_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, log_path)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"streamlit did not start: {log_path.read_text()}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


def page_url(base: str, name: str) -> str:
    return base + "/" if name == PAGES[0][0] else f"{base}/{name}"


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
def test_every_page_in_chromium(server, browser, name):
    seconds = browser.open(page_url(server, name))
    dom = browser.dom()
    browser.screenshot(SCREENSHOTS / f"{name}.png")
    for marker in ERROR_MARKERS:
        assert marker not in dom, f"{name}: error element on the page"
    assert 'data-testid="stHeading"' in dom or "<h1" in dom
    assert 'data-testid="stCaptionContainer"' in dom  # the data caption
    assert "nik" not in re.sub(r"<[^>]+>", " ", dom).lower().split()
    print(f"{name}: drawn in {seconds:.2f} s")


def test_maps_are_drawn_without_tiles(server, browser):
    browser.open(page_url(server, "ringkasan"))
    n = browser.evaluate(
        "(() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd && gd._fullData ? gd._fullData.filter(t => t.type === 'choroplethmap')"
        ".reduce((s, t) => s + t.locations.length, 0) : -1; })()")
    assert n == 38
    canvas = browser.evaluate("document.querySelectorAll('.js-plotly-plot canvas').length")
    assert canvas >= 1


def test_click_on_the_map_drills_into_the_kecamatan(server, browser):
    """Click Kabupaten Malang (35.07) on the Peta map: the page switches to its kecamatan."""
    browser.open(page_url(server, "peta"))
    point = browser.evaluate(
        "(() => { const gd = document.querySelector('.js-plotly-plot');"
        " const m = gd._fullLayout.map._subplot.map; const p = m.project([112.62, -8.2]);"
        " const r = m.getCanvas().getBoundingClientRect();"
        " return JSON.stringify({x: r.left + p.x, y: r.top + p.y}); })()")
    xy = json.loads(point)
    browser.call("Runtime.evaluate", {"expression": "window.scrollTo(0, 0)"})
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", {"type": kind, "x": xy["x"], "y": xy["y"],
                                                  "button": "left", "clickCount": 1})
    deadline = time.monotonic() + 30
    drilled = False
    while time.monotonic() < deadline and not drilled:
        time.sleep(0.5)
        drilled = bool(browser.evaluate(
            "[...document.querySelectorAll('h3')].some(h => h.textContent.includes('Kecamatan'))"
            " && document.body.innerText.includes('Kabupaten Malang')"))
    browser.screenshot(SCREENSHOTS / "peta_drill.png")
    assert drilled, "clicking Kabupaten Malang did not open its kecamatan"
    locations = browser.evaluate(
        "(() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd._fullData.flatMap(t => Array.from(t.locations || [])); })()")
    assert locations and all(loc.startswith("35.07.") for loc in locations)


def test_pydeck_renderer(server, browser):
    """The pydeck view draws the same map with deck.gl (no basemap style)."""
    browser.open(page_url(server, "peta"))
    clicked = browser.evaluate(
        "(() => { const l = [...document.querySelectorAll('label')]"
        ".find(e => e.textContent.trim() === 'pydeck'); if (l) l.click(); return !!l; })()")
    assert clicked
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not browser.evaluate(
            "!!document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')"):
        time.sleep(0.5)
    time.sleep(2)
    browser.screenshot(SCREENSHOTS / "peta_pydeck.png")
    dom = browser.dom()
    assert 'data-testid="stDeckGlJsonChart"' in dom
    for marker in ERROR_MARKERS:
        assert marker not in dom
