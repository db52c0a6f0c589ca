"""AppTest for every page against the fixture warehouse: each renders without exception, shows
the numbers the fixture implies (computed here from the staging rows, independently of the
marts), and changing a widget changes what is shown."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import explore, fmt
from dashboard import queries as q
from dashboard.i18n import language
from dashboard.profile import profile_html
from pipelines.config import REFERENCE_DIR
from tests.dashboard.frames import content_frames

PAGES = ("ringkasan", "peta", "perbandingan", "spm", "intervensi", "kualitas", "pertumbuhan",
         "eksplorasi")


def no_failures(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def values(array: object) -> list:
    """A plotly JSON array, plain or binary-encoded ({"dtype", "bdata"})."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def kab_sasaran(kode: str) -> int:
    """A kab/kota's sasaran balita from the reference file, independently of the marts: the
    6-59 months count × 60/54 (docs/marts_stunting.md, mart_cakupan_pengukuran)."""
    ref = pd.read_csv(REFERENCE_DIR / "jatim_kabkota.csv", dtype={"kode": str})
    return round(int(ref.set_index("kode").at[kode, "jumlah_balita_6_59bln_2024"]) * 60 / 54)


def stunting(con, month: str, kab: str | None = None) -> tuple[int, int, float]:
    """Children measured, children with a valid HAZ and % stunted from stg_pengukuran: each
    child's latest measurement of the month, 0-59 months."""
    where = "AND kode_kabkota = ?" if kab else ""
    row = con.execute(f"""
        WITH last AS (
            SELECT child_key, arg_max(zlen, measurement_date) AS z, arg_max(flen, measurement_date) AS f
            FROM stg_pengukuran
            WHERE strftime(measurement_date, '%Y-%m') = ? AND age_months < 60 {where}
            GROUP BY child_key)
        SELECT count(*), count(*) FILTER (WHERE f = 0),
               100.0 * count(*) FILTER (WHERE f = 0 AND z < -2) / count(*) FILTER (WHERE f = 0)
        FROM last""", [month, kab] if kab else [month]).fetchone()
    return int(row[0]), int(row[1]), float(row[2])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(page_app, page):
    for lang in ("id", "en"):
        at = page_app(page, lang)
        no_failures(at)
        assert at.title, f"{page} has no title"
        assert at.caption, f"{page} does not say which data it shows"


def test_ringkasan_headline_and_period_switch(page_app, wh_con):
    at = page_app("ringkasan")
    no_failures(at)
    n, _, pct = stunting(wh_con, "2025-12")
    m = metrics(at)
    assert m["Balita diukur"] == fmt.num(n, lang="id") == "450"
    assert m["Prevalensi stunting"] == fmt.pct(pct, lang="id") == "14,2 %"
    assert m["SSGI 2024 (survei)"] == "14,7 %"
    assert any("data penimbangan (e-PPGBM)" in c.value for c in at.caption)
    map_spec = plotly_specs(at)[0]
    names = {tr["name"]: tr["locations"] for tr in map_spec["data"]}
    # Kota Batu (6 children), and its complement, the next smallest kab/kota (12 children; ties
    # by code: Pacitan): shown, it would give Kota Batu as the province minus the other 37
    assert sorted(names["data tidak cukup"]) == ["35.01", "35.79"]
    assert len(names["Stunting (%)"]) == 36
    assert any("Kabupaten Jember" in md.value for md in at.markdown)

    at.selectbox(key="ringkasan.period").set_value("2025-08").run()
    no_failures(at)
    _, _, pct_aug = stunting(wh_con, "2025-08")
    assert metrics(at)["Prevalensi stunting"] == fmt.pct(pct_aug, lang="id") == "15,5 %"
    assert metrics(at)["Tren"] == "+1,3 poin"


def test_the_survey_reference_is_the_one_the_build_used(repo, wh_con):
    """Ringkasan's SSGI figure is mart_target_list's provincial value (the config as the marts
    were built with it), not the config the dashboard happens to read now."""
    (built,) = wh_con.execute("SELECT DISTINCT provincial_value FROM mart_target_list "
                              "WHERE reference = 'ssgi_2024'").fetchone()
    assert q.stunting.survey_provincial(repo) == built == 14.7


def test_language_switch_changes_text_and_number_format(page_app):
    at = page_app("ringkasan", "en")
    no_failures(at)
    assert at.title[0].value == "Stunting overview, East Java"
    assert metrics(at)["Stunting prevalence"] == "14.2%"


def test_app_entry_navigation_and_language(warehouse, monkeypatch):
    monkeypatch.setenv("TUMBUH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file("../../dashboard/app.py", default_timeout=60).run()
    no_failures(at)
    assert at.title[0].value == "Ringkasan stunting Jawa Timur"
    at.sidebar.radio(key="lang").set_value("en").run()
    no_failures(at)
    assert at.title[0].value == "Stunting overview, East Java"


def test_peta_levels_drill_and_renderers(page_app):
    at = page_app("peta")
    no_failures(at)
    spec = plotly_specs(at)[0]
    assert sum(len(tr["locations"]) for tr in spec["data"]) == 38
    assert spec["layout"]["map"]["style"] == "white-bg"  # no tiles: works offline
    # Polygons from the committed boundary files, not the markers-at-seats fallback.
    assert {tr["type"] for tr in spec["data"]} == {"choroplethmap"}
    assert len(spec["data"][0]["geojson"]["features"]) == 38

    # A click on a kab/kota (as the chart's selection handler records it) drills into it.
    at.session_state["peta.drill_target"] = "35.09"
    at.run()
    no_failures(at)
    assert at.radio(key="peta.level").value == "kecamatan"
    assert at.selectbox(key="peta.kabkota").value == "35.09"
    locs = [loc for tr in plotly_specs(at)[0]["data"] for loc in tr["locations"]]
    assert locs and all(loc.startswith("35.09.") for loc in locs)
    assert len(locs) == 31  # every kecamatan of Jember is drawn, most as "tidak ada data"

    at.radio(key="peta.renderer").set_value("pydeck").run()
    no_failures(at)
    assert len(at.get("deck_gl_json_chart")) == 1 and not at.get("plotly_chart")


def test_peta_other_indicators(page_app):
    at = page_app("peta")
    for indicator in ("signif", "signif_adj", "spm:Kesehatan", "intervensi", "kualitas",
                      "pct_stunted_eb"):
        at.selectbox(key="peta.indicator").set_value(indicator).run()
        no_failures(at)
        assert at.get("plotly_chart"), indicator
    spec = plotly_specs(at)[0]
    assert spec["data"], "smoothed prevalence map is empty"


def test_peta_hotspot_layer_on_the_fixture(page_app, wh_con):
    """The hotspot layer asks for the kecamatan level; on this fixture complementary suppression
    leaves one kecamatan per period, so the page says the period is not analysed and why. The
    layer itself (legend, Moran's I, border-crossing clusters) is tested on a warehouse with
    enough kecamatan: tests/pipelines/hotspot/test_page.py."""
    at = page_app("peta")
    at.selectbox(key="peta.indicator").set_value("hotspot").run()
    no_failures(at)
    assert any("pilih tingkat Kecamatan" in i.value for i in at.info)
    at.radio(key="peta.level").set_value("kecamatan").run()
    no_failures(at)
    n = wh_con.execute("SELECT max(n_units) FROM mart_moran").fetchone()[0]
    assert any(f"hanya {n} kecamatan" in i.value for i in at.info)


def test_hotspot_labels_in_both_languages():
    from dashboard.hotspot import CODES
    from dashboard.i18n import strings

    for lang in ("id", "en"):
        keys = [f"hotspot.{c}" for c in CODES] + [
            f"hotspot.not_analysed_{r}" for r in ("too_few_units", "no_variation", "no_boundaries",
                                                  "no_data")]
        assert all(k in strings(lang) for k in keys), lang
    assert strings("en")["hotspot.HH"] == "High–high (hot spot)"


def test_peta_without_boundaries_falls_back_to_seats(page_app, monkeypatch):
    monkeypatch.setattr("dashboard.mapview.boundaries_for", lambda level: None)
    at = page_app("peta")
    no_failures(at)
    assert any("titik di ibu kota" in c.value for c in at.caption)
    trace = plotly_specs(at)[0]["data"][0]
    assert trace["type"] == "scattermap" and len(values(trace["lat"])) == 36
    at.radio(key="peta.level").set_value("kecamatan").run()
    assert any("butuh file batas wilayah" in i.value for i in at.info)


def test_perbandingan_rank_peers_and_profile(page_app, wh_con, repo):
    at = page_app("perbandingan")
    at.selectbox(key="perbandingan.kabkota").set_value("35.09").run()
    no_failures(at)
    _, _, pct = stunting(wh_con, "2025-12", "35.09")
    m = metrics(at)
    assert m["Prevalensi stunting"] == fmt.pct(pct, lang="id") == "75,0 %"
    assert m["Peringkat (1 = tertinggi)"] == "1 / 36"
    # both classes side by side, with the dispersion between kab/kota told in words
    assert m["Dibanding rata-rata provinsi"] == "Jelas di atas rata-rata (99,8 %)"
    assert m["Dibanding variasi wajar antar kab/kota"] in {
        "Jauh di atas variasi wajar (99,8 %)", "Di atas variasi wajar (95 %)",
        "Dalam variasi wajar"}
    assert any(c.value.startswith("Variasi antar kab/kota: φ = ") for c in at.caption)
    peers_before = [c.value for c in at.caption if c.value.startswith("Kelompok:")]
    at.radio(key="perbandingan.group").set_value("tetangga").run()
    no_failures(at)
    peers = [c.value for c in at.caption if c.value.startswith("Kelompok:")]
    assert peers != peers_before
    assert peers[0] == ("Kelompok: Kabupaten Lumajang, Kabupaten Banyuwangi, Kabupaten Bondowoso, "
                        "Kabupaten Probolinggo")
    assert at.get("download_button")

    at.selectbox(key="perbandingan.kabkota").set_value("35.79").run()
    no_failures(at)
    assert any("data tidak cukup" in w.value for w in at.warning)

    html = profile_html(repo, "35.09", "bulan", "2025-12", "tetangga")
    assert html.startswith("<!DOCTYPE html>") and 'lang="id"' in html
    assert "Profil stunting Kabupaten Jember" in html and "75,0 %" in html
    assert "Jelas di atas rata-rata (99,8 %)" in html and "Variasi antar kab/kota" in html
    assert "data penimbangan posyandu (e-PPGBM), bukan survei SSGI" in html
    assert '<script src="http' not in html and "Plotly" in html  # plotly.js inlined: offline
    assert "child-35.09" not in html  # no child keys
    # the files behind Jember's December (posyandu and SPM), with the build's code identity
    behind = q.build.files_behind(repo, ["pengukuran", "spm"], "35.09", "2025-12")
    assert len(behind) and f"Berkas sumber di balik angka halaman ini ({len(behind)})" in html
    assert all(sha in html for sha in behind["file_sha256"])
    assert "Dibangun dengan tumbuh" in html


def test_profile_is_indonesian_even_on_the_english_ui(repo):
    with language("en"):
        html = profile_html(repo, "35.01", "bulan", "2025-12")
    assert "Angka utama" in html and "Headline" not in html


def test_spm_heatmap_drill_and_pkk(page_app, wh_con):
    at = page_app("spm")
    no_failures(at)
    heat = plotly_specs(at)[0]["data"][0]
    served, target = wh_con.execute(
        "SELECT sum(dilayani), sum(sasaran) FROM stg_spm WHERE kode_kabkota = '35.01' "
        "AND bidang = 'Kesehatan' AND strftime(bulan, '%Y-%m') = '2025-12'").fetchone()
    row, col = heat["y"].index("Kabupaten Pacitan"), heat["x"].index("Kesehatan")
    assert heat["text"][row][col] == fmt.pct(100 * served / target, lang="id")
    assert len(heat["y"]) == 38 and len(heat["x"]) == 6
    assert any("bukan capaian SPM resmi" in c.value for c in at.caption)

    drill = plotly_specs(at)[1]["data"][0]
    assert all(x.startswith("KES") for x in drill["x"])
    assert len(drill["y"]) == 38
    at.selectbox(key="spm.bidang").set_value("Pendidikan").run()
    assert [x[:5] for x in plotly_specs(at)[1]["data"][0]["x"]] == ["PDK01", "PDK02"]
    at.selectbox(key="spm.kabkota").set_value("35.09").run()
    no_failures(at)
    # the fixture's two kecamatan of Jember: 35.09.01 Jombang and 35.09.02 Kencong
    assert list(plotly_specs(at)[1]["data"][0]["y"]) == ["Jombang", "Kencong"]

    scatter = plotly_specs(at)[2]["data"][0]
    first_x = values(scatter["x"])
    pkk = at.selectbox(key="spm.pkk")
    assert pkk.value == "air_layak"  # risk/protection indicators first, in the list's urutan
    pkk.set_value("spal").run()
    assert values(plotly_specs(at)[2]["data"][0]["x"]) != first_x


def test_intervensi_progress_behind_and_outcome(page_app, wh_con):
    at = page_app("intervensi")
    no_failures(at)
    achieved = wh_con.execute(
        "SELECT sum(jumlah) FROM stg_intervensi WHERE activity = 'remeasured' "
        "AND kode_kabkota IN (SELECT kode_kabkota FROM ref_campaign_kabkota)").fetchone()[0]
    assert metrics(at)["Capaian provinsi"] == fmt.num(achieved, lang="id")
    behind = content_frames(at)[0].value
    assert "Kabupaten Sampang" in set(behind["Wilayah"])
    assert "Kabupaten Sumenep" not in set(behind["Wilayah"])  # reported, but no target
    assert any("bukan uji acak" in w.value for w in at.warning)  # outcome caveat
    outcome = content_frames(at)[-1].value
    assert "Perubahan z-skor BB/U" in set(outcome["Ukuran"])
    # in English the outcome speaks English (labels from the locale files, by the mart's codes)
    english = page_app("intervensi", lang="en")
    no_failures(english)
    measures = set(content_frames(english)[-1].value["Measure"])
    assert "Change in weight-for-age z-score" in measures and "Perubahan z-skor BB/U" not in measures
    assert english.selectbox(key="outcome.level").options[0] == "All target areas"

    at.select_slider(key="intervensi.day").set_value(pd.Timestamp("2025-11-14")).run()
    no_failures(at)
    early = wh_con.execute(
        "SELECT sum(jumlah) FROM stg_intervensi WHERE activity = 'remeasured' AND tanggal <= '2025-11-14' "
        "AND kode_kabkota IN (SELECT kode_kabkota FROM ref_campaign_kabkota)").fetchone()[0]
    assert metrics(at)["Capaian provinsi"] == fmt.num(early, lang="id")
    at.selectbox(key="intervensi.activity").set_value("kader_trained").run()
    no_failures(at)
    assert metrics(at)["Capaian provinsi"] != fmt.num(early, lang="id")


def test_kualitas_rejects_and_levels(page_app, wh_con):
    at = page_app("kualitas")
    no_failures(at)
    n_rejects = wh_con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    assert metrics(at)["Baris ditolak"] == fmt.num(n_rejects, lang="id") == "5"
    reasons = next(df.value for df in at.dataframe if "Alasan" in df.value.columns
                   and "Baris" in df.value.columns)
    assert dict(zip(reasons["Alasan"], reasons["Baris"])) == {
        "tanggal lahir tidak sah": "3", "kab/kota tidak dikenal": "1", "tanpa berat dan tinggi": "1"}
    posyandu_counts = metrics(at)
    # both posyandu of each kab/kota: the second (2 children) and, as its complement, the first;
    # but Pacitan's first stays shown (Pacitan itself is hidden as Kota Batu's complement, so
    # nothing can be subtracted from it) and Kota Batu has one posyandu: 36 x 2 + 1 + 1
    assert posyandu_counts["data tidak cukup"] == "74"
    at.radio(key="kualitas.level").set_value("kabkota").run()
    no_failures(at)
    assert metrics(at)["data tidak cukup"] == "2"  # Kota Batu and its complement, Pacitan


def skdn_page(warehouse, child_rows: bool, scope: str | None = None) -> AppTest:
    from dashboard.app import single_page_script

    return AppTest.from_function(single_page_script, default_timeout=60, args=(
        str(warehouse), "pertumbuhan", "id", scope, child_rows)).run()


def test_pertumbuhan_skdn_and_2t_per_posyandu(warehouse, wh_con):
    """The fixture weighs every child in June, July and August 2025 with +0.1 kg a month, under
    the 200 g KBM of its age (13-43 months): T in July and August, so 2T in August; the export
    says N everywhere. June is O (last weighed in August 2024), as are October and December."""
    at = skdn_page(warehouse, child_rows=True)
    no_failures(at)
    assert at.selectbox(key="pertumbuhan.period").value == "2025-12"
    assert metrics(at)["N/D"] == "0,0 %" and metrics(at)["2T/D"] == "0,0 %"  # all O
    at.selectbox(key="pertumbuhan.period").set_value("2025-08").run()
    no_failures(at)
    d = wh_con.execute("SELECT count(DISTINCT child_key) FROM stg_pengukuran WHERE "
                       "strftime(measurement_date, '%Y-%m') = '2025-08'").fetchone()[0]
    kodes = [k for (k,) in wh_con.execute("SELECT kode FROM ref_kabkota").fetchall()]
    s = sum(kab_sasaran(k) for k in kodes)   # the province's S: the 38 reference counts
    m = metrics(at)
    assert (m["N/D"], m["T/D"], m["2T/D"], m["BGM/D"]) == ("0,0 %", "100,0 %", "100,0 %", "0,0 %")
    assert m["D/S"] == fmt.pct(100 * d / s, lang="id") and d == 450
    assert m["Sesuai ekspor"] == "0,0 %"   # the export's N against tumbuh's T
    # Pacitan: its first posyandu (10 children) is shown, its second (2 children) hidden
    at.selectbox(key="pertumbuhan.kabkota").set_value("35.01").run()
    no_failures(at)
    units = next(df.value for df in at.dataframe if "2T/D" in df.value.columns)
    shown = units[units["Status"] == ""]
    assert len(units) == 2 and len(shown) == 1
    assert shown.iloc[0][["D (ditimbang)", "T (tidak naik)", "2T", "N (naik)"]].tolist() == [
        "10", "10", "10", "0"]
    follow = at.dataframe[-1].value
    rows = wh_con.execute(
        "SELECT row_number FROM stg_pengukuran WHERE kode_kabkota = '35.01' AND "
        "strftime(measurement_date, '%Y-%m') = '2025-08' ORDER BY row_number").fetchall()
    assert len(follow) == 12 == len(rows)
    assert set(follow["File"]) == {"posyandu/2025-08-35.01.csv"}
    assert sorted(follow["Nomor baris file"].astype(int)) == [r for (r,) in rows]
    assert set(follow["Kenaikan bulan ini (g)"]) == {"100"} and set(follow["KBM (g)"]) == {"200"}
    assert not {"NIK", "Nama", "Tanggal lahir"} & set(follow.columns)


def test_pertumbuhan_hides_the_2t_list_from_other_roles(warehouse):
    at = skdn_page(warehouse, child_rows=False)
    at.selectbox(key="pertumbuhan.period").set_value("2025-08").run()
    no_failures(at)
    assert any("hanya untuk peran provinsi dan kabupaten" in i.value for i in at.info)
    assert not any("Nomor baris file" in df.value.columns for df in at.dataframe)
    assert metrics(at)["2T/D"] == "100,0 %"   # the counts are for everyone


def test_eksplorasi_pivot_filters_and_console(page_app):
    at = page_app("eksplorasi")
    no_failures(at)
    pivot = content_frames(at)[0].value
    # kode, wilayah, then each of the 6 months with its measurement coverage, then the sources
    assert pivot.shape == (38, 2 + 2 * 6 + 1)
    jember = pivot[pivot["Kode"] == "35.09"].iloc[0]
    assert jember["Desember 2025"] == "75,0 %"
    assert list(pivot.columns[2:4]) == ["Agustus 2024", "Agustus 2024 · cakupan"]
    assert jember["Desember 2025 · cakupan"] == fmt.pct(100 * 12 / kab_sasaran("35.09"), lang="id")
    assert jember["Sumber sasaran cakupan"] == "sasaran balita Profil Kesehatan 2024"
    assert pivot[pivot["Kode"] == "35.79"].iloc[0]["Desember 2025"] == "data tidak cukup"
    assert len(at.get("download_button")) == 2

    at.multiselect(key="eksplorasi.kabkota").set_value(["35.09", "35.11"]).run()
    assert content_frames(at)[0].value.shape[0] == 2
    at.selectbox(key="eksplorasi.measure").set_value("n_children").run()
    assert content_frames(at)[0].value.iloc[0]["Desember 2025"] == "12"

    at.text_area(key="eksplorasi.sql").set_value(
        "SELECT kode, pct_stunted FROM mart_prevalensi_kabkota WHERE period = '2025-12' "
        "AND period_type = 'bulan' ORDER BY pct_stunted DESC LIMIT 3").run()
    at.button(key="eksplorasi.run").click().run()
    no_failures(at)
    result = content_frames(at)[-1].value
    assert result["kode"].iloc[0] == "35.09" and len(result) == 3
    at.text_area(key="eksplorasi.sql").set_value("SELECT * FROM stg_pengukuran").run()
    at.button(key="eksplorasi.run").click().run()
    assert any("only mart_" in e.value for e in at.error)
    # Every refusal or failure is a message on the page, never a traceback.
    at.text_area(key="eksplorasi.sql").set_value("SUMMARIZE mart_prevalensi_kabkota").run()
    at.button(key="eksplorasi.run").click().run()
    assert not at.exception and any("SUMMARIZE" in e.value for e in at.error)
    at.text_area(key="eksplorasi.sql").set_value(
        "SELECT repeat('x', 200000) FROM range(5000)").run()
    at.button(key="eksplorasi.run").click().run()
    assert not at.exception and any("memori" in e.value for e in at.error)


REF_SOURCE = "sasaran balita Profil Kesehatan 2024"


def hovers(spec: dict) -> dict[str, str]:
    """kode -> hover text of a plotly map."""
    return {cd[0]: cd[1] for tr in spec["data"] for cd in tr.get("customdata") or []}


def jombang_sasaran(con, month: str = "2025-12") -> int:
    """Kecamatan 35.09.01 (every desa reports PKK): its PKK balita from the staging rows, and
    the coverage mart's denominator for it."""
    (balita,) = con.execute("SELECT sum(balita_l + balita_p) FROM stg_pkk WHERE kode_kecamatan = "
                            "'35.09.01' AND strftime(bulan, '%Y-%m') = ?", [month]).fetchone()
    (sasaran, source) = con.execute(
        "SELECT sasaran_balita, coverage_source FROM mart_cakupan_pengukuran WHERE level = "
        "'kecamatan' AND kode = '35.09.01' AND period_type = 'bulan' AND period = ?", [month]
    ).fetchone()
    assert sasaran == balita > 0 and source == "pkk_dasawisma"
    return sasaran


def test_coverage_beside_the_prevalence_on_ringkasan(page_app, wh_con):
    at = page_app("ringkasan")
    no_failures(at)
    n, _, _ = stunting(wh_con, "2025-12")
    ref = pd.read_csv(REFERENCE_DIR / "jatim_kabkota.csv", dtype={"kode": str})
    province = sum(kab_sasaran(k) for k in ref["kode"])
    expected = (f"cakupan pengukuran {fmt.pct(100 * n / province, lang='id')} "
                f"(sumber: {REF_SOURCE})")
    assert expected in [c.value for c in at.caption]
    # in the same column as the prevalence metric
    column = next(c for c in at.columns if any(m.label == "Prevalensi stunting" for m in c.metric))
    assert expected in [c.value for c in column.caption]
    # each kab/kota listed with its rate has its coverage beside it, and so has the map hover
    assert any("Kabupaten Jember" in md.value and "cakupan pengukuran" in md.value
               for md in at.markdown)
    jember = hovers(plotly_specs(at)[0])["35.09"]
    assert "Prevalensi stunting: 75,0 %" in jember
    assert f"cakupan pengukuran {fmt.pct(100 * 12 / kab_sasaran('35.09'), lang='id')}" in jember
    assert f"(sumber: {REF_SOURCE})" in jember


def test_coverage_in_the_peta_hover_and_table(page_app, wh_con):
    at = page_app("peta")
    hover = hovers(plotly_specs(at)[0])["35.09"]
    assert f"cakupan pengukuran {fmt.pct(100 * 12 / kab_sasaran('35.09'), lang='id')}" in hover
    assert f"(sumber: {REF_SOURCE})" in hover
    table = content_frames(at)[0].value
    jember = table[table["Wilayah"] == "Kabupaten Jember"].iloc[0]
    assert jember["Prevalensi"] == "75,0 %" and jember["Sumber sasaran"] == REF_SOURCE
    assert jember["Cakupan pengukuran"] == fmt.pct(100 * 12 / kab_sasaran("35.09"), lang="id")
    # kecamatan of Jember: Jombang's denominator is its PKK recaps; its children count is hidden
    # (the complement of Kencong's 2 children), and so is its coverage
    jombang_sasaran(wh_con)
    at.session_state["peta.drill_target"] = "35.09"
    at.run()
    no_failures(at)
    table = content_frames(at)[0].value
    jombang = table[table["Wilayah"] == "Jombang"].iloc[0]
    assert jombang["Sumber sasaran"] == "PKK Dasa Wisma"
    assert jombang["Cakupan pengukuran"] == "data tidak cukup"
    assert table[table["Wilayah"] == "Kencong"].iloc[0]["Sumber sasaran"] == "tidak ada sasaran"


def test_coverage_on_perbandingan_and_in_the_profile(page_app, repo):
    at = page_app("perbandingan")
    at.selectbox(key="perbandingan.kabkota").set_value("35.09").run()
    no_failures(at)
    expected = (f"cakupan pengukuran {fmt.pct(100 * 12 / kab_sasaran('35.09'), lang='id')} "
                f"(sumber: {REF_SOURCE})")
    assert expected in [c.value for c in at.caption]
    table = content_frames(at)[0].value
    assert list(table.columns[-2:]) == ["Cakupan pengukuran", "Sumber sasaran"]
    assert table.iloc[0]["Wilayah"] == "Kabupaten Jember"
    assert table.iloc[0]["Prevalensi"] == "75,0 %" and table.iloc[0]["Sumber sasaran"] == REF_SOURCE
    html = profile_html(repo, "35.09", "bulan", "2025-12")
    assert "<th>Cakupan pengukuran</th>" in html and expected in html


def test_coverage_in_the_eksplorasi_kecamatan_pivot(page_app, wh_con):
    at = page_app("eksplorasi")
    at.radio(key="eksplorasi.level").set_value("kecamatan").run()
    at.multiselect(key="eksplorasi.kabkota").set_value(["35.09"]).run()
    no_failures(at)
    pivot = content_frames(at)[0].value
    jombang_sasaran(wh_con)
    jombang = pivot[pivot["Kode"] == "35.09.01"].iloc[0]
    # its children count is hidden (complement of Kencong's), so is its coverage; the sources
    # over the periods: PKK recaps from June 2025, none in August 2024
    assert jombang["Desember 2025 · cakupan"] == "data tidak cukup"
    assert jombang["Sumber sasaran cakupan"] == "PKK Dasa Wisma; tidak ada sasaran"
    kencong = pivot[pivot["Kode"] == "35.09.02"].iloc[0]
    assert kencong["Sumber sasaran cakupan"] == "tidak ada sasaran"


def test_coverage_text_flags_over_100_and_names_the_source():
    with language("id"):
        from dashboard import cakupan

        row = {"pct_coverage": 112.34, "coverage_source": "pkk_dasawisma", "coverage_over_100": True}
        assert cakupan.text(row) == ("cakupan pengukuran 112,3 % ⚠ di atas 100 %, periksa sasaran "
                                     "(sumber: PKK Dasa Wisma)")
        assert cakupan.text({**row, "pct_coverage": 63.0, "coverage_over_100": False}) == (
            "cakupan pengukuran 63,0 % (sumber: PKK Dasa Wisma)")
        assert cakupan.text({"coverage_source": None}) == "cakupan pengukuran: tidak ada sasaran"
        assert cakupan.text({"coverage_source": "referensi", "pct_coverage": None}) == (
            f"cakupan pengukuran: data tidak cukup (sumber: {REF_SOURCE})")
    with language("en"):
        assert cakupan.text({**row, "pct_coverage": 63.0, "coverage_over_100": False}) == (
            "measurement coverage 63.0% (source: PKK Dasa Wisma)")


def test_pivot_downloads_hold_exactly_the_table(repo):
    df = q.stunting.prevalensi_series(repo, "kabkota", "bulan")
    wide = explore.pivot(df, "pct_stunted")
    shown = explore.display(wide, "pct_stunted")
    csv = explore.to_csv(wide, "pct_stunted").decode("utf-8-sig").splitlines()
    assert csv[0].split(";") == list(shown.columns)
    assert len(csv) == len(shown) + 1
    jember = next(line for line in csv if line.startswith("35.09;")).split(";")
    december = csv[0].split(";").index("Desember 2025")
    assert jember[december] == "75,0"
    # the coverage beside it, as a number at the shown precision, and its source last
    assert csv[0].split(";")[december + 1] == "Desember 2025 · cakupan"
    assert jember[december + 1] == f"{100 * 12 / kab_sasaran('35.09'):.1f}".replace(".", ",")
    assert jember[-1] == "sasaran balita Profil Kesehatan 2024"
    back = pd.read_excel(io.BytesIO(explore.to_xlsx(wide)), dtype={"Kode": str})
    assert list(back.columns) == list(shown.columns) and len(back) == len(shown)
    assert back.loc[back["Kode"] == "35.79", "Desember 2025"].iloc[0] == "data tidak cukup"


def test_pivot_csv_lists_the_files_behind_it_first(repo, wh_con):
    """Provenance travels with the CSV: header lines name every file behind the table (as the
    XLSX's Sumber sheet), then a blank line, then the table as before."""
    df = q.stunting.prevalensi_series(repo, "kabkota", "bulan")
    wide = explore.pivot(df, "pct_stunted")
    files = q.build.files_behind(repo, ["pengukuran"])
    expected = {r[0] for r in wh_con.execute(
        "SELECT file_sha256 FROM load_files WHERE source = 'posyandu' AND rows_staged > 0"
    ).fetchall()}
    assert set(files["file_sha256"]) == expected and expected
    lines = explore.to_csv(wide, "pct_stunted", files=files).decode("utf-8-sig").split("\r\n")
    assert lines[0] == f"Berkas sumber di balik angka halaman ini ({len(files)})"
    assert lines[1].split(";") == ["File", "Tanggal ekstraksi", "Dimuat", "SHA-256", "Baris"]
    listed = [line.split(";") for line in lines[2:2 + len(files)]]
    assert {row[3] for row in listed} == expected
    assert sum(int(row[4]) for row in listed) == wh_con.execute(
        "SELECT count(*) FROM stg_pengukuran").fetchone()[0]
    assert lines[2 + len(files)] == ""
    table = lines[3 + len(files):]
    assert table[:-1] == explore.to_csv(wide, "pct_stunted").decode("utf-8-sig").split("\r\n")[:-1]


def test_a_hostile_file_name_stays_inert_in_the_csv_header():
    files = pd.DataFrame({"file_name": ["=HYPERLINK(\"x\")"], "extraction_date": [None],
                          "loaded_at": [None], "file_sha256": ["ab" * 32], "n_rows": [3]})
    wide = pd.DataFrame({"Kode": ["35.09"], "Wilayah": ["Jember"], "2025": [1.0]})
    with language("id"):
        lines = explore.to_csv(wide, "n_children", files=files).decode("utf-8-sig").split("\r\n")
    assert lines[2].split(";")[0] == '"\'=HYPERLINK(""x"")"'


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory, fixture_dir) -> str:
    """A warehouse published from empty staging tables: every mart exists and is empty."""
    from pipelines.config import load_config
    from pipelines.warehouse import building

    path = tmp_path_factory.mktemp("empty_wh") / "warehouse.duckdb"
    with building(path, load_config(fixture_dir / "config.toml")):
        pass
    return str(path)


@pytest.mark.parametrize("page", PAGES)
def test_pages_on_an_empty_warehouse(empty_warehouse, page):
    from dashboard.app import single_page_script

    at = AppTest.from_function(single_page_script, args=(empty_warehouse, page, "id"),
                               default_timeout=30).run()
    no_failures(at)
    assert at.info or at.dataframe or at.get("plotly_chart"), f"{page} shows nothing"


def test_every_page_names_the_files_behind_it(page_app, wh_con):
    """Provenance (issue 17.3): the caption's expander lists each file with rows in the page's
    period, its extraction date and SHA-256; for a month, exactly the files staged in it."""
    at = page_app("ringkasan")
    expanders = [e for e in at.expander if "Berkas sumber" in e.label]
    assert len(expanders) == 1
    shown = expanders[0].dataframe[0].value
    period = at.selectbox(key="ringkasan.period").value
    expected = wh_con.execute(
        "SELECT DISTINCT file_name FROM load_files JOIN stg_pengukuran USING (file_sha256) "
        "WHERE strftime(measurement_date, '%Y-%m') = ? OR strftime(measurement_date, '%Y') = ?",
        [period, period]).fetchall()
    assert sorted(shown["File"]) == sorted(name for (name,) in expected)
    assert shown["SHA-256"].str.len().eq(16).all()
