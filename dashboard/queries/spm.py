"""SPM service coverage (mart_spm_field per field, mart_spm_coverage per indicator) and the PKK
household indicators beside stunting (mart_stunting_spm_pkk, mart_pkk_indikator), the marts of
pipelines/sql/marts/spm/."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.queries._base import run, table
from dashboard.queries.build import has
from dashboard.repository import Repository


def periods(repo: Repository) -> dict[str, list[str]]:
    """SPM periods by type (bulan, tahun), newest first."""
    if not has(repo, "mart_spm_field"):
        return {}
    df = run(repo, "SELECT DISTINCT period_type, period FROM mart_spm_field "
                   "ORDER BY period_type, period DESC")
    return {p: [str(x) for x in df.loc[df["period_type"] == p, "period"]]
            for p in ("bulan", "tahun") if (df["period_type"] == p).any()}


def field_coverage(repo: Repository, level: str, period_type: str, period: str,
                   bidang: str | None = None, kode_kabkota: str | None = None) -> pd.DataFrame:
    """Coverage per SPM field (bidang) of every unit of a level in one period, by kode;
    optionally one field, or one kab/kota's units."""
    where = "level = ? AND period_type = ? AND period = ?"
    params: list[Any] = [level, period_type, period]
    if bidang is not None:
        where += " AND bidang = ?"
        params.append(bidang)
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    return table(repo, "mart_spm_field", where, params, order_by="kode")


def indicator_coverage(repo: Repository, level: str, period_type: str, period: str, bidang: str,
                       kode_kabkota: str | None = None) -> pd.DataFrame:
    """Coverage per SPM indicator of one field, by kode and indicator."""
    where = "level = ? AND period_type = ? AND period = ? AND bidang = ?"
    params: list[Any] = [level, period_type, period, bidang]
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    return table(repo, "mart_spm_coverage", where, params, order_by="kode, kode_indikator")


def pkk_beside_stunting(repo: Repository, period_type: str, period: str) -> pd.DataFrame:
    """Every PKK indicator of every kab/kota in one period beside its stunting prevalence."""
    return table(repo, "mart_stunting_spm_pkk",
                 "sumber = 'pkk' AND level = 'kabkota' AND period_type = ? AND period = ?",
                 [period_type, period], order_by="kode")


def pkk_indicators(repo: Repository) -> pd.DataFrame:
    """The PKK indicator catalogue (kode, labels, urutan, direction ...)."""
    return table(repo, "mart_pkk_indikator")
