"""Intervensi: for the configured campaign, progress per target kab/kota against the expected
(linear, working-day) pace as burn-ups, the areas behind schedule, and the outcome view with its
caveats."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.intervensi import PROVINCE, default_day
from dashboard.outcome import outcome_section
from dashboard.repository import Repository
from dashboard.widgets import available, own_index, show_table, source_caption
from pipelines.safe_cells import markdown_text


def render(repo: Repository) -> None:
    st.title(t("intervensi.title"))
    if not available(repo, "mart_intervensi_progress", "ref_campaign", what=t("what.intervensi")):
        return
    camp = q.intervensi.campaigns(repo)
    if camp.empty:
        st.info(t("intervensi.no_campaign"))
        return
    names = dict(zip(camp["campaign_id"], camp["nama"]))
    c1, c2, c3 = st.columns([2, 1, 1])
    campaign_id = c1.selectbox(t("intervensi.campaign"), list(names), key="intervensi.campaign",
                               format_func=lambda c: names[c])
    acts = q.intervensi.activities(repo, campaign_id)
    labels = dict(zip(acts["activity"], acts["activity_label"]))
    if not labels:
        st.info(t("common.no_rows"))
        return
    activity = c2.selectbox(t("intervensi.activity"), list(labels), key="intervensi.activity",
                            format_func=lambda a: labels[a])
    happened = q.intervensi.days(repo, campaign_id)
    if not happened:
        st.info(t("intervensi.not_started"))
        return
    day = c3.select_slider(t("intervensi.as_of"), happened, value=default_day(repo, campaign_id),
                           format_func=fmt.day, key="intervensi.day")
    row = camp.set_index("campaign_id").loc[campaign_id]
    source_caption(repo, ["intervensi"], extra=t(
        "intervensi.window", start=fmt.day(row["start_date"]), end=fmt.day(row["end_date"]),
        n=fmt.num(row["n_working_days"]), day=fmt.day(day)))

    prog = q.intervensi.progress_on(repo, campaign_id, activity, day)
    prov = prog[prog["kode_kabkota"] == PROVINCE]
    kab = prog[prog["kode_kabkota"] != PROVINCE].copy()
    behind = kab[kab["status"] == "tertinggal"]
    if len(prov):
        p = prov.iloc[0]
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(t("intervensi.achieved"), fmt.num(p["achieved_cum"]),
                  help=t("intervensi.target_help", target=fmt.num(p["target"])))
        m1.caption(t("intervensi.of_target", pct=fmt.pct(p["pct_of_target"]), target=fmt.num(p["target"])))
        m2.metric(t("intervensi.expected"), fmt.num(p["expected_cum"]),
                  help=t("intervensi.expected_help"))
        m3.metric(t("intervensi.status"), str(p["status"]))
        m4.metric(t("intervensi.n_behind"), f"{len(behind)} / {len(kab)}")

    st.subheader(t("intervensi.burnup_title", activity=markdown_text(labels[activity])))
    _burnups(repo, campaign_id, activity, day, kab)
    st.subheader(t("intervensi.behind_title", n=len(behind)))
    if behind.empty:
        st.success(t("intervensi.none_behind"))
    else:
        show_table(behind.sort_values("behind_by_pct", ascending=False),
                   {"nama": "col.nama", "achieved_cum": "col.achieved", "expected_cum": "col.expected",
                    "behind_by": "col.behind_by", "pct_of_expected": "col.pct_of_expected",
                    "projected_end": "col.projected_end", "last_report": "col.last_report",
                    "gap_days": "col.gap_days"},
                   {"achieved_cum": "int", "expected_cum": "num1", "behind_by": "num1",
                    "pct_of_expected": "pct", "projected_end": "num1", "last_report": "date",
                    "gap_days": "int"}, key="intervensi.behind")
    gap = q.intervensi.gaps(repo, campaign_id, day)
    if len(gap):
        with st.expander(t("intervensi.gaps_title", n=len(gap))):
            show_table(gap, {"nama": "col.nama", "n_gap_days": "col.gap_days",
                             "longest_streak": "col.streak", "last_report": "col.last_report"},
                       {"n_gap_days": "int", "longest_streak": "int", "last_report": "date"},
                       key="intervensi.gaps")
    outcome_section(repo, campaign_id)


def _burnups(repo: Repository, campaign_id: str, activity: str, day: pd.Timestamp,
             kab: pd.DataFrame) -> None:
    """The province's burn-up, one chosen target kab/kota's, and a board of every target
    kab/kota: % of the expected pace reached on each day (white = on pace, red = behind)."""
    ordered = kab.sort_values("behind_by_pct", ascending=False, na_position="last")
    names = dict(zip(ordered["kode_kabkota"], ordered["nama"]))  # the most behind first
    left, right = st.columns(2)
    for column, kode, title in ((left, PROVINCE, t("intervensi.province_burnup")),
                                (right, None, None)):
        if kode is None:
            kode = column.selectbox(t("intervensi.burnup_kabkota"), list(names), key="intervensi.kab",
                                    index=own_index(repo, list(names)),
                                    format_func=lambda k: names[k])
            title = names.get(kode, "")
        series = q.intervensi.burnup(repo, campaign_id, activity, kode)
        if series.empty:
            continue
        shown = series[series["tanggal"] <= day].assign(hari=lambda d: d["tanggal"].map(fmt.day))
        column.plotly_chart(charts.burnup(shown, x="hari",
                                          actual="achieved_cum", expected="expected_cum",
                                          target=float(series["target"].iloc[0]), title=title),
                            key=f"intervensi.burnup.{'prov' if kode == PROVINCE else 'kab'}",
                            config={"displaylogo": False})
    board = q.intervensi.board(repo, campaign_id, activity, day)
    if board.empty:
        return
    board["hari"] = board["tanggal"].map(fmt.day)
    matrix = board.pivot_table(index="nama", columns="hari", values="pct_of_expected",
                               aggfunc="first", sort=False)
    st.plotly_chart(charts.heatmap(matrix.clip(upper=200), text=matrix.map(fmt.pct),
                                   colorbar_title=t("col.pct_of_expected"), zmin=0, zmax=200,
                                   colorscale="RdBu", show_text=False),
                    key="intervensi.board", config={"displaylogo": False})
    st.caption(t("intervensi.board_note"))
