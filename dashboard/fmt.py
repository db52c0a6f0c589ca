"""Number, percent and date formatting for the dashboard: Indonesian first (1.234,5; 12,3 %;
"10 Nov 2025"), English on the English switch. A small formatter instead of Babel, which is not a
dependency of the project."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard.i18n import current_language

MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS_LONG = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
MISSING = "–"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def num(value: Any, decimals: int = 0, lang: str | None = None) -> str:
    """1234.5 -> "1.234,5" (id) or "1,234.5" (en); None/NaN -> "–"."""
    if _missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return MISSING
    text = f"{value:,.{decimals}f}"  # "1,234.5"
    if (lang or current_language()) == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def pct(value: Any, decimals: int = 1, lang: str | None = None) -> str:
    """12.34 (already a percentage) -> "12,3 %" (id) or "12.3%" (en)."""
    if _missing(value):
        return MISSING
    lang = lang or current_language()
    return num(value, decimals, lang) + (" %" if lang == "id" else "%")


def pts(value: Any, decimals: int = 1, lang: str | None = None) -> str:
    """A signed difference in percentage points: "+1,2 poin" / "+1.2 pts"."""
    if _missing(value):
        return MISSING
    lang = lang or current_language()
    sign = "+" if float(value) > 0 else ""
    return f"{sign}{num(value, decimals, lang)} {'poin' if lang == 'id' else 'pts'}"


def interval(lo: Any, hi: Any, decimals: int = 1, lang: str | None = None) -> str:
    """A 95 % interval: "10,2–14,8 %"."""
    if _missing(lo) or _missing(hi):
        return MISSING
    lang = lang or current_language()
    return f"{num(lo, decimals, lang)}–{pct(hi, decimals, lang)}"


def to_date(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def day(value: Any, lang: str | None = None) -> str:
    """2025-11-10 -> "10 Nov 2025" (id: "10 Agu 2025" for August)."""
    d = to_date(value)
    if d is None:
        return MISSING
    return f"{d.day} {MONTHS[lang or current_language()][d.month - 1]} {d.year}"


def period(value: Any, lang: str | None = None) -> str:
    """A mart period label: "2025-08" -> "Agustus 2025", "2025" -> "2025"."""
    if _missing(value):
        return MISSING
    text = str(value)
    if len(text) == 7 and text[4] == "-":
        return f"{MONTHS_LONG[lang or current_language()][int(text[5:]) - 1]} {text[:4]}"
    return text


def frame(df: pd.DataFrame, formats: dict[str, str], lang: str | None = None) -> pd.DataFrame:
    """A display copy of `df` with the named columns formatted as text.

    formats: column -> "int", "num1", "num2", "num3", "pct", "pct2", "pts", "date".
    """
    lang = lang or current_language()
    out = df.copy()
    for column, kind in formats.items():
        if column not in out.columns:
            continue
        fn = {
            "int": lambda v: num(v, 0, lang),
            "num1": lambda v: num(v, 1, lang),
            "num2": lambda v: num(v, 2, lang),
            "num3": lambda v: num(v, 3, lang),
            "pct": lambda v: pct(v, 1, lang),
            "pct2": lambda v: pct(v, 2, lang),
            "pts": lambda v: pts(v, 1, lang),
            "date": lambda v: day(v, lang),
        }[kind]
        out[column] = out[column].map(fn).astype("object")
    return out
