"""Eksplorasi: filter by wilayah, period and indicator; a pivot table (wilayah x period) with CSV
and XLSX downloads of exactly what is shown; a read-only SQL console over the marts."""

from __future__ import annotations

import streamlit as st

from dashboard import cakupan, explore, fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import PersonalDataError, Repository
from dashboard.sql_console import DEFAULT_SQL, ConsoleError, configured_limits, run_query
from dashboard.widgets import available, grid, source_caption


def render(repo: Repository) -> None:
    st.title(t("eksplorasi.title"))
    if available(repo, "mart_prevalensi", what=t("what.prevalensi")):
        _pivot(repo)
    _console(repo)


def _pivot(repo: Repository) -> None:
    types = q.stunting.period_types(repo)
    c1, c2, c3 = st.columns(3)
    measure = c1.selectbox(t("eksplorasi.indicator"), list(explore.MEASURES), key="eksplorasi.measure",
                           format_func=lambda m: t(f"measure.{m}"))
    level = c2.radio(t("peta.level"), ["kabkota", "kecamatan"], horizontal=True,
                     key="eksplorasi.level", format_func=lambda v: t(f"level.{v}"))
    period_type = c3.selectbox(t("common.period_type"), types, key="eksplorasi.ptype",
                               format_func=lambda p: t(f"period_type.{p}"))
    periods = sorted(q.stunting.periods(repo, period_type))
    kab = q.wilayah.kabkota(repo)
    names = dict(zip(kab["kode"], kab["nama"]))
    c4, c5 = st.columns([2, 1])
    chosen = c4.multiselect(t("eksplorasi.wilayah"), list(kab["kode"]), key="eksplorasi.kabkota",
                            format_func=lambda k: names.get(k, k),
                            placeholder=t("peta.all_kabkota"))
    span = c5.select_slider(t("eksplorasi.periods"), periods, value=(periods[0], periods[-1]),
                            format_func=fmt.period, key="eksplorasi.span") if len(periods) > 1 else (
        periods[0], periods[0]) if periods else (None, None)
    df = q.stunting.prevalensi_span(repo, level, period_type, span[0], span[1], chosen)
    period_label = (fmt.period(span[0]) if span[0] == span[1]
                    else f"{fmt.period(span[0])} – {fmt.period(span[1])}")
    one_kab = chosen[0] if len(chosen) == 1 else None
    source_caption(repo, ["pengukuran"], extra=t("caption.period", period=period_label),
                   kode=one_kab, span=span if span[0] else None)
    wide = explore.pivot(df, measure)
    st.subheader(t("eksplorasi.pivot_title", measure=t(f"measure.{measure}"),
                   level=t(f"level.{level}")))
    if wide.empty:
        st.info(t("common.no_rows"))
        return
    grid(explore.display(wide, measure), height=380, key="eksplorasi.pivot")
    st.caption(t("eksplorasi.rows", n=fmt.num(len(wide))))
    if explore.MEASURES[measure] == "pct":
        st.caption(t("cakupan.help"))
        if cakupan.over_100(df):
            st.caption(t("cakupan.n_over", n=cakupan.over_100(df)))
    name = f"tumbuh_{measure}_{level}_{period_type}_{span[0]}_{span[1]}"
    d1, d2, _ = st.columns([1, 1, 4])
    # both downloads carry the files behind the table (the CSV as header lines)
    files = q.build.files_behind(repo, ["pengukuran"], one_kab, span if span[0] else None)
    d1.download_button("CSV", explore.to_csv(wide, measure, files=files), file_name=f"{name}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:",
                       key="eksplorasi.csv")
    d2.download_button("XLSX", explore.to_xlsx(wide, files=files), file_name=f"{name}.xlsx",
                       on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="eksplorasi.xlsx")


def _console(repo: Repository) -> None:
    limits = configured_limits()
    st.subheader(t("eksplorasi.console_title"))
    st.caption(t("eksplorasi.console_note", s=_num(limits.timeout_s), rows=_num(limits.max_rows),
                 mb=_num(limits.max_result_mb)))
    tables = q.build.table_columns(repo)
    with st.expander(t("eksplorasi.tables", n=len(tables))):
        st.markdown("\n".join(f"- `{name}`: {', '.join(cols)}" for name, cols in tables.items()))
    sql = st.text_area("SQL", DEFAULT_SQL, height=160, key="eksplorasi.sql")
    if st.button(t("eksplorasi.run"), key="eksplorasi.run", icon=":material/play_arrow:"):
        try:
            st.session_state["eksplorasi.result"] = run_query(repo.path, sql, limits,
                                                                 scope=repo.scope,
                                                                 child_rows=repo.child_rows)
            st.session_state["eksplorasi.error"] = None
        except (ConsoleError, PersonalDataError) as exc:
            st.session_state["eksplorasi.result"] = None
            st.session_state["eksplorasi.error"] = exc
    error = st.session_state.get("eksplorasi.error")
    result = st.session_state.get("eksplorasi.result")
    if error:
        st.error(_message(error))
    elif result is not None:
        grid(result.frame, key="eksplorasi.sql_result")
        note = t("eksplorasi.result_note", n=fmt.num(len(result.frame)),
                 s=fmt.num(result.seconds, 2))
        if result.cut == "bytes":
            note += " · " + t("eksplorasi.truncated_bytes", mb=_num(limits.max_result_mb))
        elif result.truncated:
            note += " · " + t("eksplorasi.truncated")
        st.caption(note)


def _message(error: Exception) -> str:
    """The page's wording of a refused or failed query (never a traceback)."""
    kind = getattr(error, "kind", None)
    values = getattr(error, "values", {})
    if kind == "busy":
        return t("eksplorasi.busy", n=values["n"])
    if kind == "timeout":
        return t("eksplorasi.too_slow", s=_num(values["s"]))
    if kind == "memory":
        return t("eksplorasi.too_much_memory", mb=_num(values["mb"]))
    return t("eksplorasi.refused", reason=str(error))


def _num(value: float) -> str:
    return fmt.num(value, 0 if float(value).is_integer() else 1)
