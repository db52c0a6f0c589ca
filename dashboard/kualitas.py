"""Queries and shaping for the data-quality page and the quality map layer."""

from __future__ import annotations

import pandas as pd

from dashboard import fmt
from dashboard.i18n import t
from dashboard.repository import Repository
from pipelines.safe_cells import html_text

CLASSES = ("sangat baik", "baik", "cukup", "bermasalah")


def quality_periods(repo: Repository) -> dict[str, list[str]]:
    if not repo.has("mart_kualitas_data"):
        return {}
    df = repo.query("SELECT DISTINCT period_type, period FROM mart_kualitas_data "
                    "ORDER BY period_type, period DESC")
    return {p: list(df.loc[df["period_type"] == p, "period"]) for p in ("bulan", "tahun")
            if (df["period_type"] == p).any()}


def quality_rows(repo: Repository, level: str, period_type: str, period: str,
                 kode_kabkota: str | None = None) -> pd.DataFrame:
    where, params = "level = ? AND period_type = ? AND period = ?", [level, period_type, period]
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    df = repo.table("mart_kualitas_data", where, params, order_by="kode")
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    df["kelas"] = df["kelas_plausibilitas"].where(~df["suppressed"], t("map.suppressed"))
    return df


def quality_by_area(repo: Repository, level: str, kode_kabkota: str | None = None) -> pd.DataFrame:
    """The latest month's plausibility class per area, for the map (category + hover)."""
    periods = quality_periods(repo).get("bulan", [])
    if not periods:
        return pd.DataFrame(columns=["kode", "nama", "category", "hover", "value"])
    df = quality_rows(repo, level, "bulan", periods[0], kode_kabkota)
    df["category"] = df["kelas_plausibilitas"]
    df["hover"] = [
        f"<b>{html_text(n)}</b><br>{t('kualitas.class')}: {html_text(k) if not s else t('map.suppressed')}"
        f"<br>{t('kualitas.score')}: {fmt.num(sc)} · n = {fmt.num(c)}<br>{fmt.period(periods[0])}"
        for n, k, s, sc, c in zip(df["nama"], df["kelas_plausibilitas"], df["suppressed"],
                                  df["skor"], df["n_children"])
    ]
    return df


def completeness(repo: Repository) -> pd.DataFrame:
    """kab/kota x month: % of known posyandu that reported (weighing data)."""
    return repo.query(
        "SELECT kode, nama, period, pct_reporting, n_posyandu_bulan, n_posyandu_known "
        "FROM mart_kualitas_data WHERE level = 'kabkota' AND period_type = 'bulan' "
        "ORDER BY kode, period"
    )


def rejects_by_reason(repo: Repository) -> pd.DataFrame:
    """Rows rejected at ingestion by source and reason (counts only)."""
    return repo.query(
        "SELECT source, reason, sum(n_rows) AS n_rows, count(DISTINCT file_sha256) AS n_files "
        "FROM load_rejects GROUP BY ALL ORDER BY n_rows DESC, source, reason"
    )


def rejects_by_file(repo: Repository) -> pd.DataFrame:
    """Per loaded file: rows read, staged and rejected, and the reasons (counts only)."""
    return repo.query(
        "SELECT f.source, f.file_name, f.extraction_date, f.rows_read, f.rows_staged, "
        "f.rows_rejected, string_agg(r.reason || ' (' || r.n || ')', ', ' ORDER BY r.n DESC) AS reasons "
        "FROM load_files AS f LEFT JOIN (SELECT file_sha256, reason, n_rows AS n "
        "FROM load_rejects) AS r USING (file_sha256) WHERE f.rows_rejected > 0 "
        "GROUP BY ALL ORDER BY f.rows_rejected DESC, f.file_name"
    )


def audit_results(repo: Repository) -> pd.DataFrame:
    """The audits of the published build: each one's domain, failing rows (0 when it passed:
    a build with a failing audit is never published) and when it last ran."""
    return repo.query(
        "SELECT audit, domain, n_failing, strftime(checked_at, '%Y-%m-%d %H:%M') AS checked_at "
        "FROM meta_audit ORDER BY domain, audit"
    )
