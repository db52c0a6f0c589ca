"""Perbandingan: one kab/kota against the others: its rank with a rank interval, the funnel plot,
its peer group and the province over time, its SPM profile against the provincial median, and a
one-page profile to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cakupan, charts, fmt, signif
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import prevalence_rows
from dashboard.peers import PEER_GROUPS, comparison_series, peer_codes, spm_profile
from dashboard.profile import profile_html
from dashboard.repository import Repository
from dashboard.widgets import available, kabkota_picker, period_picker, show_table, source_caption
from pipelines.safe_cells import markdown_text


def render(repo: Repository) -> None:
    st.title(t("perbandingan.title"))
    if not available(repo, "mart_prevalensi", what=t("what.prevalensi")):
        return
    kode = kabkota_picker(repo, "perbandingan.kabkota")
    picked = period_picker(repo, "perbandingan")
    if kode is None or picked is None:
        return
    period_type, period = picked
    source_caption(repo, ["pengukuran"], period)
    rows = prevalence_rows(repo, "kabkota", period_type, period)
    mine = rows[rows["kode"] == kode]
    if mine.empty:
        st.info(t("common.no_rows"))
        return
    me = mine.iloc[0]
    nama = me["nama"]
    if me["suppressed"]:
        st.warning(t("perbandingan.suppressed", nama=markdown_text(nama), n=fmt.num(me["n_children"])))
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(t("perbandingan.prevalence"), fmt.pct(me["pct_stunted"]))
        c1.caption(t("ringkasan.ci", ci=fmt.interval(me["pct_stunted_lo95"], me["pct_stunted_hi95"])))
        c1.caption(cakupan.text(me), help=t("cakupan.help"))
        c2.metric(t("perbandingan.rank"), f"{fmt.num(me['rank'])} / {fmt.num(me['n_peers'])}",
                  help=t("perbandingan.rank_help"))
        c2.caption(t("perbandingan.rank_interval", lo=fmt.num(me["rank_lo"]), hi=fmt.num(me["rank_hi"])))
        c3.metric(t("perbandingan.diff"), fmt.pts(me["diff_pts"]),
                  help=t("perbandingan.diff_help", prov=fmt.pct(me["prov_pct_stunted"])))
        # side by side: different from the provincial average (exact test) and outside the
        # normal variation between kab/kota (over-dispersion-adjusted limits)
        c4, c5 = st.columns(2)
        c4.metric(t("perbandingan.signif"), signif.label(me["signif"]),
                  help=t("perbandingan.signif_help", p_above=fmt.num(me["p_above"], 4),
                         p_below=fmt.num(me["p_below"], 4)))
        c5.metric(t("perbandingan.signif_adj"), signif.label(me["signif_adj"], adjusted=True),
                  help=t("perbandingan.signif_adj_help"))
        st.caption(signif.dispersion_text(me))

    st.subheader(t("perbandingan.funnel_title"))
    shown = rows[~rows["suppressed"]]
    st.plotly_chart(charts.funnel(shown, highlight=kode, center=float(me["prov_pct_stunted"])),
                    key="perbandingan.funnel", config={"displaylogo": False})
    st.caption(t("perbandingan.funnel_note"))

    st.subheader(t("perbandingan.peers_title"))
    group = st.radio(t("perbandingan.peer_group"), PEER_GROUPS, horizontal=True,
                     key="perbandingan.group", format_func=lambda g: t(f"perbandingan.group_{g}"))
    peers = peer_codes(repo, kode, group)
    names = dict(zip(rows["kode"], rows["nama"]))
    st.caption(t("perbandingan.peers_list",
                 names=", ".join(markdown_text(names.get(p, p)) for p in peers) or "–"))
    series = comparison_series(repo, kode, peers, period_type)
    series["period"] = series["period"].map(fmt.period)
    st.plotly_chart(charts.lines(series, x="period", y="pct", series="series", highlight=nama,
                                 y_title=t("chart.pct_stunted")),
                    key="perbandingan.series", config={"displaylogo": False})
    peer_now = shown[shown["kode"].isin(peers)][["kode", "nama", "pct_stunted", "n_haz"]]
    if len(peer_now):
        peer_now = peer_now.sort_values("pct_stunted", ascending=False).assign(
            text=lambda d: d["pct_stunted"].map(fmt.pct))
        bars = shown[shown["kode"] == kode][["kode", "nama", "pct_stunted"]].assign(
            text=lambda d: d["pct_stunted"].map(fmt.pct))
        both = pd.concat([bars, peer_now], ignore_index=True)
        st.plotly_chart(charts.bars(both, x="pct_stunted", y="nama", text="text", highlight=kode,
                                    x_title=t("chart.pct_stunted"),
                                    reference=float(me["prov_pct_stunted"])),
                        key="perbandingan.peer_bars", config={"displaylogo": False})
    _peer_table(rows, kode, peers)

    st.subheader(t("perbandingan.spm_title"))
    if q.build.has(repo, "mart_spm_field"):
        spm = spm_profile(repo, kode, period_type, period)
        if len(spm):
            st.plotly_chart(charts.profile(spm, name=nama), key="perbandingan.spm",
                            config={"displaylogo": False})
            st.caption(t("perbandingan.spm_note", period=fmt.period(spm["period"].iloc[0])))
        else:
            st.info(t("common.no_rows"))
    else:
        st.info(t("common.not_available", what=t("what.spm"), tables="mart_spm_field"))

    st.download_button(
        t("perbandingan.download"), data=lambda: profile_html(repo, kode, period_type, period, group),
        file_name=f"profil_{kode}_{period}.html", mime="text/html", on_click="ignore",
        icon=":material/download:", key="perbandingan.download")
    st.caption(t("perbandingan.download_note"))


def _peer_table(rows: pd.DataFrame, kode: str, peers: list[str]) -> None:
    """The kab/kota and its peers side by side: prevalence with its interval and n, and the
    measurement coverage with its source beside it."""
    table = rows[rows["kode"].isin([kode, *peers])].copy()
    hidden = table["suppressed"]
    table["pct_text"] = table["pct_stunted"].map(fmt.pct).where(~hidden, t("map.suppressed"))
    table["coverage_source"] = table["coverage_source"].map(cakupan.source_label)
    table["order"] = (table["kode"] != kode).astype(int)
    columns = {"nama": "col.nama", "n_haz": "col.n_haz", "pct_text": "col.pct_stunted",
               "pct_stunted_lo95": "col.lo95", "pct_stunted_hi95": "col.hi95",
               "pct_coverage": "col.pct_coverage", "coverage_source": "col.coverage_source"}
    formats = {"n_haz": "int", "pct_stunted_lo95": "pct", "pct_stunted_hi95": "pct",
               "pct_coverage": "pct"}
    with st.expander(t("perbandingan.peer_table"), expanded=False):
        show_table(table.sort_values(["order", "pct_stunted"], ascending=[True, False]),
                   columns, formats, key="perbandingan.peer_table")
        if cakupan.over_100(table):
            st.caption(t("cakupan.n_over", n=cakupan.over_100(table)))
