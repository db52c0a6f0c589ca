"""Ringkasan: headline figures for a period and the kab/kota prevalence map, centred on the
provincial value (administrative data, never ranked against the SSGI survey)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cakupan, fmt, mapview, signif
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import map_data
from dashboard.repository import Repository
from dashboard.widgets import available, period_picker, source_caption
from pipelines.safe_cells import markdown_text


def headline(prov: pd.Series, kab: pd.DataFrame) -> dict[str, object]:
    """The numbers the metric row shows (kept apart from drawing so tests can check them)."""
    shown = kab[~kab["suppressed"]]
    return {
        "n_children": prov.get("n_children"),
        "n_haz": prov.get("n_haz"),
        "pct": prov.get("pct_stunted"),
        "lo": prov.get("pct_stunted_lo95"),
        "hi": prov.get("pct_stunted_hi95"),
        "n_above": int((shown["arah"] == "di atas").sum()),
        "n_above_signif": int(shown["signif"].isin(signif.ABOVE).sum()),
        "n_above_adj": int(shown["signif_adj"].isin(signif.ABOVE).sum()),
        "n_suppressed": int(kab["suppressed"].sum()),
        "chg_prev": prov.get("chg_prev_pts"),
        "chg_yoy": prov.get("chg_yoy_pts"),
        "coverage": cakupan.text(prov),
    }


def render(repo: Repository) -> None:
    st.title(t("ringkasan.title"))
    if not available(repo, "mart_prevalensi", what=t("what.prevalensi")):
        return
    picked = period_picker(repo, "ringkasan")
    if picked is None:
        return
    period_type, period = picked
    source_caption(repo, ["pengukuran"], period)
    prov_rows = q.stunting.prevalensi(repo, "provinsi", period_type, period)
    data = map_data(repo, "pct_stunted", "kabkota", period_type, period)
    if prov_rows.empty or data is None:
        st.info(t("common.no_rows"))
        return
    h = headline(prov_rows.iloc[0], data.rows)
    ssgi = q.stunting.survey_provincial(repo)  # the value the build compared the kab/kota with

    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(t("ringkasan.n_children"), fmt.num(h["n_children"]),
              help=t("ringkasan.n_children_help", n_haz=fmt.num(h["n_haz"])))
    c2.metric(t("ringkasan.prevalence"), fmt.pct(h["pct"]),
              help=t("ringkasan.prevalence_help"))
    c2.caption(t("ringkasan.ci", ci=fmt.interval(h["lo"], h["hi"])) + " · "
               + t("ringkasan.admin_label"))
    c2.caption(h["coverage"], help=t("cakupan.help"))
    c3.metric(t("ringkasan.ssgi"), fmt.pct(ssgi), help=t("ringkasan.ssgi_help"))
    c4.metric(t("ringkasan.n_above"), f"{h['n_above']} / {len(data.rows)}",
              help=t("ringkasan.n_above_help"))
    c4.caption(t("ringkasan.n_above_signif", n=h["n_above_signif"], n_adj=h["n_above_adj"],
                 n_sup=h["n_suppressed"]))
    trend = h["chg_prev"] if h["chg_prev"] is not None and not pd.isna(h["chg_prev"]) else None
    c5.metric(t("ringkasan.trend"), fmt.pts(trend) if trend is not None else fmt.MISSING,
              help=t("ringkasan.trend_help"))
    if h["chg_yoy"] is not None and not pd.isna(h["chg_yoy"]):
        c5.caption(t("ringkasan.yoy", pts=fmt.pts(h["chg_yoy"])))

    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("ringkasan.map_title", period=fmt.period(period)))
        mapview.draw(repo, data, level="kabkota", key="ringkasan.map", width=380,
                     colorbar_title=t("indicator.pct_stunted_short"))
        st.caption(t("ringkasan.map_note", prov=fmt.pct(data.center)))
    with right:
        st.subheader(t("ringkasan.above_title"))
        above = data.rows[data.rows["signif"].isin(signif.ABOVE)].sort_values(
            "pct_stunted", ascending=False)
        if above.empty:
            st.write(t("ringkasan.none_above"))
        for _, r in above.iterrows():
            adj = ("above_adj" if r["signif_adj"] in signif.ABOVE else "above_not_adj")
            st.markdown(f"- **{markdown_text(r['nama'])}**: {fmt.pct(r['pct_stunted'])} "
                        f"({fmt.interval(r['pct_stunted_lo95'], r['pct_stunted_hi95'])}; "
                        f"n = {fmt.num(r['n_haz'])}; {markdown_text(cakupan.text(r))}) · "
                        f"{t(f'ringkasan.{adj}')}")
        shown = data.rows[~data.rows["suppressed"]]
        if len(shown):
            st.caption(signif.dispersion_text(shown.iloc[0]))
        st.caption(t("ringkasan.admin_note"))
