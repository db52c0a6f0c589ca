"""The extraction date stated in the title rows above a header ("Data Tanggal : 2025-12-05")."""

from __future__ import annotations

import datetime
import re

# Indonesian month names and the abbreviations exports use (plus the English ones that differ).
_MONTH_NAMES = [
    ("januari", "jan"),
    ("februari", "pebruari", "feb", "peb"),
    ("maret", "mar"),
    ("april", "apr"),
    ("mei", "may"),
    ("juni", "jun"),
    ("juli", "jul"),
    ("agustus", "agu", "agt", "ags", "aug"),
    ("september", "sep", "sept"),
    ("oktober", "okt", "oct"),
    ("november", "nov", "nop"),
    ("desember", "des", "dec"),
]
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}

_MONTH_ALTERNATION = "|".join(sorted(_MONTHS, key=len, reverse=True))

# One pattern, so that "the first date in a line" is the leftmost whatever its style.
_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<dmy_d>\d{1,2})(?P<sep>[/-])(?P<dmy_m>\d{1,2})(?P=sep)(?P<dmy_y>\d{4})"
    rf"|(?P<txt_d>\d{{1,2}})\s+(?P<txt_m>{_MONTH_ALTERNATION})\.?\s+(?P<txt_y>\d{{4}})"
    r")(?!\d)",
    re.IGNORECASE,
)

# Title lines that announce the data date; any other line is only a fallback.
_DATE_KEYWORDS = ("tanggal", "tgl", "data per", "per tanggal", "diunduh", "download", "extract")


def _dates_in(line: str) -> list[datetime.date]:
    found = []
    for m in _DATE.finditer(line):
        if m["iso_y"]:
            parts = (m["iso_y"], m["iso_m"], m["iso_d"])
        elif m["dmy_y"]:
            parts = (m["dmy_y"], m["dmy_m"], m["dmy_d"])
        else:
            parts = (m["txt_y"], _MONTHS[m["txt_m"].lower()], m["txt_d"])
        try:
            found.append(datetime.date(*(int(p) for p in parts)))
        except ValueError:  # 2025-13-45 is not a date; keep looking
            continue
    return found


def extraction_date(title_lines: list[str]) -> datetime.date | None:
    """First date on a line that names a date ("Tanggal", "Data per", ...), else the first date
    anywhere in the title lines, else None."""
    fallback = None
    for line in title_lines:
        dates = _dates_in(line)
        if not dates:
            continue
        lowered = line.lower()
        if any(k in lowered for k in _DATE_KEYWORDS):
            return dates[0]
        fallback = fallback or dates[0]
    return fallback
