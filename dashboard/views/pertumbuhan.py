"""Pemantauan pertumbuhan: the SKDN counts and ratios of a month per posyandu, desa, kecamatan or
kab/kota (mart_skdn, domain.md 1.6), the agreement of tumbuh's N/T with the export's own
`Naik Berat Badan`, and the 2T follow-up list by export file and row for the roles that may see
child-level rows (mart_skdn_2t, decision D35)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cakupan, fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import Repository
from dashboard.widgets import available, own_index, show_table, source_caption

ALL = ""
LEVELS = ("posyandu", "desa", "kecamatan", "kabkota")
MAX_ROWS = 500
RATIOS = (("pct_ds", "D/S"), ("pct_nd", "N/D"), ("pct_td", "T/D"), ("pct_2td", "2T/D"),
          ("pct_bgmd", "BGM/D"))
COUNTS = {"n_s": "col.skdn_s", "n_k": "col.skdn_k", "n_d": "col.skdn_d", "n_n": "col.skdn_n",
          "n_t": "col.skdn_t", "n_o": "col.skdn_o", "n_b": "col.skdn_b", "n_2t": "col.skdn_2t",
          "n_bgm": "col.skdn_bgm"}


def render(repo: Repository) -> None:
    st.title(t("pertumbuhan.title"))
    if not available(repo, "mart_skdn", what=t("what.skdn")):
        return
    months = q.skdn.periods(repo)
    if not months:
        st.info(t("common.no_periods"))
        return
    c1, c2, c3 = st.columns(3)
    period = c1.selectbox(t("common.period"), months, format_func=fmt.period,
                          key="pertumbuhan.period")
    level = c2.radio(t("peta.level"), LEVELS, horizontal=True, key="pertumbuhan.level",
                     format_func=lambda v: t(f"level.{v}"))
    kab = q.wilayah.kabkota(repo)
    names = dict(zip(kab["kode"], kab["nama"]))
    options = [ALL, *kab["kode"]]
    kode = c3.selectbox(t("common.kabkota"), options, index=own_index(repo, options),
                        key="pertumbuhan.kabkota",
                        format_func=lambda k: names.get(k, t("peta.all_kabkota")))
    source_caption(repo, ["pengukuran"], period, extra=t("pertumbuhan.definition"),
                   kode=kode or None)
    _headline(repo, period, kode or None)
    _units(repo, level, period, kode or None)
    _follow_up(repo, period, kode or None)


def _headline(repo: Repository, period: str, kode: str | None) -> None:
    """The chosen kab/kota's (or the province's) ratios, with S's source and the agreement."""
    level, unit = ("kabkota", kode) if kode else ("provinsi", "35")
    rows = q.skdn.rows(repo, level, period)
    row = rows[rows["kode"] == unit]
    if row.empty:
        st.info(t("common.no_rows"))
        return
    r = row.iloc[0]
    if bool(r["suppressed"]):
        st.info(t("pertumbuhan.suppressed", nama=r["nama"]))
        return
    cols = st.columns(len(RATIOS) + 1)
    for col, (column, label) in zip(cols, RATIOS):
        col.metric(label, fmt.pct(r[column]), help=t(f"pertumbuhan.help_{column}"))
    cols[-1].metric(t("pertumbuhan.agreement"), fmt.pct(r["pct_naik_bb_sama"]),
                    help=t("pertumbuhan.agreement_help", n=fmt.num(r["n_naik_bb_banding"])))
    st.caption(t("pertumbuhan.counts", s=fmt.num(r["n_s"]), source=_source(r["s_sumber"]),
                 d=fmt.num(r["n_d"]), n=fmt.num(r["n_n"]), t=fmt.num(r["n_t"]),
                 o=fmt.num(r["n_o"]), b=fmt.num(r["n_b"]), t2=fmt.num(r["n_2t"]),
                 bgm=fmt.num(r["n_bgm"]), nd=fmt.pct(r["pct_nd_dinilai"])))


def _units(repo: Repository, level: str, period: str, kode: str | None) -> None:
    st.subheader(t("pertumbuhan.units_title", level=t(f"level.{level}")))
    df = q.skdn.rows(repo, level, period, kode)
    if df.empty:
        st.info(t("common.no_rows"))
        return
    df["sumber"] = df["s_sumber"].map(_source)
    df["status"] = df["suppressed"].map(lambda s: t("map.suppressed") if s else "")
    df = df.sort_values(["pct_2td", "nama"], ascending=[False, True], na_position="last")
    if len(df) > MAX_ROWS:  # ~46,000 posyandu province-wide: the most 2T first
        st.caption(t("pertumbuhan.most_2t", n=fmt.num(MAX_ROWS), total=fmt.num(len(df))))
        df = df.head(MAX_ROWS)
    columns = {"nama": "col.nama", "status": "col.status", **COUNTS,
               **{c: f"col.skdn_{c}" for c, _ in RATIOS},
               "pct_naik_bb_sama": "col.skdn_agreement", "sumber": "col.coverage_source"}
    formats = {**{c: "int" for c in COUNTS}, **{c: "pct" for c, _ in RATIOS},
               "pct_naik_bb_sama": "pct"}
    show_table(df, columns, formats, height=360, key="pertumbuhan.units")
    st.caption(t("pertumbuhan.units_note"))


def _follow_up(repo: Repository, period: str, kode: str | None) -> None:
    st.subheader(t("pertumbuhan.follow_up_title"))
    if not repo.child_rows:
        st.info(t("pertumbuhan.follow_up_not_allowed"))
        return
    df = q.skdn.follow_up_2t(repo, period, kode)
    if df.empty:
        st.success(t("pertumbuhan.follow_up_none"))
        return
    st.caption(t("pertumbuhan.follow_up_note", n=fmt.num(len(df))))
    if len(df) > MAX_ROWS:
        st.caption(t("pertumbuhan.follow_up_cut", n=fmt.num(MAX_ROWS)))
        df = df.head(MAX_ROWS)
    df["bgm"] = df["bgm"].map(lambda b: "BGM" if not pd.isna(b) and bool(b) else "")
    df["sheet"] = df["sheet"].fillna("")  # CSV and HTML exports have no sheet
    show_table(df, {"posyandu": "col.posyandu", "file_name": "col.file", "sheet": "col.sheet",
                    "row_number": "col.row", "no_ekspor": "col.no_ekspor",
                    "tanggal_timbang": "col.tanggal_timbang", "umur_bulan": "col.umur_bulan",
                    "berat_lalu_2_kg": "col.berat_2", "berat_lalu_kg": "col.berat_1",
                    "berat_kg": "col.berat_0", "naik_lalu_g": "col.naik_1", "naik_g": "col.naik_0",
                    "kbm_g": "col.kbm", "bgm": "col.bgm", "naik_bb": "col.naik_bb"},
               # the row as a plain number (no thousands separator): the kader looks it up
               {"tanggal_timbang": "date", "umur_bulan": "int",
                "berat_lalu_2_kg": "num2", "berat_lalu_kg": "num2", "berat_kg": "num2",
                "naik_lalu_g": "int", "naik_g": "int", "kbm_g": "int"},
               height=360, key="pertumbuhan.follow_up")


def _source(source: object) -> str:
    """Where S comes from, in words."""
    if not pd.isna(source) and source == "spm_kes01":
        return t("pertumbuhan.s_spm_kes01")
    return cakupan.source_label(source)
