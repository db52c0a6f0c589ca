"""The one-page kab/kota profile to download: a self-contained HTML file in Indonesian (plotly.js
inlined once, so it opens offline), built from the same query layer as the page. Every value is
HTML-escaped, and table cells are also inert as spreadsheet cells (Excel opens HTML tables)."""

from __future__ import annotations

import html

import pandas as pd

from dashboard import cakupan, charts, fmt, signif
from dashboard import queries as q
from dashboard.i18n import language, t
from dashboard.mapdata import prevalence_rows
from dashboard.peers import comparison_series, peer_codes, spm_profile
from dashboard.repository import Repository
from pipelines.safe_cells import inert_text

CSS = """
body{font-family:DejaVu Sans,Arial,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.4em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0} td,th{padding:.25em .8em;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right} .note{color:#555;font-size:.85em}
"""


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{_cell(k)}</th><td class='num'>{_cell(v)}</td></tr>"
                   for k, v in pairs)


def _cell(value: object) -> str:
    return html.escape(inert_text(str(value)))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_cell(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def profile_html(repo: Repository, kode: str, period_type: str, period: str,
                 peer_group: str = "jenis") -> str:
    with language("id"):
        return _build(repo, kode, period_type, period, peer_group)


def _build(repo: Repository, kode: str, period_type: str, period: str, peer_group: str) -> str:
    rows = prevalence_rows(repo, "kabkota", period_type, period)
    me = rows[rows["kode"] == kode].iloc[0]
    ref = q.wilayah.kabkota(repo).set_index("kode")
    info = q.build.build_info(repo)
    as_of = info["extraction"].get("posyandu")
    headline = [(t("profile.n_children"), fmt.num(me["n_children"])),
                (t("profile.n_haz"), fmt.num(me["n_haz"]))]
    if me["suppressed"]:
        headline.append((t("profile.prevalence"), t("map.suppressed")))
    else:
        headline += [
            (t("profile.prevalence"), (
                f"{fmt.pct(me['pct_stunted'])} ({t('hover.ci95')} "
                f"{fmt.interval(me['pct_stunted_lo95'], me['pct_stunted_hi95'])})")),
            (t("profile.coverage"), cakupan.text(me)),
            (t("chart.provincial"), fmt.pct(me["prov_pct_stunted"])),
            (t("profile.diff"), fmt.pts(me["diff_pts"])),
            (t("profile.signif"), signif.label(me["signif"])),
            (t("profile.signif_adj"), signif.label(me["signif_adj"], adjusted=True)),
            (t("profile.dispersion"), signif.dispersion_text(me)),
            (t("profile.rank"), t("perbandingan.rank_value", rank=fmt.num(me["rank"]),
                                  n=fmt.num(me["n_peers"]), lo=fmt.num(me["rank_lo"]),
                                  hi=fmt.num(me["rank_hi"]))),
        ]
    survey_cols = [c for c in ref.columns if c.startswith("stunting_")]
    survey = pd.DataFrame({t("profile.survey"): [c.replace("stunting_", "").upper().replace("_", " ")
                                                  for c in survey_cols],
                           t("profile.value"): [fmt.pct(ref.at[kode, c]) for c in survey_cols]})
    peers = peer_codes(repo, kode, peer_group)
    series = comparison_series(repo, kode, peers, period_type)
    series["period"] = series["period"].map(fmt.period)
    trend = charts.lines(series, x="period", y="pct", series="series", highlight=ref.at[kode, "nama"],
                         y_title=t("chart.pct_stunted"))
    shown = rows[~rows["suppressed"]]
    funnel = charts.funnel(shown, highlight=kode, center=float(me["prov_pct_stunted"]))
    spm = spm_profile(repo, kode, period_type, period)
    spm_table = pd.DataFrame({t("col.bidang"): spm["bidang"], t("col.value"): spm["value"].map(fmt.pct),
                              t("col.median"): spm["median"].map(fmt.pct)})
    # provenance travels with the download: the files behind its kab/kota and period
    files = q.build.files_behind(repo, ["pengukuran", "spm"], kode, period)
    files_table = pd.DataFrame({
        t("col.source"): files["source"], t("col.file"): files["file_name"],
        t("col.extraction_date"): files["extraction_date"].map(fmt.day),
        t("col.loaded_at"): files["loaded_at"].map(lambda d: str(d)[:16]),
        t("col.sha256"): files["file_sha256"], t("col.n_rows"): files["n_rows"].map(fmt.num)})
    code = info.get("code") or {}
    title = t("profile.title", nama=ref.at[kode, "nama"])
    sub = t("profile.subtitle", period=fmt.period(period), date=fmt.day(as_of))
    return f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>{CSS}</style></head><body>
<h1>{html.escape(title)}</h1><p>{html.escape(sub)}</p>
<p class="note">{html.escape(t("profile.source_note"))}</p>
<p class="note">{html.escape(t("cakupan.help"))}</p>
<h2>{html.escape(t("profile.headline"))}</h2><table>{_rows(headline)}</table>
<h2>{html.escape(t("profile.trend", group=t(f"perbandingan.group_{peer_group}")))}</h2>
{trend.to_html(full_html=False, include_plotlyjs=True)}
<h2>{html.escape(t("perbandingan.funnel_title"))}</h2>
{funnel.to_html(full_html=False, include_plotlyjs=False)}
<p class="note">{html.escape(t("perbandingan.funnel_note"))}</p>
<h2>{html.escape(t("profile.spm"))}</h2>{_table(spm_table) if len(spm) else html.escape(t("profile.no_spm"))}
<p class="note">{html.escape(t("spm.basis_note"))}</p>
<h2>{html.escape(t("profile.survey_title"))}</h2>{_table(survey)}
<p class="note">{html.escape(t("profile.survey_note"))}</p>
<h2>{html.escape(t("caption.files", n=fmt.num(len(files), 0)))}</h2>{_table(files_table)}
<p class="note">{html.escape(t("caption.code", version=code.get("tumbuh_version", "–"),
                                 code=str(code.get("code_sha256", "–"))[:12],
                                 config=str(code.get("config_sha256", "–"))[:12],
                                 commit=str(code.get("git_commit") or "–")[:12]))}</p>
</body></html>"""
