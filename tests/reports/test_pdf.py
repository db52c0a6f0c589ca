"""Typesetting: every value reaches Typst as a JSON string and is printed as the text it is, so
a name holding Typst markup (or anything else) cannot change the document; the fonts are the
ones shipped with matplotlib, embedded, whatever the machine has installed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from dashboard import signif
from dashboard.i18n import strings
from dashboard.repository import Repository
from reports import Period, kabkota
from reports.cli import PERIOD_TYPES
from reports.pdf import FONTS, render
from tests.reports.conftest import pdf_text

MARKUP = ('#set page(paper: "a5") #import "common.typ": * *fett* _miring_ $x^2$ <lbl> @lbl '
          '#read("/etc/passwd") ] ) } // bukan komentar')


def test_values_are_printed_never_read_as_markup(warehouse, tmp_path):
    content, figures = kabkota.build(Repository(warehouse), "35.09", Period("bulan", "2025-12"))
    content["title"] = MARKUP
    content["trend"]["table"]["rows"][0][0] = MARKUP
    data = render("kabkota", content, figures)
    text = "".join(pdf_text(data, tmp_path).split())  # a table cell wraps the long value
    assert text.count("".join(MARKUP.split())) == 2
    info = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert "A4" in info and "Pages: 2" in info.replace("  ", "")  # a5 was not set


def test_fonts_are_embedded_dejavu(warehouse, tmp_path):
    content, figures = kabkota.build(Repository(warehouse), "35.01", Period("tahun", "2025"))
    path = tmp_path / "r.pdf"
    path.write_bytes(render("kabkota", content, figures))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all("DejaVuSans" in line and " yes yes " in line for line in fonts)
    assert (FONTS / "DejaVuSans.ttf").is_file()


def test_every_report_string_is_in_the_indonesian_locale():
    source = "\n".join(p.read_text() for p in Path("reports").rglob("*.py"))
    used = set(re.findall(r"\bt\(\s*['\"]([a-z_]+\.[a-z_0-9]+)['\"]", source))
    used |= {f"laporan.short_{c}" for c in signif.CODES}
    used |= {f"laporan.pt_{p}" for p in PERIOD_TYPES}
    used |= {f"laporan.series_{s}" for s in ("kab", "peers", "prov")}
    assert len(used) > 50
    assert sorted(k for k in used if k not in strings("id")) == []
