"""Draw a MapData on the page: boundaries when a boundary file is configured, else markers at the
kab/kota seats (kecamatan maps need boundaries); plotly or pydeck. Returns the clicked kode."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.mapdata import MapData, boundaries_for
from dashboard.repository import Repository
from geo.boundaries import LightBoundaries


def draw(repo: Repository, data: MapData, *, level: str, key: str, colorbar_title: str,
         renderer: str = "plotly", kode_kabkota: str | None = None,
         colorscale: str = charts.DIVERGING, height: int = 520, width: int = 800) -> str | None:
    """`width`: about how wide the map area is on the page, to pick the zoom that fits."""
    rows = data.rows
    category = "category" if rows["category"].notna().any() else None
    bounds = boundaries_for(level)
    if bounds is None:
        if level != "kabkota":
            st.info(t("map.kecamatan_needs_boundaries"))
            return None
        st.caption(t("map.seats_fallback"))
        seats = q.wilayah.kabkota(repo)[["kode", "lat", "lon"]]
        pts = rows.merge(seats, on="kode", how="inner")
        if category:  # markers carry values only; a class map shows its class as text
            pts = pts.assign(value=pd.NA)
        fig = charts.points(pts, value="value", center=data.center, colorbar_title=colorbar_title,
                            height=height)
        return _plotly(fig, key)
    geojson = bounds.geojson
    if kode_kabkota and level == "kecamatan":  # a drill-down sends only that kab/kota's shapes
        # (and those of other kab/kota's kecamatan the rows hold: clusters crossing its border)
        extra = tuple(sorted(k for k in rows["kode"] if not k.startswith(kode_kabkota + ".")))
        geojson = _kecamatan_of(bounds, kode_kabkota, extra)
    if renderer == "pydeck":
        deck = charts.deck(geojson, rows, value="value", center=data.center, category=category,
                           colorscale=colorscale, view=charts.view_of(geojson, width))
        event = st.pydeck_chart(deck, height=height, on_select="rerun", key=f"{key}.deck",
                                selection_mode="single-object")
        return _deck_kode(event)
    fig = charts.choropleth(geojson, rows, value="value", center=data.center, category=category,
                            colorbar_title=colorbar_title, colorscale=colorscale, height=height,
                            width=width)
    return _plotly(fig, key)


# (kode_kabkota, other kecamatan) -> (source geojson, subset)
_SUBSETS: dict[tuple[str, tuple[str, ...]], tuple[dict, dict]] = {}


def _kecamatan_of(bounds: LightBoundaries, kode_kabkota: str, extra: tuple[str, ...] = ()
                  ) -> dict:
    """One kab/kota's kecamatan (plus `extra` kecamatan), the same object every time (so its
    figure is memoised)."""
    key = (kode_kabkota, extra)
    cached = _SUBSETS.get(key)
    if cached is None or cached[0] is not bounds.geojson:
        subset = bounds.subset({f["properties"]["kode"] for f in bounds.geojson["features"]
                                if f["properties"]["kode"].startswith(kode_kabkota + ".")}
                               | set(extra))
        cached = _SUBSETS[key] = (bounds.geojson, subset)
    return cached[1]


def _plotly(fig: object, key: str) -> str | None:
    event = st.plotly_chart(fig, key=f"{key}.plotly", on_select="rerun",
                            selection_mode=("points",), config={"displaylogo": False})
    return charts.selected_kode(event)


def _deck_kode(event: object) -> str | None:
    try:
        objects = event["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for items in (objects or {}).values():
        for obj in items or []:
            props = obj.get("properties", obj)
            if props.get("kode"):
                return str(props["kode"])
    return None
