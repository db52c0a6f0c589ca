"""Measurement coverage beside a prevalence: "cakupan pengukuran 63,0 % (sumber: PKK Dasa
Wisma)", from the coverage columns every prevalence frame of the query layer carries
(q.stunting.COVERAGE_COLUMNS; docs/marts_stunting.md, mart_cakupan_pengukuran). Plain text: a
caller putting it into HTML or markdown escapes it there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard import fmt
from dashboard.i18n import t

SOURCES = ("referensi", "pkk_dasawisma")


def _get(row: Mapping[str, Any] | pd.Series, key: str) -> Any:
    value = row.get(key) if hasattr(row, "get") else None
    return None if fmt._missing(value) else value


def source_label(source: Any) -> str:
    """The denominator's source in words; "tidak ada sasaran" where there is none."""
    if fmt._missing(source) or source not in SOURCES:
        return t("cakupan.no_source")
    return t(f"cakupan.source_{source}")


def text(row: Mapping[str, Any] | pd.Series) -> str:
    """One unit's coverage in words, for beside its prevalence."""
    source = _get(row, "coverage_source")
    if source is None:
        return t("cakupan.none")
    pct = _get(row, "pct_coverage")
    if pct is None:  # the children count is hidden (or the sasaran is 0)
        return t("cakupan.hidden", source=source_label(source))
    key = "cakupan.value_over_100" if bool(_get(row, "coverage_over_100")) else "cakupan.value"
    return t(key, pct=fmt.pct(pct), source=source_label(source))


def over_100(df: pd.DataFrame) -> int:
    """How many rows have a coverage above 100 % (flagged, kept)."""
    if "coverage_over_100" not in df:
        return 0
    return int(df["coverage_over_100"].fillna(False).astype(bool).sum())
