"""Shaping for the data-quality page and the quality map layer, from the quality queries
(dashboard.queries.kualitas)."""

from __future__ import annotations

import pandas as pd

from dashboard import fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import Repository
from pipelines.safe_cells import html_text

CLASSES = ("sangat baik", "baik", "cukup", "bermasalah")


def quality_rows(repo: Repository, level: str, period_type: str, period: str,
                 kode_kabkota: str | None = None) -> pd.DataFrame:
    """The mart's rows with `kelas`: the plausibility class, or "data tidak cukup"."""
    df = q.kualitas.rows(repo, level, period_type, period, kode_kabkota)
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    df["kelas"] = df["kelas_plausibilitas"].where(~df["suppressed"], t("map.suppressed"))
    return df


def quality_by_area(repo: Repository, level: str, kode_kabkota: str | None = None) -> pd.DataFrame:
    """The latest month's plausibility class per area, for the map (category + hover)."""
    periods = q.kualitas.periods(repo).get("bulan", [])
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
