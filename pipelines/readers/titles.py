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
    rf"|(?P<txt_d>\d{{1,2}})(?:\s+|\s*[-/]\s*)(?P<txt_m>{_MONTH_ALTERNATION})\.?(?:\s+|\s*[-/]\s*)"
    r"(?P<txt_y>\d{4})"
    r")(?!\d)",
    re.IGNORECASE,
)

# Title lines that announce when the data was taken out of the system rank first, then any line
# naming a date; a line holding a period (two dates, "s/d", "Periode", a filter) never gives the
# extraction date: its dates bound the measurements, they do not say when the file was made.
_EXTRACTION_WORDS = ("unduh", "download", "ekstrak", "extract", "cetak", "print", "tarik",
                     "data per", "per tanggal", "data tanggal")
_DATE_WORDS = ("tanggal", "tgl")
_PERIOD_WORDS = ("s/d", "s.d.", "sampai", "hingga", "periode", "filter", "rentang")


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
    """The date on the first title line that says the data was extracted, downloaded or printed
    ("Tanggal Unduh", "Data per", "Dicetak"), else on the first line naming a date ("Tanggal",
    "Tgl"), else the first date of any other line; lines holding a period are skipped. None when
    no line qualifies (the caller then compares with today)."""
    best: tuple[int, datetime.date] | None = None
    for line in title_lines:
        dates = _dates_in(line)
        lowered = line.lower()
        if not dates or len(dates) > 1 or any(w in lowered for w in _PERIOD_WORDS):
            continue
        if any(w in lowered for w in _EXTRACTION_WORDS):
            return dates[0]
        rank = 1 if any(w in lowered for w in _DATE_WORDS) else 2
        if best is None or rank < best[0]:
            best = (rank, dates[0])
    return best[1] if best else None
