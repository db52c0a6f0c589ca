"""The hotspot layer of the map page (AppTest) on the synthetic warehouse of
tests/pipelines/hotspot/conftest.py: cluster classes coloured with an Indonesian (or English) legend, the
global Moran's I and its p-value, and a kab/kota drill that shows the clusters crossing its
border."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt
from dashboard.hotspot import COLOURS
from dashboard.i18n import language, strings


def page(warehouse: Path, lang: str = "id") -> AppTest:
    from dashboard.app import single_page_script

    at = AppTest.from_function(single_page_script, args=(str(warehouse), "peta", lang),
                               default_timeout=60).run()
    with language(lang):  # the widgets' labels are matched in the page's language
        at.selectbox(key="peta.indicator").set_value("hotspot").run()
        at.radio(key="peta.level").set_value("kecamatan").run()
        at.selectbox(key="peta.type").set_value("tahun").run()
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def traces(at: AppTest) -> list[dict]:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["data"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_layer_legend_and_moran(hotspot_warehouse, hcon, lang):
    at = page(hotspot_warehouse, lang)
    ok(at)
    words = strings(lang)
    moran = hcon.execute("SELECT moran_i, p_sim, n_units FROM mart_moran "
                         "WHERE period_type = 'tahun'").fetchone()
    shown = {m.label: m.value for m in at.metric}
    assert shown[words["hotspot.moran_i"]] == fmt.num(moran[0], 3, lang)
    assert shown[words["hotspot.moran_p"]] == fmt.num(moran[1], 3, lang)
    assert shown[words["hotspot.units"]] == fmt.num(moran[2], 0, lang)
    assert any(words["hotspot.clustered"] in c.value for c in at.caption)
    data = traces(at)
    colour = {tr["name"]: tr["colorscale"][0][1] for tr in data}
    counts = dict(hcon.execute("SELECT cluster, count(*) FROM mart_hotspot WHERE period_type = "
                               "'tahun' AND cluster IS NOT NULL GROUP BY ALL").fetchall())
    for code, n in counts.items():
        name = words[f"hotspot.{code}"]
        assert colour[name] == COLOURS[code]
        assert len(next(tr for tr in data if tr["name"] == name)["locations"]) == n
    assert sum(len(tr["locations"]) for tr in data) == 666
    assert words["map.suppressed"] in colour


def test_drill_shows_clusters_crossing_the_border(hotspot_warehouse, hcon):
    kab = hcon.execute("""
        SELECT kab, count(*) AS n
        FROM (SELECT unnest(string_split(border_kabkota, ',')) AS kab FROM mart_hotspot
              WHERE period_type = 'tahun' AND border_kabkota IS NOT NULL)
        GROUP BY ALL ORDER BY n DESC, kab LIMIT 1""").fetchone()[0]
    at = page(hotspot_warehouse)
    at.selectbox(key="peta.kabkota").set_value(kab).run()
    ok(at)
    drawn = {loc for tr in traces(at) for loc in tr["locations"]}
    outside = {r[0] for r in hcon.execute(
        "SELECT kode FROM mart_hotspot WHERE period_type = 'tahun' AND kode_kabkota <> ? "
        "AND list_contains(string_split(border_kabkota, ','), ?)", [kab, kab]).fetchall()}
    own = {r[0] for r in hcon.execute("SELECT kode FROM ref_wilayah WHERE kode_induk = ?",
                                      [kab]).fetchall()}
    assert outside and drawn == own | outside
    assert any("Klaster melintasi batas" in c.value and str(len(outside)) in c.value
               for c in at.caption)
    at.radio(key="peta.renderer").set_value("pydeck").run()
    ok(at)
    assert len(at.get("deck_gl_json_chart")) == 1 and not at.get("plotly_chart")
