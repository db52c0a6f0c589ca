"""The intervention campaigns: progress as of the end of a day (mart_intervensi_progress: pick
the day, read the rows), the days without reports (mart_intervensi_gaps) and the outcome against
matched comparison posyandu (mart_intervensi_outcome)."""

from __future__ import annotations

import pandas as pd

from dashboard.queries._base import run, table
from dashboard.queries.build import has
from dashboard.repository import Repository

PROVINCE = "35"  # kode_kabkota of the province's own row in the progress mart


def campaigns(repo: Repository) -> pd.DataFrame:
    """The configured campaigns, newest first."""
    if not has(repo, "ref_campaign"):
        return pd.DataFrame(columns=["campaign_id", "nama", "start_date", "end_date"])
    return table(repo, "ref_campaign", order_by="start_date DESC")


def activities(repo: Repository, campaign_id: str) -> pd.DataFrame:
    return run(repo,
               "SELECT DISTINCT p.activity, p.activity_label, a.urutan "
               "FROM mart_intervensi_progress AS p "
               "LEFT JOIN ref_intervensi_activity AS a USING (activity) WHERE p.campaign_id = ? "
               "ORDER BY a.urutan", [campaign_id])


def days(repo: Repository, campaign_id: str) -> list[pd.Timestamp]:
    """Display days that have happened (up to the build's today), oldest first."""
    df = run(repo, "SELECT DISTINCT tanggal FROM mart_intervensi_progress WHERE campaign_id = ? "
                   "AND status <> 'belum terjadi' ORDER BY tanggal", [campaign_id])
    return list(pd.to_datetime(df["tanggal"]))


def progress_on(repo: Repository, campaign_id: str, activity: str, day: pd.Timestamp
                ) -> pd.DataFrame:
    """One row per target kab/kota (and the province, kode_kabkota PROVINCE) as of `day`."""
    return table(repo, "mart_intervensi_progress",
                 "campaign_id = ? AND activity = ? AND tanggal = ?",
                 [campaign_id, activity, day.date()], order_by="kode_kabkota")


def burnup(repo: Repository, campaign_id: str, activity: str, kode: str) -> pd.DataFrame:
    """Every day of one kab/kota (or the province), oldest first."""
    return table(repo, "mart_intervensi_progress",
                 "campaign_id = ? AND activity = ? AND kode_kabkota = ?",
                 [campaign_id, activity, kode], order_by="tanggal")


def board(repo: Repository, campaign_id: str, activity: str, day: pd.Timestamp) -> pd.DataFrame:
    """Every target kab/kota's days up to `day` on which some progress was expected."""
    return table(repo, "mart_intervensi_progress",
                 "campaign_id = ? AND activity = ? AND kode_kabkota <> ? AND tanggal <= ? "
                 "AND expected_cum > 0", [campaign_id, activity, PROVINCE, day.date()],
                 order_by="kode_kabkota, tanggal")


def gaps(repo: Repository, campaign_id: str, day: pd.Timestamp) -> pd.DataFrame:
    """Working days without any report, per target kab/kota, up to `day`."""
    if not has(repo, "mart_intervensi_gaps"):
        return pd.DataFrame()
    return run(repo,
               "SELECT kode_kabkota, nama, count(*) AS n_gap_days, max(gap_streak) AS longest_streak, "
               "max(tanggal) AS last_gap, max(last_report) AS last_report FROM mart_intervensi_gaps "
               "WHERE campaign_id = ? AND tanggal <= ? GROUP BY ALL "
               "ORDER BY n_gap_days DESC, kode_kabkota", [campaign_id, day.date()])


def outcome(repo: Repository, campaign_id: str) -> pd.DataFrame:
    """The difference-in-differences rows of one campaign, by kode (province and kab/kota)."""
    return table(repo, "mart_intervensi_outcome", "campaign_id = ?", [campaign_id],
                 order_by="kode")
