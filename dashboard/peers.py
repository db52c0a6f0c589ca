"""Peer groups for the comparison page and the series and SPM profile it compares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import SPM_FIELDS
from dashboard.repository import Repository
from geo.boundaries import neighbours

PEER_GROUPS = ("jenis", "tetangga", "baseline")
N_NEAREST = 5


def peer_codes(repo: Repository, kode: str, group: str) -> list[str]:
    """The kab/kota compared with `kode`: same jenis (Kabupaten/Kota), bordering neighbours (from
    the boundaries; without them the nearest seats), or the closest SSGI 2024 baseline. The
    survey baseline only chooses the group; the values compared are administrative."""
    ref = q.wilayah.kabkota(repo).set_index("kode")
    if kode not in ref.index:
        return []
    if group == "jenis":
        return [k for k in ref.index[ref["jenis"] == ref.at[kode, "jenis"]] if k != kode]
    if group == "tetangga":
        try:
            border = neighbours("kabkota").get(kode)
        except (OSError, ValueError):
            border = None
        if border:
            return [k for k in border if k in ref.index]
        lat, lon = np.radians(ref["lat"].astype(float)), np.radians(ref["lon"].astype(float))
        d = np.hypot((lon - lon[kode]) * np.cos(lat[kode]), lat - lat[kode])
        return list(d.drop(kode).nsmallest(N_NEAREST).index)
    base = ref["stunting_ssgi_2024"].astype(float)
    if pd.isna(base.get(kode)):
        return []
    return list((base - base[kode]).abs().drop(kode).dropna().nsmallest(N_NEAREST).index)


def comparison_series(repo: Repository, kode: str, peers: list[str], period_type: str) -> pd.DataFrame:
    """period, series, pct: the kab/kota, its peers pooled (stunted / measured over the peers
    not suppressed) and the province, for every period of the type."""
    df = q.stunting.prevalensi_series(repo, "kabkota", period_type, [kode, *peers])
    ref = q.wilayah.kabkota(repo).set_index("kode")["nama"]
    me = df[(df["kode"] == kode) & ~df["suppressed"].fillna(False).astype(bool)]
    out = [pd.DataFrame({"period": me["period"], "series": ref.get(kode, kode), "pct": me["pct_stunted"]})]
    peer_rows = df[df["kode"].isin(peers) & ~df["suppressed"].fillna(False).astype(bool)]
    if len(peer_rows):
        pooled = peer_rows.groupby("period", as_index=False)[["n_stunted", "n_haz"]].sum()
        pooled["pct"] = 100 * pooled["n_stunted"] / pooled["n_haz"].where(pooled["n_haz"] > 0)
        out.append(pooled.assign(series=t("perbandingan.peers_series", n=len(peers)))[
            ["period", "series", "pct"]])
    prov = df.drop_duplicates("period")[["period", "prov_pct_stunted"]]
    out.append(pd.DataFrame({"period": prov["period"], "series": t("chart.provincial"),
                             "pct": prov["prov_pct_stunted"]}))
    return pd.concat(out, ignore_index=True).sort_values(["series", "period"], kind="stable")


def spm_period(repo: Repository, period_type: str, period: str) -> tuple[str, str] | None:
    """The SPM period matching a prevalence period (same month or year, else the latest)."""
    periods = q.spm.periods(repo)
    want = "tahun" if period_type == "tahun" else "bulan"
    if not periods.get(want):
        return None
    return want, period if period in periods[want] else periods[want][0]


def spm_profile(repo: Repository, kode: str, period_type: str, period: str) -> pd.DataFrame:
    """bidang, the kab/kota's pooled coverage and the median over the 38 kab/kota."""
    matched = spm_period(repo, period_type, period)
    if matched is None:
        return pd.DataFrame(columns=["bidang", "value", "median", "period"])
    df = q.spm.field_coverage(repo, "kabkota", *matched)
    median = df.groupby("bidang")["pct_coverage_pooled"].median().rename("median")
    mine = df[df["kode"] == kode].set_index("bidang")["pct_coverage_pooled"].rename("value")
    out = pd.concat([mine, median], axis=1)
    out = out.reindex([f for f in SPM_FIELDS if f in out.index]).reset_index(names="bidang")
    return out.assign(period=matched[1])
