"""What the maps draw: for an indicator, level and period, one row per area (kode, nama, value,
hover text with n and interval, suppressed) and the value the colours centre on. The hover text
is HTML (plotly and the pydeck tooltip render it): names and other data in it are escaped."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import cakupan, fmt, hotspot, signif
from dashboard import queries as q
from dashboard.i18n import current_language, t
from dashboard.repository import Repository
from geo.boundaries import LightBoundaries, load_light
from pipelines.safe_cells import html_text

SPM_FIELDS = ("Kesehatan", "Pendidikan", "Sosial", "Pekerjaan Umum", "Perumahan Rakyat",
              "Trantibumlinmas")


@dataclass(frozen=True)
class Indicator:
    key: str  # pct_stunted, pct_stunted_eb, signif, signif_adj, hotspot, spm:<bidang>, intervensi,
    # kualitas
    table: str
    categorical: bool = False
    higher_better: bool = False

    @property
    def label(self) -> str:
        if self.key.startswith("spm:"):
            return t("indicator.spm", field=self.key[4:])
        return t(f"indicator.{self.key}")


INDICATORS = {
    "pct_stunted": Indicator("pct_stunted", "mart_prevalensi"),
    "pct_stunted_eb": Indicator("pct_stunted_eb", "mart_prevalensi"),
    "signif": Indicator("signif", "mart_prevalensi", categorical=True),
    "signif_adj": Indicator("signif_adj", "mart_prevalensi", categorical=True),
    "hotspot": Indicator("hotspot", "mart_hotspot", categorical=True),
    **{f"spm:{f}": Indicator(f"spm:{f}", "mart_spm_field", higher_better=True) for f in SPM_FIELDS},
    "intervensi": Indicator("intervensi", "mart_intervensi_progress", higher_better=True),
    "kualitas": Indicator("kualitas", "mart_kualitas_data", categorical=True),
}


@dataclass
class MapData:
    rows: pd.DataFrame  # kode, nama, value, hover, suppressed (+ category)
    center: float | None  # the provincial value the colours centre on


def prevalence_hover(df: pd.DataFrame) -> pd.Series:
    """Tooltip: name, rate with 95 % interval, n measured, stunted, the measurement coverage
    with its source; "data tidak cukup" if suppressed."""
    def one(r: pd.Series) -> str:
        if bool(r.get("suppressed")):
            return f"<b>{html_text(r['nama'])}</b><br>{t('map.suppressed')}"
        eb = r.get("pct_stunted_eb")
        smoothed = "" if pd.isna(eb) else f"<br>{t('hover.smoothed')}: {fmt.pct(eb)}"
        return (f"<b>{html_text(r['nama'])}</b><br>{t('hover.prevalence')}: {fmt.pct(r.get('pct_stunted'))}"
                f" ({t('hover.ci95')} {fmt.interval(r.get('pct_stunted_lo95'), r.get('pct_stunted_hi95'))})"
                f"{smoothed}"
                f"<br>n = {fmt.num(r.get('n_haz'))} · {t('hover.stunted')} {fmt.num(r.get('n_stunted'))}"
                f"<br>{html_text(cakupan.text(r))}"
                f"<br>{t('col.signif')}: {html_text(signif.label(r.get('signif')))}"
                f"<br>{t('col.signif_adj')}: "
                f"{html_text(signif.label(r.get('signif_adj'), adjusted=True))}")
    return df.apply(one, axis=1) if len(df) else pd.Series(dtype=object)


def prevalence_rows(repo: Repository, level: str, period_type: str, period: str,
                    kode_kabkota: str | None = None) -> pd.DataFrame:
    df = q.stunting.prevalensi(repo, level, period_type, period, kode_kabkota)
    if level == "kabkota" or "nama" not in df or df["nama"].isna().any():
        names = _names(repo, level)
        df["nama"] = df["kode"].map(names).fillna(df.get("nama", df["kode"]))
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    df["hover"] = prevalence_hover(df)
    return df


def _names(repo: Repository, level: str) -> dict[str, str]:
    ref = q.wilayah.kabkota(repo) if level == "kabkota" else q.wilayah.kecamatan(repo)
    return dict(zip(ref["kode"], ref["nama"]))


def map_data(repo: Repository, indicator: str, level: str, period_type: str, period: str,
             kode_kabkota: str | None = None) -> MapData | None:
    """The rows and colour centre for one indicator; None when its mart is missing."""
    ind = INDICATORS[indicator]
    if not q.build.has(repo, ind.table):
        return None
    if ind.table == "mart_prevalensi":
        rows = prevalence_rows(repo, level, period_type, period, kode_kabkota)
        rows["value"] = rows[indicator] if not ind.categorical else None
        rows["category"] = (rows[indicator].map(lambda c: signif.label(
            c, adjusted=indicator == "signif_adj")).where(rows[indicator].notna())
            if ind.categorical else None)
        prov = q.stunting.prevalensi(repo, "provinsi", period_type, period)
        center = float(prov["pct_stunted"].iloc[0]) if len(prov) and prov["pct_stunted"].notna().all() else None
    elif ind.table == "mart_hotspot":  # kecamatan only; a kab/kota adds its crossing clusters
        rows = hotspot.map_rows(repo, period_type, period, kode_kabkota) if level == "kecamatan" \
            else pd.DataFrame(columns=["kode", "nama", "hover", "suppressed", "category", "value"])
        center = None
    elif ind.table == "mart_spm_field":
        rows, center = _spm_rows(repo, ind.key[4:], level, period_type, period, kode_kabkota)
    elif ind.table == "mart_intervensi_progress":
        rows, center = _intervensi_rows(repo, level, kode_kabkota)
    else:
        rows, center = _kualitas_rows(repo, level, kode_kabkota)
    return MapData(rows=rows, center=center)


def _spm_rows(repo: Repository, bidang: str, level: str, period_type: str, period: str,
              kode_kabkota: str | None) -> tuple[pd.DataFrame, float | None]:
    period_type = "tahun" if period_type == "tahun" else "bulan"
    df = q.spm.field_coverage(repo, level, period_type, period, bidang, kode_kabkota)
    prov = q.spm.field_coverage(repo, "provinsi", period_type, period, bidang)
    df["value"] = df["pct_coverage_pooled"]
    df["suppressed"] = False
    df["category"] = None
    df["hover"] = [
        f"<b>{html_text(n)}</b><br>{html_text(t('indicator.spm', field=bidang))}: {fmt.pct(v)}"
        f"<br>{t('hover.served')} {fmt.num(d)} / {t('hover.target_pop')} {fmt.num(s)}"
        for n, v, d, s in zip(df["nama"], df["value"], df["dilayani"], df["sasaran"])
    ]
    center = float(prov["pct_coverage_pooled"].iloc[0]) if len(prov) else None
    return df, center


def _intervensi_rows(repo: Repository, level: str, kode_kabkota: str | None
                     ) -> tuple[pd.DataFrame, float | None]:
    """Latest progress (% of the campaign target reached) per kab/kota."""
    from dashboard.intervensi import latest_progress  # the page's own helper owns the columns

    df = latest_progress(repo)
    df = df[df["kode"].str.len() == (5 if level == "kabkota" else 8)] if len(df) else df
    df["suppressed"] = False
    df["category"] = None
    df["hover"] = [f"<b>{html_text(n)}</b><br>{t('indicator.intervensi')}: {fmt.pct(v)}<br>"
                   f"{t('hover.expected')}: {fmt.pct(e)}"
                   for n, v, e in zip(df["nama"], df["value"], df["expected"])]
    return df, None


def _kualitas_rows(repo: Repository, level: str, kode_kabkota: str | None
                   ) -> tuple[pd.DataFrame, float | None]:
    from dashboard.kualitas import quality_by_area

    df = quality_by_area(repo, level, kode_kabkota)
    df["suppressed"] = False
    df["value"] = None
    return df, None


def boundaries_for(level: str) -> LightBoundaries | None:
    try:
        return load_light(level)
    except (OSError, ValueError):
        return None


def lang_label_column(df: pd.DataFrame) -> str:
    """The label column of a catalogue in the current language (label_id / label_en)."""
    col = f"label_{current_language()}"
    return col if col in df.columns else "label_id"
