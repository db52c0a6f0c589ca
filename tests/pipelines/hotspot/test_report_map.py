"""The kab/kota PDF report's kecamatan section on the synthetic hotspot warehouse (real
clusters): it names the kab/kota's kecamatan in each cluster with their smoothed prevalence from
mart_hotspot, the period's Moran's I and the clusters crossing its border; a user scoped to
another kab/kota gets none of them."""

from __future__ import annotations

from dashboard import fmt
from dashboard.repository import Repository
from reports import Period, kabkota_pdf
from tests.reports.conftest import pdf_text


def test_report_names_the_clusters_and_the_scope_holds(hotspot_warehouse, hcon, tmp_path):
    year, kab = hcon.execute("""
        SELECT period, kode_kabkota FROM mart_hotspot WHERE period_type = 'tahun'
          AND cluster IN ('HH', 'LL') AND border_kabkota IS NOT NULL
        GROUP BY ALL ORDER BY count(*) DESC, kode_kabkota LIMIT 1""").fetchone()
    period = Period("tahun", year)
    clustered = hcon.execute(
        "SELECT nama, pct_stunted_eb FROM mart_hotspot WHERE period_type = 'tahun' AND "
        "period = ? AND kode_kabkota = ? AND cluster IN ('HH', 'LL', 'HL', 'LH')",
        [year, kab]).fetchall()
    crossing = hcon.execute(
        "SELECT count(*) FROM mart_hotspot WHERE period_type = 'tahun' AND period = ? AND "
        "kode_kabkota <> ? AND list_contains(string_split(border_kabkota, ','), ?)",
        [year, kab, kab]).fetchone()[0]
    moran_i = hcon.execute("SELECT moran_i FROM mart_moran WHERE period_type = 'tahun' AND "
                           "period = ?", [year]).fetchone()[0]
    assert clustered and crossing

    Repository.clear_cache()
    text = pdf_text(kabkota_pdf(Repository(hotspot_warehouse), kab, period), tmp_path)
    for nama, eb in clustered:
        assert f"{nama} ({fmt.pct(eb, lang='id')})" in text, nama
    assert f"Moran's I global {fmt.num(moran_i, 3, lang='id')}" in text
    assert f"Klaster melintasi batas: {crossing} kecamatan tetangga" in text

    # a kab/kota user elsewhere (none of whose clusters reach this kab/kota)
    reached = {k for (row,) in hcon.execute(
        "SELECT border_kabkota FROM mart_hotspot WHERE kode_kabkota = ? AND border_kabkota "
        "IS NOT NULL", [kab]).fetchall() for k in row.split(",")}
    other = next(k for k, in hcon.execute("SELECT kode FROM ref_kabkota ORDER BY kode DESC")
                 .fetchall() if k != kab and k not in reached)
    Repository.clear_cache()
    scoped = pdf_text(kabkota_pdf(Repository(hotspot_warehouse, scope=other), kab, period),
                      tmp_path)
    assert not [nama for nama, eb in clustered if f"{nama} ({fmt.pct(eb, lang='id')})" in scoped]
    assert "Klaster melintasi batas" not in scoped
