"""Workbook cell values to text, the same way for openpyxl, xlrd and HTML cells."""

from __future__ import annotations

import datetime
import math

from pipelines.readers.spec import CELL_WHITESPACE


def _datetime_text(value: datetime.datetime) -> str:
    # Excel stores times as fractions of a day; round away float noise to the second.
    value = (value + datetime.timedelta(microseconds=500_000)).replace(microsecond=0)
    if value.time() == datetime.time(0, 0):
        return value.date().isoformat()
    return value.strftime("%Y-%m-%d %H:%M:%S")


def cell_text(value: object) -> str | None:
    """Text of one cell: None/blank -> None; integral floats lose their ".0" (a NIK stored as a
    number stays 16 digits); dates -> ISO. Excel serial dates stored as plain numbers stay
    numbers: the staging SQL decides what they mean."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip(CELL_WHITESPACE) or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return _datetime_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.replace(microsecond=0).isoformat()
    return str(value).strip(CELL_WHITESPACE) or None
