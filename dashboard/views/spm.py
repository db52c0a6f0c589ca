"""SPM: posyandu service coverage per kab/kota and field (heatmap), drilled to the indicators of a
field and to the kecamatan of a kab/kota; PKK household risk factors beside stunting."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import SPM_FIELDS, lang_label_column
from dashboard.repository import Repository
from dashboard.widgets import (
    available,
    kabkota_picker,
    own_index,
    period_picker,
    show_table,
    source_caption,
)
from pipelines.safe_cells import html_text, markdown_text

ALL = ""


def coverage_matrix(df: pd.DataFrame, rows: str, columns: str, value: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A wide matrix of coverage and the same matrix as Indonesian-formatted text."""
    matrix = df.pivot_table(index=rows, columns=columns, values=value, aggfunc="first", sort=False)
    return matrix, matrix.map(fmt.pct)


def render(repo: Repository) -> None:
    st.title(t("spm.title"))
    if not available(repo, "mart_spm_field", "mart_spm_coverage", what=t("what.spm")):
        return
    picked = period_picker(repo, "spm", periods_of=q.spm.periods(repo))
    if picked is None:
        return
    period_type, period = picked
    source_caption(repo, ["spm"], period, extra=t("spm.basis_note"))

    fields = q.spm.field_coverage(repo, "kabkota", period_type, period)
    order = [f for f in SPM_FIELDS if f in set(fields["bidang"])]
    fields["bidang"] = pd.Categorical(fields["bidang"], categories=order, ordered=True)
    matrix, text = coverage_matrix(fields.sort_values(["kode", "bidang"]), "nama", "bidang",
                                   "pct_coverage_pooled")
    st.subheader(t("spm.heatmap_title"))
    st.plotly_chart(charts.heatmap(matrix, text=text, colorbar_title=t("chart.coverage")),
                    key="spm.heatmap", config={"displaylogo": False})

    st.subheader(t("spm.drill_title"))
    c1, c2 = st.columns(2)
    bidang = c1.selectbox(t("col.bidang"), order, key="spm.bidang")
    kab_ref = q.wilayah.kabkota(repo)
    names = dict(zip(kab_ref["kode"], kab_ref["nama"]))
    options = [ALL, *kab_ref["kode"]]
    kode = c2.selectbox(t("spm.drill_kabkota"), options, key="spm.kabkota", index=own_index(repo, options),
                        format_func=lambda k: names.get(k, t("peta.all_kabkota")))
    level = "kecamatan" if kode else "kabkota"  # a chosen kab/kota shows its kecamatan
    ind = q.spm.indicator_coverage(repo, level, period_type, period, bidang, kode or None)
    if ind.empty:
        st.info(t("common.no_rows"))
    else:
        ind["indikator_label"] = ind["kode_indikator"] + " " + ind["indikator"].fillna("")
        m, txt = coverage_matrix(ind, "nama", "indikator_label", "pct_coverage")
        st.plotly_chart(charts.heatmap(m, text=txt, colorbar_title=t("chart.coverage")),
                        key="spm.indicators", config={"displaylogo": False})
        wilayah = names.get(kode, t("peta.all_kabkota")) if kode else t("peta.all_kabkota")
        st.caption(t("spm.drill_caption", bidang=markdown_text(bidang), wilayah=markdown_text(wilayah)))

    _pkk_beside_stunting(repo, period_type, period)


def _pkk_beside_stunting(repo: Repository, period_type: str, period: str) -> None:
    st.subheader(t("spm.pkk_title"))
    if not available(repo, "mart_stunting_spm_pkk", what=t("what.pkk")):
        return
    df = q.spm.pkk_beside_stunting(repo, period_type, period)
    if df.empty:
        st.info(t("common.no_rows"))
        return
    label = lang_label_column(df)
    risk = df[df["risk_factor"].notna()] if df["risk_factor"].notna().any() else df
    catalogue = risk.drop_duplicates("kode_indikator")[["kode_indikator", label, "direction"]]
    # the indicator list's own order (urutan), not whatever order the rows came in
    urutan = q.spm.pkk_indicators(repo).set_index("kode")["urutan"]
    catalogue = catalogue.sort_values("kode_indikator", key=lambda k: k.map(urutan), kind="stable")
    # indicators with a direction (a risk or a protection) before the neutral context ones
    catalogue = catalogue.sort_values("direction", key=lambda d: d.eq("neutral"), kind="stable")
    labels = dict(zip(catalogue["kode_indikator"], catalogue[label]))
    c1, _ = st.columns([2, 1])
    pick = c1.selectbox(t("spm.pkk_indicator"), list(labels), key="spm.pkk",
                        format_func=lambda k: labels[k])
    rows = df[(df["kode_indikator"] == pick)].copy()
    rows["suppressed"] = rows["suppressed"].fillna(True).astype(bool)
    pairs = rows[~rows["suppressed"] & rows["pct_stunted"].notna() & rows["value"].notna()]
    highlight = kabkota_picker(repo, "spm.pkk_kabkota", label=t("spm.pkk_highlight"), container=st)
    pairs = pairs.assign(hover=[f"<b>{html_text(n)}</b><br>{html_text(labels[pick])}: {fmt.pct(v)}<br>"
                                f"{t('chart.pct_stunted')}: {fmt.pct(p)} (n = {fmt.num(h)})"
                                for n, v, p, h in zip(pairs["nama"], pairs["value"],
                                                      pairs["pct_stunted"], pairs["n_haz"])])
    st.plotly_chart(charts.scatter(pairs, x="value", y="pct_stunted", x_title=labels[pick],
                                   y_title=t("chart.pct_stunted"), highlight=highlight),
                    key="spm.pkk_scatter", config={"displaylogo": False})
    # Spearman = Pearson of the ranks (pandas' method="spearman" imports scipy: ~1 s cold)
    corr = pairs["value"].rank().corr(pairs["pct_stunted"].rank()) if len(pairs) > 2 else None
    st.caption(t("spm.pkk_note", n=len(pairs), rho=fmt.num(corr, 2)))
    show_table(rows.sort_values("value", ascending=False),
               {"nama": "col.nama", "value": "col.value", "numerator": "col.numerator",
                "denominator": "col.denominator", "pct_stunted": "col.pct_stunted"},
               {"value": "pct", "numerator": "int", "denominator": "int", "pct_stunted": "pct"},
               height=300, key="spm.pkk_table")
