"""What the provincial report says, for the provincial TP Posyandu: the province's headline
figures (as the Ringkasan page computes them), the kab/kota prevalence map centred on the
provincial value, and all 38 kab/kota on one page with interval, coverage, comparison classes
and rank, highest prevalence first."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import charts, fmt, signif
from dashboard import queries as q
from dashboard.i18n import language, t
from dashboard.mapdata import boundaries_for, prevalence_rows
from dashboard.repository import Repository
from dashboard.views.ringkasan import headline
from reports import figures
from reports.common import Period, ReportError, provenance

MAP_CM = (12.6, 5.9)


def build(repo: Repository, period: Period) -> tuple[dict[str, Any], dict[str, bytes]]:
    with language("id"):
        prov = q.stunting.prevalensi(repo, "provinsi", period.period_type, period.period)
        rows = prevalence_rows(repo, "kabkota", period.period_type, period.period)
        if prov.empty or rows.empty:
            raise ReportError(t("laporan.no_period", period=period.period, known="–"))
        h = headline(prov.iloc[0], rows)
        center = None if pd.isna(h["pct"]) else float(h["pct"])
        table_rows = _rows(rows)
        d = {
            "title": t("laporan.title_provinsi"),
            "subtitle": t("laporan.subtitle", period=period.label),
            "source_note": t("profile.source_note"),
            "page_label": t("laporan.page"),
            "keys": _key_figures(repo, h, prov.iloc[0].get("pct_coverage"), len(rows)),
            "map_note": t("ringkasan.map_note", prov=fmt.pct(center)) + " "
            + t("laporan.map_numbers"),
            "table_title": t("laporan.table_title", n=len(rows)),
            "header": [t(k) for k in ("laporan.no", "col.kabkota", "col.n_haz", "col.pct_stunted",
                                      "laporan.ci", "cakupan.label", "col.signif",
                                      "col.signif_adj", "laporan.rank")],
            "rows": table_rows,
            "legend": t("laporan.table_note"),
            "dispersion": signif.dispersion_text(rows[~rows["suppressed"]].iloc[0])
            if (~rows["suppressed"]).any() else "",
            "provenance": provenance(repo, ["posyandu"]),
        }
        numbers = {r["kode"]: r["no"] for r in table_rows}
        return d, {"map": _map(rows, center, numbers)}


def _key_figures(repo: Repository, h: dict[str, Any], coverage: Any, n_kab: int
                 ) -> list[dict[str, str]]:
    ssgi = q.stunting.survey_provincial(repo)
    return [
        {"label": t("ringkasan.prevalence"), "value": fmt.pct(h["pct"]),
         "note": t("laporan.ci_prov", ci=fmt.interval(h["lo"], h["hi"]), n=fmt.num(h["n_haz"]))},
        {"label": t("cakupan.label"), "value": fmt.pct(coverage), "note": h["coverage"]},
        {"label": t("ringkasan.n_above"), "value": f"{h['n_above']} / {n_kab}",
         "note": t("ringkasan.n_above_signif", n=h["n_above_signif"], n_adj=h["n_above_adj"],
                   n_sup=h["n_suppressed"])},
        {"label": t("ringkasan.trend"), "value": fmt.pts(h["chg_prev"]),
         "note": t("ringkasan.yoy", pts=fmt.pts(h["chg_yoy"]))},
        {"label": t("ringkasan.ssgi"), "value": fmt.pct(ssgi), "note": t("laporan.ssgi_note")},
    ]


def _short(code: Any) -> dict[str, str]:
    if fmt._missing(code) or code not in signif.COLOURS:
        return {"text": fmt.MISSING, "colour": ""}
    return {"text": t(f"laporan.short_{code}"), "colour": signif.COLOURS[code]}


def _rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    ordered = rows.sort_values(["suppressed", "pct_stunted", "kode"],
                               ascending=[True, False, True], na_position="last")
    out = []
    for i, r in enumerate(ordered.itertuples(), start=1):
        hidden = bool(r.suppressed)
        out.append({
            "no": str(i), "kode": r.kode, "nama": r.nama, "n": fmt.num(r.n_haz),
            "pct": fmt.MISSING if hidden else fmt.pct(r.pct_stunted),
            "ci": "" if hidden else fmt.interval(r.pct_stunted_lo95, r.pct_stunted_hi95),
            "coverage": fmt.pct(r.pct_coverage) + (" ⚠" if bool(r.coverage_over_100) else ""),
            "signif": {"text": t("map.suppressed"), "colour": ""} if hidden else _short(r.signif),
            "signif_adj": _short(None if hidden else r.signif_adj),
            "rank": "" if hidden else t("laporan.rank_value", rank=fmt.num(r.rank),
                                        lo=fmt.num(r.rank_lo), hi=fmt.num(r.rank_hi)),
        })
    return out


def _map(rows: pd.DataFrame, center: float | None, numbers: dict[str, str]) -> bytes:
    """The kab/kota prevalence map, each kab/kota labelled with its row number in the table."""
    bounds = boundaries_for("kabkota")
    if bounds is None:
        return b""
    shown = rows[~rows["suppressed"] & rows["pct_stunted"].notna()]
    fills, (lo, hi) = figures.value_fills(list(shown["kode"]), list(shown["pct_stunted"]), center)
    fills |= {k: charts.GREY for k in rows.loc[rows["suppressed"], "kode"]}
    return figures.area_map(bounds.geojson, fills, width_cm=MAP_CM[0], height_cm=MAP_CM[1],
                            labels=numbers, min_share=0.01,
                            colorbar=(t("indicator.pct_stunted_short"), lo, hi, center),
                            legend=[(t("map.suppressed"), charts.GREY)])

