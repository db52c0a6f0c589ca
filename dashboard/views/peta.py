"""Peta: kab/kota and kecamatan maps of an indicator (crude and smoothed prevalence, significance
classes (exact, and against the normal variation between units), hotspot clusters of the
smoothed kecamatan prevalence with the global Moran's I, SPM coverage per field, intervention
progress, data quality), plotly or pydeck. Clicking a kab/kota (or picking it below the map)
drills into its kecamatan; on the hotspot layer the drill also shows the kecamatan of other
kab/kota that continue one of its clusters across the border."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cakupan, charts, fmt, hotspot, mapview, signif
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import INDICATORS, map_data
from dashboard.repository import Repository
from dashboard.widgets import own_index, period_picker, show_table, source_caption
from pipelines.safe_cells import markdown_text
from reports import Period, provinsi_pdf

ALL = ""
SOURCES = {"mart_prevalensi": ["pengukuran"], "mart_hotspot": ["pengukuran"],
           "mart_spm_field": ["spm"],
           "mart_intervensi_progress": ["intervensi"], "mart_kualitas_data": ["pengukuran"]}


def _apply_pending_drill() -> None:
    """A click on the previous run asked to drill: set the widgets before they are drawn."""
    target = st.session_state.pop("peta.drill_target", None)
    if target is not None:
        st.session_state["peta.level"] = "kecamatan"
        st.session_state["peta.kabkota"] = target


def _periods(repo: Repository, indicator: str) -> dict[str, list[str]] | None:
    table = INDICATORS[indicator].table
    if table == "mart_prevalensi":
        return {p: q.stunting.periods(repo, p) for p in q.stunting.period_types(repo)}
    if table == "mart_hotspot":
        return {p: q.hotspot.periods(repo, p) for p in q.hotspot.period_types(repo)}
    if table == "mart_spm_field":
        return q.spm.periods(repo)
    return None  # progress and quality maps show the latest state


def render(repo: Repository) -> None:
    st.title(t("peta.title"))
    _apply_pending_drill()
    options = [k for k, ind in INDICATORS.items()]
    c1, c2, c3 = st.columns([2, 1, 1])
    indicator = c1.selectbox(t("peta.indicator"), options, key="peta.indicator",
                             format_func=lambda k: INDICATORS[k].label)
    level = c2.radio(t("peta.level"), ["kabkota", "kecamatan"], key="peta.level",
                     format_func=lambda v: t(f"level.{v}"), horizontal=True)
    renderer = c3.radio(t("peta.renderer"), ["plotly", "pydeck"], key="peta.renderer",
                        horizontal=True)
    ind = INDICATORS[indicator]
    if not q.build.has(repo, ind.table):
        st.info(t("common.not_available", what=ind.label, tables=ind.table))
        return
    if indicator == "pct_stunted_eb" and level == "kabkota":
        st.info(t("peta.eb_kecamatan"))  # the mart smooths kecamatan and below only
    if indicator == "hotspot" and level == "kabkota":
        st.info(t("peta.hotspot_kecamatan"))  # clusters are of kecamatan
        return
    periods = _periods(repo, indicator)
    period_type, period = ("latest", None)
    if periods is not None:
        picked = period_picker(repo, "peta", periods_of=periods)
        if picked is None:
            return
        period_type, period = picked

    kab_ref = q.wilayah.kabkota(repo)
    names = dict(zip(kab_ref["kode"], kab_ref["nama"]))
    options = [ALL, *kab_ref["kode"]]
    drill = st.selectbox(t("peta.drill"), options, key="peta.kabkota", index=own_index(repo, options),
                         format_func=lambda k: names.get(k, t("peta.all_kabkota")),
                         disabled=level == "kabkota", help=t("peta.drill_help"))
    drill = drill if level == "kecamatan" and drill else None
    source_caption(repo, SOURCES[ind.table], period, kode=drill)

    data = map_data(repo, indicator, level, period_type, period, drill)
    if data is None or data.rows.empty:
        if ind.table == "mart_hotspot":  # says why the period has no clusters
            hotspot.summary(repo, period_type, period, pd.DataFrame(), drill, names)
        else:
            st.info(t("common.no_rows"))
        return
    title = names.get(drill, t("peta.province")) if drill else t("peta.province")
    st.subheader(f"{ind.label} · {t(f'level.{level}')} · {markdown_text(title)}")
    scale = "RdBu" if ind.higher_better else charts.DIVERGING
    clicked = mapview.draw(repo, data, level=level, key=f"peta.{level}", renderer=renderer,
                           kode_kabkota=drill, colorbar_title=ind.label, colorscale=scale)
    if clicked and level == "kabkota" and clicked in names:
        st.session_state["peta.drill_target"] = clicked
        st.rerun()
    if data.center is not None:
        st.caption(t("peta.center_note", value=fmt.pct(data.center)))
    if ind.table == "mart_hotspot":
        hotspot.summary(repo, period_type, period, data.rows, drill, names)
    st.caption(t("peta.click_note"))
    _table(data.rows, ind.table)
    if repo.scope is None and period_type in ("bulan", "bulan_timbang", "tahun"):
        _province_report(repo, Period(period_type, period))


def _province_report(repo: Repository, period: Period) -> None:
    """The provincial TP Posyandu's printed page (tumbuh report provinsi): all 38 kab/kota and
    the map of the period. Built only when clicked; a kab/kota account does not get it."""
    left, _ = st.columns([1, 2])
    left.download_button(
        t("peta.download_pdf"), mime="application/pdf", on_click="ignore",
        data=lambda: provinsi_pdf(repo, period),
        file_name=f"laporan_provinsi_{period.period}.pdf", icon=":material/picture_as_pdf:",
        key="peta.download_pdf")
    left.caption(t("peta.download_pdf_note"))


def _table(rows: pd.DataFrame, table: str) -> None:
    if table == "mart_hotspot":
        columns, formats = hotspot.TABLE, hotspot.TABLE_FORMATS
        shown = rows.assign(cluster=rows["category"].where(~rows["suppressed"],
                                                           t("map.suppressed")))
    elif table == "mart_prevalensi":
        columns = {"nama": "col.nama", "n_haz": "col.n_haz", "n_stunted": "col.n_stunted",
                   "pct_stunted": "col.pct_stunted", "pct_stunted_lo95": "col.lo95",
                   "pct_stunted_hi95": "col.hi95", "pct_stunted_eb": "col.pct_stunted_eb",
                   "pct_coverage": "col.pct_coverage", "coverage_source": "col.coverage_source",
                   "signif": "col.signif", "signif_adj": "col.signif_adj"}
        formats = {"n_haz": "int", "n_stunted": "int", "pct_stunted": "pct",
                   "pct_stunted_lo95": "pct", "pct_stunted_hi95": "pct", "pct_stunted_eb": "pct"}
        hidden = rows["suppressed"]
        shown = rows.assign(
            signif=rows["signif"].map(signif.label).where(~hidden, t("map.suppressed")),
            signif_adj=rows["signif_adj"].map(lambda c: signif.label(c, adjusted=True)).where(
                ~hidden, t("map.suppressed")),
            pct_coverage=rows["pct_coverage"].map(fmt.pct).where(
                ~rows["suppressed_anak"].fillna(False).astype(bool), t("map.suppressed")),
            coverage_source=rows["coverage_source"].map(cakupan.source_label))
    else:
        columns = {"nama": "col.nama", "value": "col.value"}
        if "category" in rows and rows["category"].notna().any():
            columns["category"] = "col.kelas"
        formats = {"value": "pct"}
        shown = rows
    with st.expander(t("peta.table"), expanded=False):
        show_table(shown.sort_values("nama"), columns, formats, key="peta.table")
        if cakupan.over_100(rows):
            st.caption(t("cakupan.n_over", n=cakupan.over_100(rows)))
