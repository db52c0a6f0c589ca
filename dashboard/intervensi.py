"""Queries for the intervention page and the progress map layer (mart_intervensi_progress is
"as of the end of a day": pick the day, read the rows)."""

from __future__ import annotations

import pandas as pd

from dashboard.repository import Repository

PROVINCE = "35"
DEFAULT_ACTIVITY = "remeasured"


def campaigns(repo: Repository) -> pd.DataFrame:
    if not repo.has("ref_campaign"):
        return pd.DataFrame(columns=["campaign_id", "nama", "start_date", "end_date"])
    return repo.table("ref_campaign", order_by="start_date DESC")


def activities(repo: Repository, campaign_id: str) -> pd.DataFrame:
    return repo.query(
        "SELECT DISTINCT p.activity, p.activity_label, a.urutan FROM mart_intervensi_progress AS p "
        "LEFT JOIN ref_intervensi_activity AS a USING (activity) WHERE p.campaign_id = ? "
        "ORDER BY a.urutan", [campaign_id])


def days(repo: Repository, campaign_id: str) -> list[pd.Timestamp]:
    """Display days that have happened (up to the build's today), oldest first."""
    df = repo.query(
        "SELECT DISTINCT tanggal FROM mart_intervensi_progress WHERE campaign_id = ? "
        "AND status <> 'belum terjadi' ORDER BY tanggal", [campaign_id])
    return list(pd.to_datetime(df["tanggal"]))


def default_day(repo: Repository, campaign_id: str) -> pd.Timestamp | None:
    """The last day of the window that has happened (or the last day shown after it)."""
    happened = days(repo, campaign_id)
    if not happened:
        return None
    camp = campaigns(repo).set_index("campaign_id")
    end = pd.Timestamp(camp.at[campaign_id, "end_date"])
    in_window = [d for d in happened if d <= end]
    return in_window[-1] if in_window else happened[-1]


def progress_on(repo: Repository, campaign_id: str, activity: str, day: pd.Timestamp) -> pd.DataFrame:
    """One row per target kab/kota (and the province, kode_kabkota '35') as of `day`."""
    return repo.table("mart_intervensi_progress",
                      "campaign_id = ? AND activity = ? AND tanggal = ?",
                      [campaign_id, activity, day.date()], order_by="kode_kabkota")


def burnup(repo: Repository, campaign_id: str, activity: str, kode: str) -> pd.DataFrame:
    return repo.table("mart_intervensi_progress",
                      "campaign_id = ? AND activity = ? AND kode_kabkota = ?",
                      [campaign_id, activity, kode], order_by="tanggal")


def gaps(repo: Repository, campaign_id: str, day: pd.Timestamp) -> pd.DataFrame:
    """Working days without any report, per target kab/kota, up to `day`."""
    if not repo.has("mart_intervensi_gaps"):
        return pd.DataFrame()
    return repo.query(
        "SELECT kode_kabkota, nama, count(*) AS n_gap_days, max(gap_streak) AS longest_streak, "
        "max(tanggal) AS last_gap, max(last_report) AS last_report FROM mart_intervensi_gaps "
        "WHERE campaign_id = ? AND tanggal <= ? GROUP BY ALL ORDER BY n_gap_days DESC, kode_kabkota",
        [campaign_id, day.date()])


def latest_progress(repo: Repository) -> pd.DataFrame:
    """For the map: the newest campaign's re-measurement progress per target kab/kota on its
    latest day: value = % of target reached, expected = % the linear pace asks for."""
    camp = campaigns(repo)
    empty = pd.DataFrame(columns=["kode", "nama", "value", "expected"])
    if camp.empty or not repo.has("mart_intervensi_progress"):
        return empty
    campaign_id = camp["campaign_id"].iloc[0]
    day = default_day(repo, campaign_id)
    if day is None:
        return empty
    df = progress_on(repo, campaign_id, DEFAULT_ACTIVITY, day)
    df = df[df["kode_kabkota"] != PROVINCE]
    return pd.DataFrame({"kode": df["kode_kabkota"], "nama": df["nama"], "value": df["pct_of_target"],
                         "expected": 100 * df["expected_cum"] / df["target"]})
