"""The kab/kota report's intervention section: for the newest campaign, where the kab/kota is one
of its targets, each activity's progress on the last day of the window that has happened
(mart_intervensi_progress through the intervention page's queries)."""

from __future__ import annotations

from typing import Any

from dashboard import fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.intervensi import default_day
from dashboard.repository import Repository
from reports.common import table


def progress_section(repo: Repository, kode: str) -> dict[str, Any]:
    out: dict[str, Any] = {"title": t("intervensi.title"), "text": "", "table": None}
    camp = q.intervensi.campaigns(repo)
    if camp.empty or not q.build.has(repo, "mart_intervensi_progress"):
        out["text"] = t("intervensi.no_campaign")
        return out
    c = camp.iloc[0]
    day = default_day(repo, c["campaign_id"])
    if day is None:
        out["text"] = t("laporan.campaign_not_started", campaign=c["nama"])
        return out
    rows = []
    for act in q.intervensi.activities(repo, c["campaign_id"]).itertuples():
        prog = q.intervensi.progress_on(repo, c["campaign_id"], act.activity, day)
        prog = prog[prog["kode_kabkota"] == kode]
        for r in prog.itertuples():
            rows.append([act.activity_label, fmt.num(r.achieved_cum), fmt.num(r.target),
                         fmt.pct(r.pct_of_target), fmt.num(r.expected_cum, 1), r.status])
    window = t("intervensi.window", start=fmt.day(c["start_date"]), end=fmt.day(c["end_date"]),
               n=fmt.num(c["n_working_days"]), day=fmt.day(day))
    if not rows:
        out["text"] = t("laporan.not_target", campaign=c["nama"])
        return out
    out["text"] = f"{c['nama']} · {window}"
    out["table"] = table([t("intervensi.activity"), t("col.achieved"), t("chart.target").capitalize(),
                          t("laporan.pct_target"), t("col.expected"), t("col.status")], rows,
                         "lrrrrl")
    return out
