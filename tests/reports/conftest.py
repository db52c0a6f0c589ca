"""Fixtures of the report tests: the dashboard's fixture warehouse (built once per session for
both folders), and the PDF read back the way a person gets it: its text by pdftotext, its pages
as PNG by pdftoppm (Debian's poppler-utils, installed by `make pdftools`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# the dashboard tests' fixtures: the same warehouse, built once per session (session_fixture_dir),
# and the spy on every frame the repository hands out, with its scope
from tests.dashboard.conftest import fixture_dir, repo, warehouse, wh_con  # noqa: F401
from tests.dashboard.test_scope import spy  # noqa: F401


def pdf_text(data: bytes, tmp_path: Path, layout: bool = False) -> str:
    """The PDF's text as pdftotext reads it, white space folded to single spaces: in reading
    order (a table column by column), or with `layout` line by line as printed (a table row by
    row, but blocks side by side interleaved)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []),
                          str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", out)


def pdf_pages(data: bytes, tmp_path: Path, dpi: int = 50) -> list[Path]:
    """The PDF's pages as PNG files (pdftoppm), in order."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")],
                   check=True)
    return sorted(tmp_path.glob("page-*.png"))
