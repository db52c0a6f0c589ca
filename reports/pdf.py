"""Typeset a report with Typst (the `typst` package: the compiler in a binary wheel, no network,
no system libraries; docs/decisions.md D34). The template is a file of reports/templates/; the
content goes in as JSON and the figures as SVG text through sys.inputs, so no value is ever read
as Typst markup. Fonts: the DejaVu Sans files matplotlib ships, and no system font, so a report
looks the same on every machine."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
import typst

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render(template: str, content: dict[str, Any], figures: dict[str, bytes]) -> bytes:
    """The PDF of `template` (kabkota, provinsi) with `content` and `figures` (SVG by name)."""
    inputs = {"content": json.dumps(content, ensure_ascii=False, allow_nan=False)}
    inputs |= {f"img-{name}": svg.decode("utf-8") for name, svg in figures.items() if svg}
    return typst.compile(TEMPLATES / f"{template}.typ", root=TEMPLATES,
                         font_paths=[str(FONTS)], ignore_system_fonts=True, sys_inputs=inputs,
                         timestamp=datetime.now(UTC).replace(microsecond=0))
