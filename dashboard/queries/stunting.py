"""Stunting prevalence (mart_prevalensi: every level, period type and period) and the survey
reference the provincial figure is shown beside (mart_target_list)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.queries._base import placeholders, run, table
from dashboard.queries.build import has
from dashboard.repository import Repository

PERIOD_TYPE_ORDER = {"bulan": 0, "bulan_timbang": 1, "tahun": 2}


def period_types(repo: Repository) -> list[str]:
    if not has(repo, "mart_prevalensi"):
        return []
    df = run(repo, "SELECT DISTINCT period_type FROM mart_prevalensi")
    return sorted(df["period_type"], key=lambda p: PERIOD_TYPE_ORDER.get(p, 9))


def periods(repo: Repository, period_type: str = "bulan") -> list[str]:
    """Periods present in mart_prevalensi for a period type, newest first."""
    if not has(repo, "mart_prevalensi"):
        return []
    df = run(repo, "SELECT DISTINCT period FROM mart_prevalensi WHERE period_type = ? "
                   "ORDER BY period DESC", [period_type])
    return [str(p) for p in df["period"]]


def prevalensi(repo: Repository, level: str, period_type: str, period: str,
               kode_kabkota: str | None = None) -> pd.DataFrame:
    """One level and period (optionally one kab/kota's units), by kode."""
    where = "level = ? AND period_type = ? AND period = ?"
    params: list[Any] = [level, period_type, period]
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    return table(repo, "mart_prevalensi", where, params, order_by="kode")


def prevalensi_series(repo: Repository, level: str, period_type: str,
                      kodes: Sequence[str] | None = None) -> pd.DataFrame:
    """Every period of one level (optionally some units), oldest first."""
    where = "level = ? AND period_type = ?"
    params: list[Any] = [level, period_type]
    if kodes:
        where += f" AND kode IN ({placeholders(kodes)})"
        params.extend(kodes)
    return table(repo, "mart_prevalensi", where, params, order_by="period, kode")


def prevalensi_span(repo: Repository, level: str, period_type: str, first: str | None,
                    last: str | None, kodes_kabkota: Sequence[str] = ()) -> pd.DataFrame:
    """One level over the periods first..last (optionally within some kab/kota), by kode and
    period: the exploration pivot's rows."""
    where = "level = ? AND period_type = ? AND period BETWEEN ? AND ?"
    params: list[Any] = [level, period_type, first, last]
    if kodes_kabkota:
        where += f" AND kode_kabkota IN ({placeholders(kodes_kabkota)})"
        params.extend(kodes_kabkota)
    return table(repo, "mart_prevalensi", where, params, order_by="kode, period")


def survey_provincial(repo: Repository) -> float | None:
    """The SSGI 2024 provincial prevalence the build compared the kab/kota with (config
    `target_list.ssgi_2024_provincial` as it was when the marts were built); None without the
    mart."""
    if not has(repo, "mart_target_list"):
        return None
    df = run(repo, "SELECT max(provincial_value) AS value FROM mart_target_list "
                   "WHERE reference = 'ssgi_2024'")
    value = df["value"].iloc[0]
    return None if pd.isna(value) else float(value)
