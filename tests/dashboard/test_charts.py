"""Chart helpers: the colour scale centred on the provincial value, click events, map view."""

from __future__ import annotations

import pandas as pd
import pytest
from plotly.colors import sample_colorscale

from dashboard import charts, mapview


def test_centre_gets_the_neutral_colour():
    lo, hi = charts.value_range(pd.Series([5.0, 12.0, 40.0]), center=14.2)
    assert (lo, hi) == (5.0, 40.0)
    scale = charts.centered_scale("RdBu_r", lo, hi, 14.2)
    neutral = sample_colorscale("RdBu_r", [0.5])[0]
    pos = [p for p, c in scale if c == neutral]
    assert pos == [pytest.approx((14.2 - 5) / 35)]
    assert scale[0][0] == 0 and scale[-1][0] == 1
    norm = charts.normalised(pd.Series([5.0, 14.2, 40.0, 27.1]), lo, hi, 14.2)
    assert norm.tolist() == pytest.approx([0.0, 0.5, 1.0, 0.5 + 0.5 * 12.9 / 25.8])


def test_a_lone_value_above_the_centre_is_on_the_above_side():
    lo, hi = charts.value_range(pd.Series([20.0]), center=14.2)
    assert (lo, hi) == (14.2, 20.0)
    assert charts.normalised(pd.Series([20.0]), lo, hi, 14.2).iloc[0] == 1.0
    assert charts.value_colours(pd.Series([20.0, 14.2]), 14.2) == sample_colorscale("RdBu_r", [1.0, 0.5])


def test_click_events():
    plotly_event = {"selection": {"points": [{"curve_number": 0, "point_index": 3,
                                              "customdata": ["35.07", "<b>Kab. Malang</b>"]}]}}
    assert charts.selected_kode(plotly_event) == "35.07"
    assert charts.selected_kode({"selection": {"points": [{"location": "35.09"}]}}) == "35.09"
    assert charts.selected_kode({"selection": {"points": []}}) is None
    assert charts.selected_kode(None) is None
    deck_event = {"selection": {"indices": {"wilayah": [4]},
                                "objects": {"wilayah": [{"properties": {"kode": "35.11"}}]}}}
    assert mapview._deck_kode(deck_event) == "35.11"
    assert mapview._deck_kode({"selection": {"objects": {}}}) is None


def test_view_fits_the_box():
    lat, lon, zoom = charts._fit(111.0, 115.8, -8.8, -5.5)
    assert (lat, lon) == pytest.approx((-7.15, 113.4))
    assert 6 < zoom < 7  # the province; one kab/kota is closer
    assert charts._fit(112.4, 112.9, -8.4, -7.8)[2] > 8
