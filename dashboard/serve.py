"""`tumbuh serve`: start the Streamlit dashboard on the published warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def command(port: int, warehouse: Path) -> list[str]:
    """The streamlit command line (also used by the browser test)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(int(port)), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--", "--warehouse", str(Path(warehouse).resolve()),
    ]


def main(port: int, warehouse: Path) -> int:
    """Run the dashboard in the foreground until interrupted; returns streamlit's exit code."""
    warehouse = Path(warehouse)
    if not warehouse.exists():
        print(f"tumbuh serve: no warehouse at {warehouse} yet; the dashboard will say so "
              "until `tumbuh ingest` publishes one.", file=sys.stderr)
    print(f"tumbuh dashboard: http://localhost:{port}  (warehouse {warehouse})", file=sys.stderr)
    try:
        return subprocess.call(command(port, warehouse))
    except KeyboardInterrupt:
        return 0
