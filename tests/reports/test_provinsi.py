"""The provincial report: all 38 kab/kota on one A4 page with the map, each row's numbers the
mart's, highest prevalence first."""

from __future__ import annotations

import pytest
from PIL import Image

from dashboard import fmt
from dashboard.repository import Repository
from reports import Period, provinsi_pdf
from tests.dashboard.fixture_warehouse import SMALL_KAB, TOP_KAB
from tests.reports.conftest import pdf_pages, pdf_text

DEC = Period("bulan", "2025-12")
SHORT = {"atas_998": "atas (99,8 %)", "atas_95": "atas (95 %)", "dalam": "tidak beda",
         "bawah_95": "bawah (95 %)", "bawah_998": "bawah (99,8 %)"}


@pytest.fixture(scope="module")
def report(warehouse, tmp_path_factory):
    data = provinsi_pdf(Repository(warehouse), DEC)
    folder = tmp_path_factory.mktemp("provinsi")
    return data, pdf_text(data, folder), pdf_text(data, folder, layout=True), folder


def kab_rows(wh_con):
    return wh_con.execute(
        "SELECT p.*, r.nama AS ref_nama, c.pct_coverage FROM mart_prevalensi p JOIN ref_kabkota r "
        "USING (kode) LEFT JOIN mart_cakupan_pengukuran c USING (level, kode, period_type, period) "
        "WHERE p.level = 'kabkota' AND p.period_type = 'bulan' AND p.period = '2025-12' "
        "ORDER BY p.suppressed, p.pct_stunted DESC, p.kode").df()


def test_every_kabkota_row_is_the_marts(report, wh_con):
    _, _, rows, _ = report
    df = kab_rows(wh_con)
    assert len(df) == 38
    for no, r in enumerate(df.itertuples(), start=1):
        if r.suppressed:
            line = f"{no} {r.ref_nama} – – – data tidak cukup"
        else:
            line = (f"{no} {r.ref_nama} {fmt.num(r.n_haz, lang='id')} "
                    f"{fmt.pct(r.pct_stunted, lang='id')} "
                    f"{fmt.interval(r.pct_stunted_lo95, r.pct_stunted_hi95, lang='id')} "
                    f"{fmt.pct(r.pct_coverage, lang='id')} {SHORT[r.signif]} {SHORT[r.signif_adj]} "
                    f"{r.rank} ({r.rank_lo}–{r.rank_hi})")
        assert line in rows, line
    # highest first: Jember (9 of 12) heads the table; the two suppressed come last
    assert "1 Kabupaten Jember 12 75,0 % 46,8–91,1 %" in rows
    assert df.iloc[0]["kode"] == TOP_KAB and SMALL_KAB in set(df.iloc[-2:]["kode"])


def test_headline_is_the_provincial_row(report, wh_con):
    _, text, _, _ = report
    p = wh_con.execute("SELECT * FROM mart_prevalensi WHERE level = 'provinsi' AND "
                       "period_type = 'bulan' AND period = '2025-12'").df().iloc[0]
    assert "Laporan stunting Jawa Timur: 38 kab/kota" in text
    assert fmt.pct(p["pct_stunted"], lang="id") == "14,2 %"  # 64 of 450
    assert f"IK 95 %: {fmt.interval(p['pct_stunted_lo95'], p['pct_stunted_hi95'], lang='id')}" in text
    assert f"n = {p['n_haz']} balita dengan TB/U sah" in text
    above = wh_con.execute("SELECT count(*) FROM mart_prevalensi WHERE level = 'kabkota' AND "
                           "period_type = 'bulan' AND period = '2025-12' AND NOT suppressed AND "
                           "arah = 'di atas'").fetchone()[0]
    assert f"{above} / 38" in text
    assert "SSGI 2024 (survei) 14,7 %" in text  # the survey reference, labelled as such


def test_one_a4_page_with_the_map(report):
    data, _, _, folder = report
    pages = pdf_pages(data, folder)
    assert len(pages) == 1
    image = Image.open(pages[0]).convert("RGB")
    w, h = image.size
    assert abs(w / h - 210 / 297) < 0.01
    # the map (upper left) is coloured: red above the provincial value, blue below
    colours = image.crop((0, int(0.12 * h), int(0.7 * w), int(0.35 * h))).getcolors(1 << 16)
    reds = sum(n for n, (r, g, b) in colours if r > 100 and r > g + 60 and r > b + 60)
    blues = sum(n for n, (r, g, b) in colours if b > 100 and b > r + 60)
    assert reds > 50 and blues > 50
