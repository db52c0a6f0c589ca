"""Loader for the WHO 2006 z-score SELECT template (`zscore.sql`)."""

from __future__ import annotations

import importlib.resources
from functools import cache

_PLACEHOLDER = "{source}"

# Columns the template appends to its input (input columns with these names are replaced).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "clen",
    "c9mo_flag",
    "zlen",
    "zwei",
    "zwfl",
    "zbmi",
    "flen",
    "fwei",
    "fwfl",
    "fbmi",
    "kat_tbu",
    "kat_bbu",
    "kat_bbtb",
    "kat_imtu",
)


@cache
def _template() -> str:
    text = (importlib.resources.files("pipelines.who") / "zscore.sql").read_text("utf-8")
    if text.count(_PLACEHOLDER) != 1:
        raise RuntimeError(f"zscore.sql must contain {_PLACEHOLDER} exactly once")
    return text


def zscore_select(source: str) -> str:
    """SQL SELECT adding WHO z-scores, flags and categories to the rows of `source`.

    `source` is a table/view name or a parenthesised subquery with the columns sex (1/2),
    age_days, weight_kg, lenhei_cm, measure ('l'/'h'/NULL). The connection must have the
    tables of `pipelines.who.tables.install_who_tables`. Row order is not guaranteed: order by
    a key of the input if it matters.
    """
    return _template().replace(_PLACEHOLDER, source)
