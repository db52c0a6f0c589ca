"""Static charts and maps of the PDF reports, drawn with matplotlib and returned as SVG (vector,
so they stay sharp in print; text is drawn as outlines, so a PDF's text layer holds only the
report's own words and numbers). No tile basemap: the maps draw the committed boundaries."""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke
from plotly.colors import sample_colorscale

from dashboard import charts, fmt

STYLE = {"font.family": "DejaVu Sans", "font.size": 7, "svg.fonttype": "path",
         "svg.hashsalt": "tumbuh", "axes.spines.top": False, "axes.spines.right": False,
         "axes.edgecolor": "#888888", "axes.linewidth": 0.6, "xtick.color": "#444444",
         "ytick.color": "#444444", "legend.frameon": False}
PROVINCIAL = "#555555"
OTHERS = ("#1f77b4", "#2ca02c", "#9467bd")
CM = 1 / 2.54
_LOCK = threading.Lock()
MAX_TICKS = 7  # period labels on a trend's axis (a longer series labels every k-th period)
HALO = [withStroke(linewidth=1.4, foreground="white")]  # labels readable on dark fills


@contextmanager
def _style() -> Iterator[None]:
    """The reports' look. matplotlib's settings are global, and the dashboard's server may draw
    two reports at once: one figure is drawn at a time (a lock), without pyplot's state."""
    with _LOCK, matplotlib.rc_context(STYLE):
        yield


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.02,
                metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def trend(series: pd.DataFrame, *, highlight: str, provincial: str, size_cm: tuple[float, float],
          y_title: str) -> bytes:
    """Lines of `series` (period label, series, pct): the highlighted one red and thick, the
    provincial one grey and dashed, others in blue/green; periods in the frame's order."""
    with _style():
        fig = Figure(figsize=(size_cm[0] * CM, size_cm[1] * CM))
        ax = fig.subplots()
        order = list(dict.fromkeys(series["period"]))
        others = iter(OTHERS)
        for name, part in series.groupby("series", sort=False):
            x = [order.index(p) for p in part["period"]]
            if name == highlight:
                style = {"color": charts.HIGHLIGHT, "linewidth": 2.2, "zorder": 3}
            elif name == provincial:
                style = {"color": PROVINCIAL, "linewidth": 1.2, "linestyle": "--"}
            else:
                style = {"color": next(others, "#17becf"), "linewidth": 1.2}
            ax.plot(x, part["pct"], marker="o", markersize=2.5, label=name, **style)
        ticks = list(range(len(order) - 1, -1, -max(1, math.ceil(len(order) / MAX_TICKS))))[::-1]
        ax.set_xticks(ticks, [order[i] for i in ticks])  # the newest period always labelled
        ax.set_ylabel(y_title)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(lambda v, _: fmt.pct(v, 0 if v == int(v) else 1, lang="id"))
        ax.grid(axis="y", color="#dddddd", linewidth=0.5)
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=1, fontsize=6.5,
                  handlelength=2.5, borderaxespad=0)
        return _svg(fig)


def _patch(geometry: dict, **style: object) -> PathPatch:
    """One (multi)polygon of a GeoJSON geometry as a matplotlib patch with holes."""
    shape = shapely.geometry.shape(geometry)
    polygons = shape.geoms if hasattr(shape, "geoms") else [shape]
    vertices, codes = [], []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)
            vertices += coords
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
    return PathPatch(MplPath(vertices, codes), **style)


def dissolve(geometries: Sequence[dict]) -> dict:
    """The outline of some GeoJSON polygons as one (multi)polygon: the boundary files' coordinates
    are rounded to 0.001 degrees, so they are unioned on that grid (slivers dropped)."""
    shapes = shapely.make_valid(np.array([shapely.geometry.shape(g) for g in geometries]))
    union = shapely.union_all(shapes, grid_size=0.001)
    parts = [p for p in shapely.get_parts(union) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.geometry.mapping(shapely.union_all(parts, grid_size=0.001))


def area_map(geojson: dict, fills: dict[str, str], *, width_cm: float, height_cm: float,
             default: str = charts.NO_DATA, legend: Sequence[tuple[str, str]] = (),
             colorbar: tuple[str, float, float, float | None] | None = None,
             labels: dict[str, str] | None = None, outline: Sequence[dict] = (),
             min_share: float = 0.0, bounds: tuple[float, float, float, float] | None = None
             ) -> bytes:
    """A choropleth of the features of `geojson` (properties.kode) at most `width_cm` x
    `height_cm` (the map keeps its true shape): `fills` gives a colour per kode, others get
    `default`. `legend`: (label, colour) entries; `colorbar`: (title, lo, hi, centre) for a map
    coloured by `value_fills`; `labels`: text inside each named feature (on its largest part);
    `outline`: GeoJSON geometries drawn as a black line (the report's own kab/kota);
    `min_share`: frame only the land masses of at least that share of the area (`frame`);
    `bounds`: the frame itself."""
    shapes = [shapely.geometry.shape(f["geometry"]) for f in geojson["features"]]
    x0, y0, x1, y1 = bounds or frame(geojson, min_share)
    ratio = (y1 - y0) / ((x1 - x0) * math.cos(math.radians((y0 + y1) / 2)))
    width, height = width_cm, width_cm * ratio
    if height > height_cm:
        width, height = height_cm / ratio, height_cm
    with _style():
        fig = Figure(figsize=(width * CM, height * CM))
        ax = fig.add_axes((0, 0, 1, 1))
        colours = [fills.get(f["properties"]["kode"], default) for f in geojson["features"]]
        ax.add_collection(PatchCollection([_patch(f["geometry"]) for f in geojson["features"]],
                                          facecolor=colours, edgecolor="white", linewidth=0.4))
        for geometry in outline:
            ax.add_patch(_patch(geometry, fill=False, edgecolor="black", linewidth=0.9, zorder=3))
        for feature, shape in zip(geojson["features"], shapes):
            text = (labels or {}).get(feature["properties"]["kode"])
            if text:
                part = max(shapely.get_parts(shape), key=lambda g: g.area).representative_point()
                ax.annotate(text, (part.x, part.y), ha="center", va="center", fontsize=5,
                            color="#111111", zorder=4, path_effects=HALO)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("auto")
        ax.set_axis_off()
        if legend:  # below the map (left of the colour bar, if any)
            fig.legend(handles=[Patch(facecolor=c, edgecolor="#999999", linewidth=0.4, label=lab)
                                for lab, c in legend], loc="upper left" if colorbar else "upper center",
                       bbox_to_anchor=(0.0 if colorbar else 0.5, 0.0), ncol=min(3, len(legend)),
                       fontsize=6, handlelength=1.2, columnspacing=1.0)
        if colorbar:
            title, lo, hi, center = colorbar
            bar_ax = fig.add_axes((0.5, -0.06, 0.45, 0.03))
            mappable = ScalarMappable(norm=Normalize(lo, hi), cmap=_scale(lo, hi, center))
            bar = fig.colorbar(mappable, cax=bar_ax, orientation="horizontal")
            bar.ax.set_xlabel(title, fontsize=6, labelpad=1)
            bar.ax.tick_params(labelsize=6, length=2, pad=1)
            bar.ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}")
            bar.outline.set_linewidth(0.3)
        return _svg(fig)


def frame(geojson: dict, min_share: float = 0.0) -> tuple[float, float, float, float]:
    """The map's frame (x0, y0, x1, y1, with a small margin) around the land masses (the
    features dissolved) of at least `min_share` of their whole area, and always the largest:
    small far islands fall outside (in Jawa Timur at 1 %: Bawean, Masalembu, Kangean)."""
    if not geojson["features"]:
        return 0.0, 0.0, 1.0, 1.0
    land = shapely.get_parts(shapely.geometry.shape(
        dissolve([f["geometry"] for f in geojson["features"]])))
    total, largest = sum(p.area for p in land), max(p.area for p in land)
    kept = [p for p in land if p.area >= min(min_share * total, largest)]
    x0, y0, x1, y1 = shapely.total_bounds(kept)
    pad = 0.02 * max(x1 - x0, y1 - y0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def rgb_hex(colour: str) -> str:
    """'rgb(12, 34, 56)' (plotly's sampled colours) or '#0c2238' as '#0c2238'."""
    if colour.startswith("#"):
        return colour
    parts = [int(float(x)) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")][:3]
    return "#" + "".join(f"{p:02x}" for p in parts)


def value_fills(kodes: Sequence[str], values: Sequence[float], center: float | None
                ) -> tuple[dict[str, str], tuple[float, float]]:
    """Colours of values on the dashboard's diverging scale centred on `center` (the same
    colours as its maps), and the range they span."""
    series = pd.Series(list(values), dtype=float)
    lo, hi = charts.value_range(series, center)
    return dict(zip(kodes, map(rgb_hex, charts.value_colours(series, center)))), (lo, hi)


def _scale(lo: float, hi: float, center: float | None) -> LinearSegmentedColormap:
    """The colour bar of `value_fills`: the provincial value is the neutral colour."""
    steps = pd.Series([lo + (hi - lo) * i / 20 for i in range(21)])
    colours = sample_colorscale(charts.DIVERGING, list(charts.normalised(steps, lo, hi, center)))
    return LinearSegmentedColormap.from_list("scale", [(i / 20, rgb_hex(c))
                                                       for i, c in enumerate(colours)])
