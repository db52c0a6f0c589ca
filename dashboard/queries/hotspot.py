"""Spatial clusters of the smoothed kecamatan stunting prevalence: the local statistics
(mart_hotspot, one row per kecamatan and period) and the global Moran's I (mart_moran, one row
per period)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.queries._base import run, table
from dashboard.queries.build import has
from dashboard.queries.stunting import PERIOD_TYPE_ORDER
from dashboard.repository import Repository


def period_types(repo: Repository) -> list[str]:
    if not has(repo, "mart_moran"):
        return []
    df = run(repo, "SELECT DISTINCT period_type FROM mart_moran")
    return sorted(df["period_type"], key=lambda p: PERIOD_TYPE_ORDER.get(p, 9))


def periods(repo: Repository, period_type: str = "bulan") -> list[str]:
    """Periods of a period type, newest first."""
    if not has(repo, "mart_moran"):
        return []
    df = run(repo, "SELECT DISTINCT period FROM mart_moran WHERE period_type = ? "
                   "ORDER BY period DESC", [period_type])
    return [str(p) for p in df["period"]]


def local(repo: Repository, period_type: str, period: str,
          kode_kabkota: str | None = None) -> pd.DataFrame:
    """One period's kecamatan rows, by kode. With `kode_kabkota`: that kab/kota's kecamatan plus
    the kecamatan of other kab/kota that neighbour one of them in the same cluster (a cluster
    crossing its border; `border_kabkota` lists the kab/kota such a neighbour lies in)."""
    where = "period_type = ? AND period = ?"
    params: list[Any] = [period_type, period]
    if kode_kabkota:
        where += (" AND (kode_kabkota = ? OR list_contains("
                  "string_split(coalesce(border_kabkota, ''), ','), ?))")
        params += [kode_kabkota, kode_kabkota]
    return table(repo, "mart_hotspot", where, params, order_by="kode")


def moran(repo: Repository, period_type: str, period: str) -> dict[str, Any] | None:
    """The period's row of mart_moran (global Moran's I and the cluster counts), or None."""
    if not has(repo, "mart_moran"):
        return None
    df = table(repo, "mart_moran", "period_type = ? AND period = ?", [period_type, period])
    return None if df.empty else df.iloc[0].to_dict()
