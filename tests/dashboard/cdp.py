"""A minimal Chrome DevTools Protocol driver for the browser test: headless Debian chromium, one
tab, navigate, wait until Streamlit has finished the script run and drawn its elements, then take
the DOM and a screenshot. Uses `websockets` (a dependency of streamlit) instead of a new package;
`--screenshot --virtual-time-budget` does not wait for Streamlit's websocket, so it only shows
the loading skeleton."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from itertools import count
from pathlib import Path

from websockets.sync.client import connect

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--enable-unsafe-swiftshader", "--hide-scrollbars",
    "--remote-debugging-port=0", "--remote-allow-origins=*",
]

# True once the script run is over and the page shows no spinner or skeleton.
READY_JS = """
(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-script-state') === 'running') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"]')) return false;
  return !!document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]');
})()
"""


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, width: int = 1400, height: int = 1000) -> None:
        binary = chromium_binary()
        if binary is None:
            raise RuntimeError("chromium is not installed (make browser)")
        self.profile = tempfile.mkdtemp(prefix="tumbuh-chromium-")
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            tab = next(t for t in json.load(resp) if t["type"] == "page")
        self.width, self.height = width, height
        self.ws = connect(tab["webSocketDebuggerUrl"], max_size=None, open_timeout=10, legacy=True)
        self.ids = count(1)
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def open(self, url: str, timeout: float = 60, settle: float = 1.5) -> float:
        """Navigate and wait until the page is drawn; returns the seconds it took."""
        start = time.monotonic()
        self.call("Page.navigate", {"url": url})
        time.sleep(0.5)
        ready_since = None
        while time.monotonic() - start < timeout:
            if self.evaluate(READY_JS):
                ready_since = ready_since or time.monotonic()
                if time.monotonic() - ready_since >= settle:  # charts draw after the run ends
                    return ready_since - start
            else:
                ready_since = None
            time.sleep(0.25)
        raise TimeoutError(f"{url} did not finish rendering in {timeout} s")

    def dom(self) -> str:
        return str(self.evaluate("document.documentElement.outerHTML"))

    def screenshot(self, path: Path, max_height: int = 5000) -> None:
        """The whole page: Streamlit scrolls inside its main block (100vh high), so the window is
        made as tall as that block's content for the shot, then set back."""
        height = self.evaluate(
            "(document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
        tall = max(self.height, min(int(height or self.height), max_height))
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": tall, "deviceScaleFactor": 1, "mobile": False})
        time.sleep(1.0)  # let charts re-layout to the taller window
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
