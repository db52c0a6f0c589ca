"""Plotly and pydeck figure builders. No tile basemaps: the dashboard must work without internet,
so maps draw the boundaries themselves on a blank background (plotly `choroplethmap` with the
"white-bg" style, pydeck without a map style). Plotly's `geo` traces are not used: they fetch a
topojson from a CDN for every choropleth and draw nothing offline. Colours for values run on a
diverging scale centred on the provincial value.

Plotly renders labels, legend entries and hover text as a small HTML subset (links included) and
the pydeck tooltip is HTML: names and other data labels reach a figure HTML-escaped (`labels`),
and hover text arrives escaped from its builders (`mapdata`)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from plotly.colors import sample_colorscale

from dashboard import hotspot, signif
from dashboard.i18n import current_language, t
from pipelines.safe_cells import html_text

DIVERGING = "RdBu_r"  # blue below the provincial value, red above (more stunting = worse)
SEQUENTIAL = "Blues"  # coverage: more is better
GREY = "#c8c8c8"
NO_DATA = "#eeeeee"
HIGHLIGHT = "#d62728"
ADJUSTED = "#e6550d"  # over-dispersion-adjusted funnel limits
QUALITY_COLOURS = {  # plausibility classes of mart_kualitas_data
    "sangat baik": "#1a9850",
    "baik": "#91cf60",
    "cukup": "#fee08b",
    "bermasalah": "#d73027",
}


F = TypeVar("F", bound=Callable[..., Any])
_MEMO: OrderedDict[tuple, Any] = OrderedDict()
_MEMO_LOCK = threading.Lock()
MEMO_SIZE = 256


def _key_part(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        names = tuple(value.columns) if isinstance(value, pd.DataFrame) else (value.name,)
        return ("frame", names, value.shape, int(pd.util.hash_pandas_object(value).sum()))
    if isinstance(value, dict):  # the boundary GeoJSON: the cached objects are reused as is
        return ("dict", id(value))
    if isinstance(value, list | tuple):
        return tuple(_key_part(v) for v in value)
    hash(value)  # TypeError for anything else unhashable: not memoised
    return value


def memoised(fn: F) -> F:
    """Reuse a figure built from equal inputs (same frames by content, same options, same
    language): building plotly figures is most of a cached page's render time. The figures are
    never changed after they are built."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            key = (fn.__name__, current_language(), _key_part(args),
                   tuple(sorted((k, _key_part(v)) for k, v in kwargs.items())))
        except TypeError:
            return fn(*args, **kwargs)
        with _MEMO_LOCK:
            if key in _MEMO:
                _MEMO.move_to_end(key)
                return _MEMO[key]
        result = fn(*args, **kwargs)
        with _MEMO_LOCK:
            _MEMO[key] = result
            while len(_MEMO) > MEMO_SIZE:
                _MEMO.popitem(last=False)
        return result

    return wrapper  # type: ignore[return-value]


def labels(values: Any) -> list[str]:
    """Data labels (names, categories) as plotly shows them: HTML-escaped, so a name is text."""
    return [html_text(v) for v in values]


def clear_memo() -> None:
    with _MEMO_LOCK:
        _MEMO.clear()


def _layout(fig: go.Figure, height: int = 480, **kwargs: object) -> go.Figure:
    lang = current_language()
    defaults = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10},
                "legend": {"orientation": "h", "y": -0.05}}
    fig.update_layout(
        height=height,
        separators=",." if lang == "id" else ".,",  # decimal, thousands
        **(defaults | kwargs),  # a chart may replace the margin or the legend
    )
    return fig


def value_range(values: pd.Series, center: float | None = None) -> tuple[float, float]:
    """The colour range: the values that occur, widened to include the centre (so a lone value
    above the provincial value is still drawn on the "above" side)."""
    v = values.astype(float)
    lo, hi = (float(np.nanmin(v)), float(np.nanmax(v))) if v.notna().any() else (0.0, 1.0)
    if center is not None:
        lo, hi = min(lo, center), max(hi, center)
    return lo, hi if hi > lo else lo + 1.0


def normalised(values: pd.Series, lo: float, hi: float, center: float | None) -> pd.Series:
    """Where each value falls on the diverging scale (0..1), 0.5 being the centre: each side of
    the centre is stretched to the values on that side, so the provincial value is always the
    neutral colour (and values all above it run from neutral to red)."""
    v = values.astype(float).clip(lo, hi)
    if center is None:
        return ((v - lo) / (hi - lo)).fillna(0.5)
    if center <= lo:
        return (0.5 + 0.5 * (v - lo) / (hi - lo)).fillna(0.5)
    if center >= hi:
        return (0.5 * (v - lo) / (hi - lo)).fillna(0.5)
    below = 0.5 * (v - lo) / (center - lo)
    above = 0.5 + 0.5 * (v - center) / (hi - center)
    return below.where(v < center, above).fillna(0.5)


def centered_scale(colorscale: str, lo: float, hi: float, center: float | None) -> list:
    """A plotly colour scale over [lo, hi] that turns `normalised` into colours, so the colour
    bar spans only the values that occur (no negative percentages on the legend)."""
    inside = center is not None and lo < center < hi
    positions = sorted({i / 10 for i in range(11)} | ({(center - lo) / (hi - lo)} if inside else set()))
    values = pd.Series([lo + p * (hi - lo) for p in positions])
    colours = sample_colorscale(colorscale, list(normalised(values, lo, hi, center)))
    return [[p, c] for p, c in zip(positions, colours)]


@memoised
def choropleth(geojson: dict, df: pd.DataFrame, *, value: str, center: float | None,
               colorbar_title: str, category: str | None = None,
               colorscale: str = DIVERGING, height: int = 520, width: int = 560) -> go.Figure:
    """A choropleth over `geojson` (RFC 7946, features keyed by properties.kode).

    df: kode, nama, hover (text), suppressed (bool) and `value` (or `category`). Suppressed rows
    are drawn grey as "data tidak cukup"; features without a row are drawn pale as "tidak ada data".
    """
    fig = go.Figure()
    common = {"geojson": geojson, "featureidkey": "properties.kode",
              "marker_line_color": "white", "marker_line_width": 0.6,
              "hovertemplate": "%{customdata[1]}<extra></extra>"}
    shown = df[~df["suppressed"].fillna(False).astype(bool)]
    if category:
        for label, colour in {**signif.palette(), **_extra_categories(shown[category])}.items():
            part = shown[shown[category] == label]
            if len(part):
                fig.add_trace(go.Choroplethmap(
                    locations=part["kode"], z=np.zeros(len(part)), customdata=part[["kode", "hover"]],
                    colorscale=[[0, colour], [1, colour]], showscale=False, name=html_text(label),
                    showlegend=True, **common))
    else:
        part = shown[shown[value].notna()]
        if len(part):
            lo, hi = value_range(part[value], center)
            kw: dict[str, object] = {"colorscale": centered_scale(colorscale, lo, hi, center),
                                     "zmin": lo, "zmax": hi}
            fig.add_trace(go.Choroplethmap(
                locations=part["kode"], z=part[value].astype(float), customdata=part[["kode", "hover"]],
                colorbar={"title": {"text": colorbar_title}, "thickness": 14}, name=colorbar_title,
                **kw, **common))
    hidden = df[df["suppressed"].fillna(False).astype(bool)]
    if len(hidden):
        fig.add_trace(_flat_trace(hidden, GREY, t("map.suppressed"), common))
    known = set(df["kode"])
    missing = [f["properties"] for f in geojson["features"] if f["properties"]["kode"] not in known]
    if missing:
        rows = pd.DataFrame(missing)
        rows["hover"] = [f"{html_text(n)}<br>{t('map.no_data')}" for n in rows["nama"]]
        fig.add_trace(_flat_trace(rows, NO_DATA, t("map.no_data"), common))
    return _map_layout(fig, view_of(geojson, width), height)


def _map_layout(fig: go.Figure, view: tuple[float, float, float], height: int) -> go.Figure:
    lat, lon, zoom = view
    fig.update_layout(map_style="white-bg", map_center={"lat": lat, "lon": lon}, map_zoom=zoom)
    return _layout(fig, height, clickmode="event+select")


def _extra_categories(values: pd.Series) -> dict[str, str]:
    """Colours for the classes a map shows that are not significance classes (quality classes,
    hotspot clusters), in legend order."""
    known = {**QUALITY_COLOURS, **hotspot.palette()}
    order = list(known)
    classes = signif.palette()
    extra = sorted((v for v in values.dropna().unique() if v not in classes),
                   key=lambda v: order.index(v) if v in order else len(order))
    palette = ["#8c510a", "#01665e", "#762a83", "#1b7837"]
    return {v: known.get(v, palette[i % len(palette)]) for i, v in enumerate(extra)}


def _flat_trace(rows: pd.DataFrame, colour: str, name: str, common: dict) -> go.Choroplethmap:
    return go.Choroplethmap(locations=rows["kode"], z=np.zeros(len(rows)),
                         customdata=rows[["kode", "hover"]], colorscale=[[0, colour], [1, colour]],
                         showscale=False, name=name, showlegend=True, **common)


@memoised
def points(df: pd.DataFrame, *, value: str, center: float | None, colorbar_title: str,
           height: int = 520) -> go.Figure:
    """The fallback map without boundaries: a marker at each seat (df: lat, lon, kode, hover,
    suppressed, value)."""
    fig = go.Figure()
    shown = df[~df["suppressed"].fillna(False).astype(bool) & df[value].notna()]
    lo, hi = value_range(shown[value], center)
    marker: dict[str, object] = {"size": 16, "color": shown[value].astype(float),
                                 "colorscale": centered_scale(DIVERGING, lo, hi, center),
                                 "cmin": lo, "cmax": hi,
                                 "colorbar": {"title": {"text": colorbar_title}, "thickness": 14}}
    fig.add_trace(go.Scattermap(lat=shown["lat"], lon=shown["lon"], customdata=shown[["kode", "hover"]],
                                marker=marker, mode="markers", name=colorbar_title,
                                hovertemplate="%{customdata[1]}<extra></extra>"))
    hidden = df[df["suppressed"].fillna(False).astype(bool)]
    if len(hidden):
        fig.add_trace(go.Scattermap(lat=hidden["lat"], lon=hidden["lon"],
                                    customdata=hidden[["kode", "hover"]], mode="markers",
                                    marker={"size": 12, "color": GREY}, name=t("map.suppressed"),
                                    hovertemplate="%{customdata[1]}<extra></extra>"))
    lat, lon = df["lat"].astype(float), df["lon"].astype(float)
    view = (_fit(lon.min() - 0.3, lon.max() + 0.3, lat.min() - 0.3, lat.max() + 0.3)
            if len(df) else (-7.6, 112.7, 6.6))
    return _map_layout(fig, view, height)


def selected_kode(event: object) -> str | None:
    """The kode of the clicked area from a `st.plotly_chart(..., on_select="rerun")` event."""
    try:
        points_ = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for point in points_ or []:
        custom = point.get("customdata")
        if custom:
            return str(custom[0])
        if point.get("location"):
            return str(point["location"])
    return None


# -- pydeck -------------------------------------------------------------------------------------

def _rgba(colours: Sequence[str], alpha: int = 220) -> list[list[int]]:
    out = []
    for c in colours:
        if c.startswith("#"):
            out.append([int(c[i:i + 2], 16) for i in (1, 3, 5)] + [alpha])
        else:
            out.append([int(float(x)) for x in c[c.index("(") + 1:c.index(")")].split(",")][:3]
                       + [alpha])
    return out


def value_colours(values: pd.Series, center: float | None, colorscale: str = DIVERGING) -> list[str]:
    lo, hi = value_range(values, center)
    return sample_colorscale(colorscale, list(normalised(values, lo, hi, center)))


@memoised
def deck(geojson: dict, df: pd.DataFrame, *, value: str, center: float | None,
         category: str | None = None, colorscale: str = DIVERGING,
         view: tuple[float, float, float] | None = None) -> pdk.Deck:
    """A pydeck GeoJsonLayer with the same colours and tooltips as the plotly map, no basemap."""
    rows = df.set_index("kode")
    suppressed = rows["suppressed"].fillna(False).astype(bool)
    if category:
        palette = {**signif.palette(), **_extra_categories(rows[category])}
        colours = rows[category].map(palette).fillna(NO_DATA)
    else:
        colours = pd.Series(NO_DATA, index=rows.index)
        ok = ~suppressed & rows[value].notna()
        if ok.any():
            colours[ok] = value_colours(rows.loc[ok, value], center, colorscale)
    colours[suppressed] = GREY
    features = []
    for f in geojson["features"]:
        kode = f["properties"]["kode"]
        colour = colours.get(kode, NO_DATA)
        hover = rows["hover"].get(kode, f"{html_text(f['properties']['nama'])}<br>{t('map.no_data')}")
        features.append({**f, "properties": {**f["properties"], "fill": _rgba([colour])[0],
                                              "tooltip": hover}})
    layer = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features},
                      id="wilayah", pickable=True, stroked=True, filled=True,
                      get_fill_color="properties.fill", get_line_color=[255, 255, 255],
                      line_width_min_pixels=0.6)
    lat, lon, zoom = view or (-7.6, 112.7, 6.8)
    return pdk.Deck(layers=[layer], map_style=None, tooltip={"html": "{tooltip}"},
                    initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom))


def view_of(geojson: dict, width: int = 560) -> tuple[float, float, float]:
    """Centre and a zoom that fits the features' bounding box."""
    xs, ys = [], []

    def walk(c: object) -> None:
        if isinstance(c[0], (int, float)):  # type: ignore[index]
            xs.append(c[0])  # type: ignore[index]
            ys.append(c[1])  # type: ignore[index]
        else:
            for x in c:  # type: ignore[union-attr]
                walk(x)

    for f in geojson["features"]:
        walk(f["geometry"]["coordinates"])
    if not xs:
        return (-7.6, 112.7, 6.6)
    return _fit(min(xs), max(xs), min(ys), max(ys), width=width)


def _fit(x0: float, x1: float, y0: float, y1: float, width: int = 560,
         height: int = 380) -> tuple[float, float, float]:
    """Centre and zoom that fit a lon/lat box in a map of about width x height pixels (web
    mercator: the world is 512 px wide at zoom 0; near the equator a degree of latitude is about
    as long as one of longitude)."""
    span_x, span_y = max(x1 - x0, 0.02), max(y1 - y0, 0.02)
    zoom = min(np.log2(width * 360 / (512 * span_x)), np.log2(height * 360 / (512 * span_y)))
    return ((y0 + y1) / 2, (x0 + x1) / 2, float(np.clip(zoom, 4, 12)))


# -- other charts -------------------------------------------------------------------------------

@memoised
def funnel(df: pd.DataFrame, *, highlight: str | None, center: float,
           x: str = "n_haz", y: str = "pct_stunted") -> go.Figure:
    """Funnel plot: each kab/kota's rate against its number measured, with the 95 % and 99.8 %
    limits around the provincial value (grey) and, where the kab/kota vary more than chance,
    the limits widened for that variation (orange); limits from the mart, one per unit's n.
    A point's colour is its exact class (`signif`), not its side of a line."""
    d = df[df[y].notna() & df[x].notna()].sort_values(x)
    fig = go.Figure()
    for prefix, colour, key in (("funnel", "#888", "chart.funnel_limit"),
                                ("funnel_adj", ADJUSTED, "chart.funnel_limit_adj")):
        for level, dash, name in (("95", "dash", "95 %"), ("998", "dot", "99,8 %")):
            lo, hi = f"{prefix}_lo{level}", f"{prefix}_hi{level}"
            if lo in d and d[lo].notna().any():
                part = d[d[lo].notna()]
                for col, show in ((lo, True), (hi, False)):
                    fig.add_trace(go.Scatter(x=part[x], y=part[col], mode="lines",
                                             showlegend=show, hoverinfo="skip",
                                             line={"color": colour, "dash": dash},
                                             name=t(key, level=name)))
    fig.add_hline(y=center, line_color="#444", annotation_text=t("chart.provincial"))
    other = d[d["kode"] != highlight]
    classes = other["signif"] if "signif" in other else pd.Series(None, index=other.index)
    for code in signif.CODES:
        part = other[classes == code]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part[x], y=part[y], mode="markers", name=signif.label(code),
                marker={"color": signif.COLOURS[code], "size": 10,
                        "line": {"color": "#444", "width": 1}},
                customdata=part[["kode", "hover"]],
                hovertemplate="%{customdata[1]}<extra></extra>"))
    rest = other[~classes.isin(signif.CODES)]
    if len(rest):
        fig.add_trace(go.Scatter(x=rest[x], y=rest[y], mode="markers", name=t("chart.kabkota"),
                                 marker={"color": "#1f77b4", "size": 9},
                                 customdata=rest[["kode", "hover"]],
                                 hovertemplate="%{customdata[1]}<extra></extra>"))
    sel = d[d["kode"] == highlight]
    if len(sel):
        fig.add_trace(go.Scatter(x=sel[x], y=sel[y], mode="markers+text", text=labels(sel["nama"]),
                                 textposition="top center", name=html_text(sel["nama"].iloc[0]),
                                 marker={"color": HIGHLIGHT, "size": 15, "symbol": "diamond"},
                                 customdata=sel[["kode", "hover"]],
                                 hovertemplate="%{customdata[1]}<extra></extra>"))
    fig.update_xaxes(title=t("chart.n_measured"))
    fig.update_yaxes(title=t("chart.pct_stunted"), ticksuffix=" %")
    return _layout(fig, 460)


@memoised
def lines(df: pd.DataFrame, *, x: str, y: str, series: str, y_title: str,
          highlight: str | None = None, percent: bool = True, height: int = 360) -> go.Figure:
    """One line per series (e.g. the kab/kota, its peers' pooled value, the province): the
    highlighted one red and thick, the provincial value grey and dashed, others blue/green."""
    fig = go.Figure()
    others = iter(["#1f77b4", "#2ca02c", "#9467bd", "#8c564b"])
    for name, part in df.groupby(series, sort=False):
        if name == highlight:
            line = {"width": 3, "color": HIGHLIGHT}
        elif name == t("chart.provincial"):
            line = {"width": 2, "color": "#555", "dash": "dash"}
        else:
            line = {"width": 1.5, "color": next(others, "#17becf")}
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="lines+markers", name=html_text(name),
                                 line=line))
    fig.update_yaxes(title=y_title, ticksuffix=" %" if percent else "")
    fig = _layout(fig, height)
    fig.update_layout(legend={"orientation": "h", "y": -0.35})  # below the slanted dates
    return fig


@memoised
def heatmap(matrix: pd.DataFrame, *, text: pd.DataFrame, colorbar_title: str,
            zmin: float = 0, zmax: float = 100, height: int | None = None,
            colorscale: str | list = SEQUENTIAL, show_text: bool = True) -> go.Figure:
    fig = go.Figure(go.Heatmap(
        z=matrix.values, x=labels(matrix.columns), y=labels(matrix.index), text=text.values,
        texttemplate="%{text}" if show_text else None, colorscale=colorscale, zmin=zmin, zmax=zmax,
        colorbar={"title": {"text": colorbar_title}, "thickness": 14},
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height or max(360, 22 * len(matrix) + 80))


@memoised
def bars(df: pd.DataFrame, *, x: str, y: str, text: str, x_title: str,
         highlight: str | None = None, reference: float | None = None,
         height: int | None = None) -> go.Figure:
    """Horizontal bars (one per row, in the frame's order)."""
    colours = [HIGHLIGHT if k == highlight else "#1f77b4" for k in df.get("kode", df[y])]
    fig = go.Figure(go.Bar(x=df[x], y=labels(df[y]), orientation="h", text=df[text], textposition="auto",
                           marker_color=colours, hovertemplate="%{y}: %{text}<extra></extra>"))
    if reference is not None:
        fig.add_vline(x=reference, line_color="#444", line_dash="dash")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=x_title)
    return _layout(fig, height or max(300, 20 * len(df) + 80))


@memoised
def burnup(df: pd.DataFrame, *, x: str, actual: str, expected: str, target: float | None,
           title: str) -> go.Figure:
    """Cumulative progress against the expected straight-line pace."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df[x], y=df[expected], mode="lines", name=t("chart.expected"),
                             line={"color": "#888", "dash": "dash"}))
    fig.add_trace(go.Scatter(x=df[x], y=df[actual], mode="lines+markers", name=t("chart.actual"),
                             line={"color": "#1f77b4", "width": 3}))
    if target is not None:
        fig.add_hline(y=target, line_color="#2ca02c", annotation_text=t("chart.target"))
    fig.update_layout(title={"text": html_text(title), "font": {"size": 14}})
    # legend above the plot, right of the title: below it would sit on the rotated day labels
    return _layout(fig, 340, legend={"orientation": "h", "yanchor": "bottom", "y": 1.0,
                                     "xanchor": "right", "x": 1},
                   margin={"l": 10, "r": 10, "t": 50, "b": 10})


@memoised
def scatter(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
            highlight: str | None = None) -> go.Figure:
    colours = [HIGHLIGHT if k == highlight else "#1f77b4" for k in df["kode"]]
    fig = go.Figure(go.Scatter(x=df[x], y=df[y], mode="markers", marker={"color": colours, "size": 10},
                               customdata=df[["kode", "hover"]],
                               hovertemplate="%{customdata[1]}<extra></extra>"))
    fig.update_xaxes(title=x_title, ticksuffix=" %")
    fig.update_yaxes(title=y_title, ticksuffix=" %")
    return _layout(fig, 380)


@memoised
def profile(df: pd.DataFrame, *, name: str) -> go.Figure:
    """Coverage per SPM field: the kab/kota's bars against the median kab/kota (markers)."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels(df["bidang"]), y=df["value"], name=html_text(name),
                         marker_color="#1f77b4"))
    fig.add_trace(go.Scatter(x=labels(df["bidang"]), y=df["median"], mode="markers", name=t("chart.median"),
                             marker={"symbol": "line-ew-open", "size": 30, "color": "#222",
                                     "line": {"width": 3}}))
    fig.update_yaxes(title=t("chart.coverage"), ticksuffix=" %", rangemode="tozero")
    return _layout(fig, 340)


@memoised
def forest(df: pd.DataFrame, *, label: str, value: str, lo: str, hi: str) -> go.Figure:
    """Estimates with 95 % intervals around zero (one row per metric)."""
    fig = go.Figure(go.Scatter(
        x=df[value], y=labels(df[label]), mode="markers", marker={"size": 10, "color": "#1f77b4"},
        error_x={"type": "data", "symmetric": False, "array": df[hi] - df[value],
                 "arrayminus": df[value] - df[lo]},
        hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.add_vline(x=0, line_color="#444", line_dash="dash")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("chart.did"))
    return _layout(fig, 60 * len(df) + 120)
