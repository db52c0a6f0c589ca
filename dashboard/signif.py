"""The two significance classes of mart_prevalensi as the pages word them.

The mart stores stable codes (`atas_998`, `atas_95`, `dalam`, `bawah_95`, `bawah_998`); the
labels live in the locale files: `signif.*` for the exact comparison with the parent's average
("berbeda dari rata-rata provinsi") and `signif_adj.*` for the comparison with the normal
variation between units ("di luar variasi wajar antar kab/kota"). docs/marts_stunting.md gives
the methods."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import fmt
from dashboard.i18n import t

CODES = ("atas_998", "atas_95", "dalam", "bawah_95", "bawah_998")
ABOVE = ("atas_998", "atas_95")
COLOURS = {
    "atas_998": "#b2182b",
    "atas_95": "#ef8a62",
    "dalam": "#f7f7f7",
    "bawah_95": "#67a9cf",
    "bawah_998": "#2166ac",
}


def label(code: Any, adjusted: bool = False) -> str:
    """The label of a class code; "–" for none (a suppressed or uncompared unit)."""
    if fmt._missing(code) or code not in COLOURS:
        return fmt.MISSING
    return t(f"{'signif_adj' if adjusted else 'signif'}.{code}")


def palette() -> dict[str, str]:
    """Colour by label, both label sets, in the current language (for maps and legends)."""
    out = {}
    for adjusted in (False, True):
        out |= {label(code, adjusted): colour for code, colour in COLOURS.items()}
    return out


def dispersion_text(row: pd.Series | dict) -> str:
    """How much of the variation between kab/kota is beyond chance, for the comparison page and
    the profile (row: a kab/kota row of mart_prevalensi)."""
    phi = row.get("phi")
    if fmt._missing(phi):
        return t("perbandingan.dispersion_na")
    if fmt._missing(row.get("tau_pts")):
        return t("perbandingan.dispersion_none", phi=fmt.num(phi, 2),
                 limit=fmt.num(row.get("phi_limit"), 2))
    return t("perbandingan.dispersion", phi=fmt.num(phi, 1), limit=fmt.num(row.get("phi_limit"), 2),
             pct=fmt.num(row.get("pct_beyond_chance"), 0), tau=fmt.num(row.get("tau_pts"), 1))
