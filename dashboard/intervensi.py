"""The intervention page's choices and the progress map layer, shaped from the campaign queries
(dashboard.queries.intervensi)."""

from __future__ import annotations

import pandas as pd

from dashboard import queries as q
from dashboard.repository import Repository

PROVINCE = q.intervensi.PROVINCE
DEFAULT_ACTIVITY = "remeasured"


def default_day(repo: Repository, campaign_id: str) -> pd.Timestamp | None:
    """The last day of the window that has happened (or the last day shown after it)."""
    happened = q.intervensi.days(repo, campaign_id)
    if not happened:
        return None
    camp = q.intervensi.campaigns(repo).set_index("campaign_id")
    end = pd.Timestamp(camp.at[campaign_id, "end_date"])
    in_window = [d for d in happened if d <= end]
    return in_window[-1] if in_window else happened[-1]


def latest_progress(repo: Repository) -> pd.DataFrame:
    """For the map: the newest campaign's re-measurement progress per target kab/kota on its
    latest day: value = % of target reached, expected = % the linear pace asks for."""
    camp = q.intervensi.campaigns(repo)
    empty = pd.DataFrame(columns=["kode", "nama", "value", "expected"])
    if camp.empty or not q.build.has(repo, "mart_intervensi_progress"):
        return empty
    campaign_id = camp["campaign_id"].iloc[0]
    day = default_day(repo, campaign_id)
    if day is None:
        return empty
    df = q.intervensi.progress_on(repo, campaign_id, DEFAULT_ACTIVITY, day)
    df = df[df["kode_kabkota"] != PROVINCE]
    return pd.DataFrame({"kode": df["kode_kabkota"], "nama": df["nama"], "value": df["pct_of_target"],
                         "expected": 100 * df["expected_cum"] / df["target"]})
