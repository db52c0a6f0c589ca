"""The hotspot layer of the map page: LISA cluster classes of the smoothed kecamatan stunting
prevalence (mart_hotspot) and the global Moran's I of the period (mart_moran).

The mart stores the codes HH, LL, HL, LH and ns; the labels live in the locale files
(`hotspot.*`, Indonesian first). docs/marts_stunting.md gives the method."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import Repository
from pipelines.safe_cells import html_text, markdown_text

CODES = ("HH", "HL", "LH", "LL", "ns")
COLOURS = {  # the usual LISA map colours (GeoDa): red hot spots, blue cold spots, pale outliers
    "HH": "#d7191c",
    "HL": "#fdae61",
    "LH": "#abd9e9",
    "LL": "#2c7bb6",
    "ns": "#f7f7f7",
}
HIDDEN = ("no_data", "no_boundary", "not_analysed")  # drawn as "tidak ada data"
TABLE = {"nama": "col.nama", "nama_kabkota": "col.kabkota", "pct_stunted_eb": "col.pct_stunted_eb",
         "cluster": "col.cluster", "p_lisa": "col.p_lisa", "p_lisa_fdr": "col.p_lisa_fdr",
         "gi_z": "col.gi_z", "gi_p": "col.gi_p"}
TABLE_FORMATS = {"pct_stunted_eb": "pct", "p_lisa": "num3", "p_lisa_fdr": "num3", "gi_z": "num2",
                 "gi_p": "num3"}


def label(code: Any) -> str:
    """The label of a cluster code; "–" for none (a kecamatan not analysed)."""
    if fmt._missing(code) or code not in COLOURS:
        return fmt.MISSING
    return t(f"hotspot.{code}")


def palette() -> dict[str, str]:
    """Colour by label in the current language, in legend order."""
    return {label(code): COLOURS[code] for code in CODES}


def _hover(r: pd.Series, drill: str | None, kab_names: dict[str, str]) -> str:
    name = f"<b>{html_text(r['nama'])}</b>"
    if drill and r["kode_kabkota"] != drill:
        name += f"<br>{html_text(kab_names.get(r['kode_kabkota'], r['kode_kabkota']))} · " \
                f"{t('hotspot.outside')}"
    if r["status"] == "suppressed":
        return f"{name}<br>{t('map.suppressed')}"
    return (f"{name}<br>{t('hover.smoothed')}: {fmt.pct(r['pct_stunted_eb'])}"
            f"<br>{t('col.cluster')}: {html_text(label(r['cluster']))}"
            f"<br>{t('col.p_lisa')}: {fmt.num(r['p_lisa'], 3)} · "
            f"{t('col.p_lisa_fdr')}: {fmt.num(r['p_lisa_fdr'], 3)}"
            f"<br>{t('col.gi_z')}: {fmt.num(r['gi_z'], 2)} (p {fmt.num(r['gi_p'], 3)})")


def map_rows(repo: Repository, period_type: str, period: str, kode_kabkota: str | None
             ) -> pd.DataFrame:
    """kode, nama, hover, suppressed, category (the cluster label), value (none) for the map: a
    kab/kota's kecamatan and the kecamatan of its border-crossing clusters, or the province's."""
    df = q.hotspot.local(repo, period_type, period, kode_kabkota)
    df = df[~df["status"].isin(HIDDEN)].copy()
    kab = q.wilayah.kabkota(repo)
    names = dict(zip(kab["kode"], kab["nama"]))
    df["nama_kabkota"] = df["kode_kabkota"].map(names)
    df["suppressed"] = df["status"].eq("suppressed")
    df["category"] = df["cluster"].map(label).where(df["cluster"].notna())
    df["value"] = None
    df["hover"] = [_hover(r, kode_kabkota, names) for _, r in df.iterrows()]
    return df.reset_index(drop=True)


def summary(repo: Repository, period_type: str, period: str, rows: pd.DataFrame,
            drill: str | None, names: dict[str, str]) -> None:
    """The global Moran's I of the period, how the clusters were tested, and (for a kab/kota)
    which clusters cross its border."""
    moran = q.hotspot.moran(repo, period_type, period)
    if moran is None or moran.get("status") != "analysed":
        reason = (moran or {}).get("status", "no_data")
        st.info(t(f"hotspot.not_analysed_{reason}", n=fmt.num((moran or {}).get("n_units"))))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(t("hotspot.moran_i"), fmt.num(moran["moran_i"], 3),
              help=t("hotspot.moran_help", ei=fmt.num(moran["expected_i"], 3)))
    c2.metric(t("hotspot.moran_p"), fmt.num(moran["p_sim"], 3),
              help=t("hotspot.moran_p_help", perms=fmt.num(moran["permutations"]),
                     z=fmt.num(moran["z_sim"], 2)))
    c3.metric(t("hotspot.units"), fmt.num(moran["n_units"]))
    verdict = "clustered" if moran["p_sim"] <= moran["alpha"] and moran["moran_i"] > moran[
        "expected_i"] else "not_clustered"
    st.caption(t(f"hotspot.{verdict}") + " " + t(
        "hotspot.method", alpha=fmt.num(moran["alpha"], 2), perms=fmt.num(moran["permutations"]),
        hh=fmt.num(moran["n_hh"]), ll=fmt.num(moran["n_ll"]), raw=fmt.num(moran["n_signif_raw"]),
        fdr=fmt.num(moran["n_hh"] + moran["n_ll"] + moran["n_hl"] + moran["n_lh"])))
    if rows.empty:
        st.info(t("common.no_rows"))
    elif drill:
        outside = rows[rows["kode_kabkota"] != drill]
        if len(outside):
            where = ", ".join(markdown_text(names.get(k, k))
                              for k in sorted(outside["kode_kabkota"].unique()))
            st.caption(t("hotspot.crossing", n=len(outside), where=where))
