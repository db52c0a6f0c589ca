"""Kualitas data: plausibility class by posyandu and kecamatan, reporting completeness by month,
and what ingestion rejected and why (counts by reason and by file)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import charts, fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.kualitas import CLASSES, quality_rows
from dashboard.repository import Repository
from dashboard.widgets import available, own_index, period_picker, show_table, source_caption

ALL = ""
MAX_ROWS = 500


def render(repo: Repository) -> None:
    st.title(t("kualitas.title"))
    if available(repo, "mart_kualitas_data", what=t("what.kualitas")):
        _plausibility(repo)
        _completeness(repo)
    _rejects(repo)
    _audits(repo)


def _audits(repo: Repository) -> None:
    """The checks every build runs before it publishes (a failing one blocks the publish)."""
    if not q.build.has(repo, "meta_audit"):
        return
    st.subheader(t("kualitas.audits_title"))
    results = q.kualitas.audit_results(repo)
    failing = int((results["n_failing"] > 0).sum())
    st.caption(t("kualitas.audits_note", n=fmt.num(len(results)), failing=fmt.num(failing)))
    results["status"] = results["n_failing"].map(
        lambda n: t("kualitas.audit_ok") if n == 0 else t("kualitas.audit_failed"))
    show_table(results, {"audit": "col.audit", "domain": "col.domain", "status": "col.status",
                         "n_failing": "col.n_rows", "checked_at": "col.checked_at"},
               {"n_failing": "int"}, key="kualitas.audits")


def _plausibility(repo: Repository) -> None:
    picked = period_picker(repo, "kualitas", periods_of=q.kualitas.periods(repo))
    if picked is None:
        return
    period_type, period = picked
    source_caption(repo, ["pengukuran"], period)
    c1, c2 = st.columns(2)
    level = c1.radio(t("peta.level"), ["posyandu", "kecamatan", "kabkota"], horizontal=True,
                     key="kualitas.level", format_func=lambda v: t(f"level.{v}"))
    kab = q.wilayah.kabkota(repo)
    names = dict(zip(kab["kode"], kab["nama"]))
    options = [ALL, *kab["kode"]]
    kode = c2.selectbox(t("common.kabkota"), options, key="kualitas.kabkota", index=own_index(repo, options),
                        format_func=lambda k: names.get(k, t("peta.all_kabkota")))
    rows = quality_rows(repo, level, period_type, period, kode or None)
    st.subheader(t("kualitas.class_title", level=t(f"level.{level}")))
    counts = rows["kelas"].value_counts()
    cols = st.columns(len(CLASSES) + 1)
    for col, kelas in zip(cols, [*CLASSES, t("map.suppressed")]):
        col.metric(kelas, fmt.num(counts.get(kelas, 0)))
    st.caption(t("kualitas.class_note"))
    worst = rows.sort_values(["skor", "nama"], ascending=[False, True], na_position="last")
    if len(worst) > MAX_ROWS:  # ~46,000 posyandu province-wide: show the most problematic
        st.caption(t("kualitas.worst", n=fmt.num(MAX_ROWS), total=fmt.num(len(worst))))
        worst = worst.head(MAX_ROWS)
    show_table(worst,
               {"nama": "col.nama", "n_children": "col.n_children", "kelas": "col.kelas",
                "skor": "col.skor", "pct_flag_haz": "col.pct_flag_haz", "sd_haz": "col.sd_haz",
                "dps_height": "col.dps_height", "heaping_index": "col.heaping",
                "pct_missing": "col.pct_missing", "pct_kat_tbu_disagree": "col.disagree"},
               {"n_children": "int", "skor": "int", "pct_flag_haz": "pct", "sd_haz": "num2",
                "dps_height": "num1", "heaping_index": "num1", "pct_missing": "pct",
                "pct_kat_tbu_disagree": "pct"},
               height=320, key="kualitas.table")


def _completeness(repo: Repository) -> None:
    st.subheader(t("kualitas.completeness_title"))
    df = q.kualitas.completeness(repo)
    if df.empty:
        st.info(t("common.no_rows"))
        return
    df["period_label"] = df["period"].map(fmt.period)
    matrix = df.pivot_table(index="nama", columns="period_label", values="pct_reporting",
                            aggfunc="first", sort=False)
    st.plotly_chart(charts.heatmap(matrix, text=matrix.map(fmt.pct),
                                   colorbar_title=t("kualitas.pct_reporting"),
                                   show_text=len(matrix.columns) <= 12),  # legible cells only
                    key="kualitas.completeness", config={"displaylogo": False})
    st.caption(t("kualitas.completeness_note"))


def _rejects(repo: Repository) -> None:
    st.subheader(t("kualitas.rejects_title"))
    if not q.build.has(repo, "load_rejects", "load_files"):
        st.info(t("common.not_available", what=t("what.rejects"), tables="load_rejects, load_files"))
        return
    source_caption(repo, ["pengukuran", "spm", "pkk", "intervensi"])
    by_reason = q.kualitas.rejects_by_reason(repo)
    if by_reason.empty:
        st.success(t("kualitas.no_rejects"))
        return
    by_reason["reason_label"] = by_reason["reason"].map(_reason_label)
    total = int(by_reason["n_rows"].sum())
    st.metric(t("kualitas.n_rejected"), fmt.num(total))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('kualitas.by_reason')}**")
        show_table(by_reason, {"source": "col.source", "reason_label": "col.reason",
                               "n_rows": "col.n_rows", "n_files": "col.n_files"},
                   {"n_rows": "int", "n_files": "int"}, key="kualitas.reasons")
    with right:
        st.markdown(f"**{t('kualitas.by_file')}**")
        by_file = q.kualitas.rejects_by_file(repo)
        by_file["reasons"] = by_file["reasons"].fillna("").map(
            lambda text: re.sub(r"([a-z_]+) \(", lambda m: f"{_reason_label(m.group(1))} (", text))
        show_table(by_file, {"file_name": "col.file", "rows_read": "col.rows_read",
                             "rows_rejected": "col.rows_rejected", "reasons": "col.reason"},
                   {"rows_read": "int", "rows_rejected": "int"}, height=320, key="kualitas.files")


def _reason_label(reason: object) -> str:
    key = f"reason.{reason}"
    try:
        return t(key)
    except KeyError:
        return str(reason) if not pd.isna(reason) else "–"
