"""The kab/kota report's kecamatan map: the LISA cluster of each kecamatan's smoothed prevalence
(mart_hotspot, through the map page's own `hotspot.map_rows`, so the scope's rules apply: a
kab/kota user gets no other kab/kota's kecamatan except where its own clusters cross the border),
the period's global Moran's I, and the kecamatan in clusters named."""

from __future__ import annotations

from typing import Any

import pandas as pd
import shapely

from dashboard import charts, fmt, hotspot
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import boundaries_for
from dashboard.repository import Repository
from reports import figures
from reports.common import Period

CLUSTERS = ("HH", "LL", "HL", "LH")
MAP_CM = (10.5, 9.5)
ISLANDS_SHARE = 0.25  # islands under a quarter of the kab/kota's land may fall outside its map


def kecamatan_map(repo: Repository, kode: str, nama: str, period: Period
                  ) -> tuple[dict[str, Any], bytes]:
    """The section's text and the map (SVG; empty bytes without boundaries)."""
    out: dict[str, Any] = {"title": t("laporan.map_title", nama=nama), "moran": "",
                           "clusters": [], "note": "", "outside": "",
                           "empty": t("laporan.no_clusters", nama=nama)}
    rows = (hotspot.map_rows(repo, period.period_type, period.period, kode)
            if q.build.has(repo, "mart_hotspot") else pd.DataFrame(columns=["kode", "cluster"]))
    out["moran"] = _moran(repo, period)
    mine = rows[rows["kode"].str.startswith(kode + ".")] if len(rows) else rows
    for code in CLUSTERS:
        part = mine[mine["cluster"] == code] if len(mine) else mine
        if len(part):
            names = ", ".join(f"{n} ({fmt.pct(v)})" for n, v in zip(part["nama"],
                                                                   part["pct_stunted_eb"]))
            out["clusters"].append({"label": hotspot.label(code), "colour": hotspot.COLOURS[code],
                                    "n": fmt.num(len(part)), "names": names})
    outside = rows[~rows["kode"].str.startswith(kode + ".")] if len(rows) else rows
    if len(outside):
        kab = q.wilayah.kabkota(repo).set_index("kode")["nama"]
        where = ", ".join(str(kab.get(k, k)) for k in sorted(outside["kode_kabkota"].unique()))
        out["note"] = t("hotspot.crossing", n=len(outside), where=where)
    bounds = boundaries_for("kecamatan")
    if bounds is None:
        out["note"] = t("map.kecamatan_needs_boundaries")
        return out, b""
    shown = set(rows["kode"]) if len(rows) else set()
    features = [f for f in bounds.geojson["features"]
                if f["properties"]["kode"].startswith(kode + ".") or f["properties"]["kode"] in shown]
    geojson = {"type": "FeatureCollection", "features": features}
    own_features = [f for f in features if f["properties"]["kode"].startswith(kode + ".")]
    bounds = figures.frame({"features": own_features}, ISLANDS_SHARE)
    out["outside"] = _outside(own_features, bounds, rows)
    fills = {r.kode: (charts.GREY if r.suppressed else hotspot.COLOURS.get(r.cluster, charts.NO_DATA))
             for r in rows.itertuples()}
    outline = [figures.dissolve([f["geometry"] for f in own_features])] if own_features else []
    legend = [(hotspot.label(c), hotspot.COLOURS[c]) for c in hotspot.CODES]
    legend += [(t("map.suppressed"), charts.GREY), (t("map.no_data"), charts.NO_DATA)]
    labels = dict(zip(rows["kode"], rows["nama"])) if len(rows) else {}
    svg = figures.area_map(geojson, fills, width_cm=MAP_CM[0], height_cm=MAP_CM[1],
                           legend=legend, labels=labels, outline=outline, bounds=bounds)
    return out, svg


def _outside(features: list[dict], bounds: tuple[float, ...], rows: pd.DataFrame) -> str:
    """The kecamatan on small far islands, outside the map's frame, with their class in words."""
    box = shapely.box(*bounds)
    far = [f for f in features if not box.intersects(shapely.geometry.shape(f["geometry"]))]
    if not far:
        return ""
    by_kode = rows.set_index("kode") if len(rows) else pd.DataFrame()
    named = []
    for f in far:
        kode = f["properties"]["kode"]
        r = by_kode.loc[kode] if kode in by_kode.index else None
        state = (t("map.no_data") if r is None else t("map.suppressed") if r["suppressed"]
                 else hotspot.label(r["cluster"]))
        named.append(f"{f['properties']['nama']} ({state})")
    return t("laporan.outside_map", names=", ".join(named))


def _moran(repo: Repository, period: Period) -> str:
    moran = q.hotspot.moran(repo, period.period_type, period.period)
    if moran is None or moran.get("status") != "analysed":
        reason = (moran or {}).get("status", "no_data")
        return t(f"hotspot.not_analysed_{reason}", n=fmt.num((moran or {}).get("n_units")))
    clustered = moran["p_sim"] <= moran["alpha"] and moran["moran_i"] > moran["expected_i"]
    return t("laporan.moran", i=fmt.num(moran["moran_i"], 3), p=fmt.num(moran["p_sim"], 3),
             n=fmt.num(moran["n_units"]), hh=fmt.num(moran["n_hh"]), ll=fmt.num(moran["n_ll"])
             ) + " " + t(f"hotspot.{'clustered' if clustered else 'not_clustered'}")
