"""The intervention outcome view: targeted against matched comparison posyandu (difference in
differences with a 95 % interval), always shown with its caveats."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import Repository
from dashboard.widgets import show_table
from pipelines.safe_cells import markdown_text


def _label(key: str, fallback: str, **values: object) -> str:
    try:
        return t(key, **values)
    except KeyError:  # a metric added to the mart before the locale files: its own label
        return fallback


def localised(df: pd.DataFrame) -> pd.DataFrame:
    """The mart keeps Indonesian labels (its exports are read in Indonesian); the page shows
    them in the UI's language, from the codes: the metric, the all-targets row ('35') and the
    HAZ note (the campaign's days lead the mart's text)."""
    out = df.copy()
    out["metric_label"] = [_label(f"outcome.metric_{m}", label)
                           for m, label in zip(out["metric"], out["metric_label"])]
    out["nama"] = [_label("outcome.all_targets", n) if k == "35" else n
                   for k, n in zip(out["kode"], out["nama"])]
    days = out["catatan"].str.extract(r"^(\d+)", expand=False)
    out["catatan"] = [_label("outcome.note_haz", note, days=d)
                      if isinstance(note, str) and m == "haz_change" and isinstance(d, str) else note
                      for note, m, d in zip(out["catatan"], out["metric"], days)]
    return out


def _value(v: object, unit: str) -> str:
    return fmt.pts(v) if unit == "%" else fmt.num(v, 2)


def outcome_section(repo: Repository, campaign_id: str) -> None:
    st.subheader(t("outcome.title"))
    if not q.build.has(repo, "mart_intervensi_outcome"):
        st.info(t("common.not_available", what=t("what.outcome"), tables="mart_intervensi_outcome"))
        return
    df = q.intervensi.outcome(repo, campaign_id)
    if df.empty:
        st.info(t("common.no_rows"))
        return
    df = localised(df)
    levels = dict(zip(df["kode"], df["nama"]))
    kode = st.selectbox(t("outcome.level"), list(levels), key="outcome.level",
                        format_func=lambda k: levels[k])
    rows = df[df["kode"] == kode].copy()
    first = rows.iloc[0]
    st.warning(t("outcome.caveat", pre_from=fmt.day(first["pre_from"]), pre_to=fmt.day(first["pre_to"]),
                 post_from=fmt.day(first["post_from"]), post_to=fmt.day(first["post_to"])),
               icon=":material/info:")
    for note in rows["catatan"].dropna().unique():
        st.caption(f"⚠ {markdown_text(note)}")
    if "suppressed" in rows and rows["suppressed"].any():
        hidden = ", ".join(markdown_text(m) for m in rows.loc[rows["suppressed"], "metric_label"])
        st.caption(t("outcome.suppressed", metrics=hidden))
    estimable = rows[rows["did"].notna()]
    if estimable.empty:
        st.info(t("outcome.none_estimable"))
    else:
        rows["did_text"] = [f"{_value(d, u)} ({_value(lo, u)} … {_value(hi, u)})" if pd.notna(d) else "–"
                            for d, lo, hi, u in zip(rows["did"], rows["did_lo95"], rows["did_hi95"],
                                                    rows["unit"])]
        st.plotly_chart(charts.forest(estimable, label="metric_label", value="did",
                                      lo="did_lo95", hi="did_hi95"),
                        key="outcome.forest", config={"displaylogo": False})
    rows["t_text"] = [_value(v, u) for v, u in zip(rows["t_change"], rows["unit"])]
    rows["c_text"] = [_value(v, u) for v, u in zip(rows["c_change"], rows["unit"])]
    if "did_text" not in rows:
        rows["did_text"] = "–"
    show_table(rows, {"metric_label": "col.metric", "t_text": "col.t_change", "c_text": "col.c_change",
                      "did_text": "col.did", "n_posyandu_t": "col.n_posyandu_t",
                      "n_posyandu_c": "col.n_posyandu_c", "n_strata": "col.n_strata"},
               {"n_posyandu_t": "int", "n_posyandu_c": "int", "n_strata": "int"}, key="outcome.table")
