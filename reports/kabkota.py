"""What the kab/kota report says, read through the dashboard's query layer with the caller's
Repository (so a kab/kota user's wilayah scope holds in the PDF as on the page): prevalence with
its interval and coverage, the comparison classes, rank and rank interval, the trend beside its
peers, the kecamatan map with hotspots, the SPM profile, the intervention's progress where it is
a target, data quality, and the provenance footer. Values are formatted as the dashboard does."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import cakupan, fmt, signif
from dashboard import queries as q
from dashboard.i18n import language, t
from dashboard.kualitas import quality_rows
from dashboard.mapdata import prevalence_rows
from dashboard.peers import comparison_series, peer_codes, spm_profile
from dashboard.repository import Repository
from reports import figures
from reports.common import Period, ReportError, axis_label, provenance, table
from reports.hotspots import kecamatan_map
from reports.intervention import progress_section

TREND_PERIODS = 6  # the last periods of the trend written out as a table
MAX_PEERS_NAMED = 8


def build(repo: Repository, kode: str, period: Period, peer_group: str = "jenis"
          ) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The report's content (text for the template) and its figures (SVG by name)."""
    with language("id"):
        rows = prevalence_rows(repo, "kabkota", period.period_type, period.period)
        ref = q.wilayah.kabkota(repo).set_index("kode")
        mine = rows[rows["kode"] == kode]
        if kode not in ref.index or mine.empty:
            raise ReportError(t("laporan.no_kabkota", kode=kode, period=period.label))
        me, nama = mine.iloc[0], str(ref.at[kode, "nama"])
        trend, trend_svg = _trend(repo, kode, nama, period, peer_group)
        hot, map_svg = kecamatan_map(repo, kode, nama, period)
        d = {
            "title": t("laporan.title_kabkota", nama=nama),
            "subtitle": t("laporan.subtitle", period=period.label),
            "source_note": t("profile.source_note"),
            "page_label": t("laporan.page"),
            "keys": _key_figures(me),
            "suppressed": t("laporan.suppressed", nama=nama) if me["suppressed"] else "",
            "classes": [] if me["suppressed"] else _classes(me),
            "dispersion": "" if me["suppressed"] else signif.dispersion_text(me),
            "coverage_help": t("cakupan.help"),
            "trend": trend,
            "hotspot": hot,
            "spm": _spm(repo, kode, period),
            "intervensi": progress_section(repo, kode),
            "kualitas": _quality(repo, kode, period),
            "survey": _survey(ref.loc[kode]),
            "notes_title": t("laporan.notes_title"),
            "provenance": provenance(repo, ["posyandu", "spm", "pkk", "intervensi"]),
        }
    return d, {"trend": trend_svg, "map": map_svg}


def _key_figures(me: pd.Series) -> list[dict[str, str]]:
    if me["suppressed"]:  # the mart hides its counts too
        return [{"label": t("profile.prevalence"), "value": t("map.suppressed"), "note": ""}]
    return [
        {"label": t("profile.prevalence"), "value": fmt.pct(me["pct_stunted"]),
         "note": t("laporan.ci_n", ci=fmt.interval(me["pct_stunted_lo95"], me["pct_stunted_hi95"]),
                   n=fmt.num(me["n_haz"]), stunted=fmt.num(me["n_stunted"]))},
        {"label": t("cakupan.label"), "value": fmt.pct(me.get("pct_coverage")),
         "note": cakupan.text(me)},
        {"label": t("perbandingan.rank"),
         "value": f"{fmt.num(me['rank'])} / {fmt.num(me['n_peers'])}",
         "note": t("perbandingan.rank_interval", lo=fmt.num(me["rank_lo"]), hi=fmt.num(me["rank_hi"]))},
        {"label": t("perbandingan.diff"), "value": fmt.pts(me["diff_pts"]),
         "note": t("perbandingan.diff_help", prov=fmt.pct(me["prov_pct_stunted"]))},
    ]


def _classes(me: pd.Series) -> list[dict[str, str]]:
    return [
        {"label": t("perbandingan.signif"), "value": signif.label(me["signif"]),
         "colour": signif.COLOURS.get(me["signif"], "#ffffff"),
         "note": t("laporan.p_values", p_above=fmt.num(me["p_above"], 4),
                   p_below=fmt.num(me["p_below"], 4))},
        {"label": t("perbandingan.signif_adj"), "value": signif.label(me["signif_adj"], adjusted=True),
         "colour": signif.COLOURS.get(me["signif_adj"], "#ffffff"), "note": ""},
    ]


def _trend(repo: Repository, kode: str, nama: str, period: Period, group: str
           ) -> tuple[dict[str, Any], bytes]:
    peers = peer_codes(repo, kode, group)
    names = q.wilayah.kabkota(repo).set_index("kode")["nama"]
    series = comparison_series(repo, kode, peers, period.period_type)
    series = series[series["period"] <= period.period]
    order = sorted(series["period"].unique())
    series = series.assign(period=series["period"].map(axis_label))
    series["order"] = series["period"].map({axis_label(p): i for i, p in enumerate(order)})
    series = series.sort_values(["order"], kind="stable")
    svg = figures.trend(series, highlight=nama, provincial=t("chart.provincial"),
                        size_cm=(10.0, 4.6), y_title=t("chart.pct_stunted"))
    wide = series.pivot_table(index="order", columns="series", values="pct", aggfunc="first")
    short = {nama: "laporan.series_kab", t("perbandingan.peers_series", n=len(peers)):
             "laporan.series_peers", t("chart.provincial"): "laporan.series_prov"}
    columns = [c for c in short if c in wide.columns]
    last = wide.tail(TREND_PERIODS)
    rows = [[axis_label(order[i]), *(fmt.pct(last.at[i, c]) for c in columns)] for i in last.index]
    header = [t("common.period"), *(t(short[c]) for c in columns)]
    listed = [str(names.get(p, p)) for p in peers]
    return {
        "title": t("perbandingan.peers_title"),
        "peers": (t("perbandingan.peers_list", names=", ".join(listed) or "–")
                  if len(listed) <= MAX_PEERS_NAMED
                  else t("laporan.peers_count", n=len(listed), group=t(f"perbandingan.group_{group}"))),
        "table": table(header, rows, "l" + "r" * len(columns)),
    }, svg


def _spm(repo: Repository, kode: str, period: Period) -> dict[str, Any]:
    out: dict[str, Any] = {"title": t("profile.spm"), "rows": [], "note": t("spm.basis_note"),
                           "period": ""}
    if not q.build.has(repo, "mart_spm_field"):
        out["note"] = t("profile.no_spm")
        return out
    spm = spm_profile(repo, kode, period.period_type, period.period)
    if spm.empty:
        out["note"] = t("profile.no_spm")
        return out
    out["period"] = t("laporan.spm_period", period=fmt.period(spm["period"].iloc[0]))
    out["rows"] = [{"bidang": r.bidang, "value": fmt.pct(r.value), "median": fmt.pct(r.median),
                    "v": None if pd.isna(r.value) else float(r.value),
                    "m": None if pd.isna(r.median) else float(r.median)}
                   for r in spm.itertuples()]
    out["header"] = [t("col.bidang"), t("laporan.this_kabkota"), t("col.median"), ""]
    return out


def _quality(repo: Repository, kode: str, period: Period) -> dict[str, Any]:
    period_type, month = period.monthly
    out: dict[str, Any] = {"title": t("laporan.quality_title", period=fmt.period(month)),
                           "table": None, "note": t("kualitas.class_note")}
    if not q.build.has(repo, "mart_kualitas_data"):
        out["note"] = t("common.not_available", what=t("what.kualitas"), tables="mart_kualitas_data")
        return out
    rows = quality_rows(repo, "kabkota", period_type, month, kode)
    if rows.empty:
        out["note"] = t("common.no_rows")
        return out
    r = rows.iloc[0]
    pairs = [
        (t("kualitas.class"), r["kelas"]),
        (t("kualitas.score"), fmt.num(r["skor"])),
        (t("col.n_children"), fmt.num(r["n_children"])),
        (t("col.pct_flag_haz"), fmt.pct(r["pct_flag_haz"])),
        (t("col.sd_haz"), fmt.num(r["sd_haz"], 2)),
        (t("col.pct_missing"), fmt.pct(r["pct_missing"])),
        (t("kualitas.pct_reporting"), t("laporan.reporting", pct=fmt.pct(r["pct_reporting"]),
                                        n=fmt.num(r["n_posyandu_bulan"]),
                                        known=fmt.num(r["n_posyandu_known"]))),
        (t("kualitas.n_rejected"), t("laporan.rejected", n=fmt.num(r["n_rows_rejected"]),
                                     pct=fmt.pct(r["pct_rejected"]),
                                     read=fmt.num(r["n_rows_read"]))),
    ]
    out["table"] = table([t("col.metric"), t("col.value")], pairs, "lr")
    return out


def _survey(ref: pd.Series) -> str:
    values = [f"{c.replace('stunting_', '').upper().replace('_', ' ')} {fmt.pct(ref[c])}"
              for c in ref.index if c.startswith("stunting_") and not fmt._missing(ref[c])]
    return t("laporan.survey", values=" · ".join(values) or "–")
