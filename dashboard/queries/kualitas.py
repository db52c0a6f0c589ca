"""Data quality: the plausibility mart (mart_kualitas_data), what ingestion rejected (the load
manifest: load_files, load_rejects; counts only) and the build's audits (meta_audit)."""

from __future__ import annotations

import pandas as pd

from dashboard.queries._base import run, table
from dashboard.queries.build import has
from dashboard.repository import Repository


def periods(repo: Repository) -> dict[str, list[str]]:
    """Quality periods by type (bulan, tahun), newest first."""
    if not has(repo, "mart_kualitas_data"):
        return {}
    df = run(repo, "SELECT DISTINCT period_type, period FROM mart_kualitas_data "
                   "ORDER BY period_type, period DESC")
    return {p: list(df.loc[df["period_type"] == p, "period"]) for p in ("bulan", "tahun")
            if (df["period_type"] == p).any()}


def rows(repo: Repository, level: str, period_type: str, period: str,
         kode_kabkota: str | None = None) -> pd.DataFrame:
    """Every unit of a level in one period (optionally one kab/kota's), by kode."""
    where, params = "level = ? AND period_type = ? AND period = ?", [level, period_type, period]
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    return table(repo, "mart_kualitas_data", where, params, order_by="kode")


def completeness(repo: Repository) -> pd.DataFrame:
    """kab/kota x month: % of known posyandu that reported (weighing data)."""
    return run(repo,
               "SELECT kode, nama, period, pct_reporting, n_posyandu_bulan, n_posyandu_known "
               "FROM mart_kualitas_data WHERE level = 'kabkota' AND period_type = 'bulan' "
               "ORDER BY kode, period")


def rejects_by_reason(repo: Repository) -> pd.DataFrame:
    """Rows rejected at ingestion by source and reason (counts only)."""
    return run(repo,
               "SELECT source, reason, sum(n_rows) AS n_rows, count(DISTINCT file_sha256) AS n_files "
               "FROM load_rejects GROUP BY ALL ORDER BY n_rows DESC, source, reason")


def rejects_by_file(repo: Repository) -> pd.DataFrame:
    """Per loaded file: rows read, staged and rejected, and the reasons (counts only)."""
    return run(repo,
               "SELECT f.source, f.file_name, f.extraction_date, f.rows_read, f.rows_staged, "
               "f.rows_rejected, string_agg(r.reason || ' (' || r.n || ')', ', ' ORDER BY r.n DESC) "
               "AS reasons FROM load_files AS f LEFT JOIN (SELECT file_sha256, reason, n_rows AS n "
               "FROM load_rejects) AS r USING (file_sha256) WHERE f.rows_rejected > 0 "
               "GROUP BY ALL ORDER BY f.rows_rejected DESC, f.file_name")


def audit_results(repo: Repository) -> pd.DataFrame:
    """The audits of the published build: each one's domain, failing rows (0 when it passed:
    a build with a failing audit is never published) and when it last ran."""
    return run(repo,
               "SELECT audit, domain, n_failing, strftime(checked_at, '%Y-%m-%d %H:%M') AS checked_at "
               "FROM meta_audit ORDER BY domain, audit")

