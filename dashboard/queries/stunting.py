"""Stunting prevalence (mart_prevalensi: every level, period type and period) with the measurement
coverage beside it (mart_cakupan_pengukuran), and the survey reference the provincial figure is
shown beside (mart_target_list)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.queries._base import placeholders, run, table
from dashboard.queries.build import has
from dashboard.repository import Repository

PERIOD_TYPE_ORDER = {"bulan": 0, "bulan_timbang": 1, "tahun": 2}
# What every prevalence frame carries from the coverage mart (NULL where it has no row, e.g.
# posyandu; all NULL in a warehouse built before the mart existed): children measured ÷ sasaran
# balita and the denominator's source (docs/marts_stunting.md, mart_cakupan_pengukuran).
COVERAGE_COLUMNS = ("sasaran_balita", "sasaran_periode", "coverage_source", "pct_coverage",
                    "coverage_over_100")


def _with_coverage(repo: Repository, where: str, params: list[Any], order_by: str
                   ) -> pd.DataFrame:
    """mart_prevalensi rows (all columns) with the coverage columns joined on the unit and
    period. `where` and `order_by` name mart_prevalensi columns only."""
    if not has(repo, "mart_cakupan_pengukuran"):
        df = table(repo, "mart_prevalensi", where, params, order_by=order_by)
        for column in COVERAGE_COLUMNS:
            df[column] = None
        return df
    columns = ", ".join(COVERAGE_COLUMNS)
    return run(repo, f"""
        SELECT p.*, {", ".join(f"c.{c}" for c in COVERAGE_COLUMNS)}
        FROM (SELECT * FROM mart_prevalensi WHERE {where}) AS p
        LEFT JOIN (SELECT level, kode, period_type, period, {columns}
                   FROM mart_cakupan_pengukuran) AS c
            ON c.level = p.level AND c.kode = p.kode AND c.period_type = p.period_type
           AND c.period = p.period
        ORDER BY {", ".join(f"p.{c.strip()}" for c in order_by.split(","))}""", params)


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
    """One level and period (optionally one kab/kota's units), by kode, with coverage."""
    where = "level = ? AND period_type = ? AND period = ?"
    params: list[Any] = [level, period_type, period]
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    return _with_coverage(repo, where, params, order_by="kode")


def prevalensi_series(repo: Repository, level: str, period_type: str,
                      kodes: Sequence[str] | None = None) -> pd.DataFrame:
    """Every period of one level (optionally some units), oldest first, with coverage."""
    where = "level = ? AND period_type = ?"
    params: list[Any] = [level, period_type]
    if kodes:
        where += f" AND kode IN ({placeholders(kodes)})"
        params.extend(kodes)
    return _with_coverage(repo, where, params, order_by="period, kode")


def prevalensi_span(repo: Repository, level: str, period_type: str, first: str | None,
                    last: str | None, kodes_kabkota: Sequence[str] = ()) -> pd.DataFrame:
    """One level over the periods first..last (optionally within some kab/kota), by kode and
    period, with coverage: the exploration pivot's rows."""
    where = "level = ? AND period_type = ? AND period BETWEEN ? AND ?"
    params: list[Any] = [level, period_type, first, last]
    if kodes_kabkota:
        where += f" AND kode_kabkota IN ({placeholders(kodes_kabkota)})"
        params.extend(kodes_kabkota)
    return _with_coverage(repo, where, params, order_by="kode, period")


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
