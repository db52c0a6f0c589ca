"""The kab/kota report: its text (pdftotext) carries the marts' numbers, formatted the Indonesian
way, for each section; its pages (pdftoppm) are two A4 pages with ink where the charts are."""

from __future__ import annotations

import pytest
from PIL import Image

from dashboard import fmt
from reports import Period, ReportError, kabkota_pdf, pick_period
from tests.dashboard.fixture_warehouse import SMALL_KAB, TOP_KAB
from tests.reports.conftest import pdf_pages, pdf_text

DEC = Period("bulan", "2025-12")


def kab_row(wh_con, kode: str, period: Period) -> dict:
    df = wh_con.execute(
        "SELECT p.*, c.pct_coverage FROM mart_prevalensi p LEFT JOIN mart_cakupan_pengukuran c "
        "USING (level, kode, period_type, period) WHERE p.level = 'kabkota' AND p.kode = ? "
        "AND p.period_type = ? AND p.period = ?",
        [kode, period.period_type, period.period]).df()
    assert len(df) == 1
    return df.iloc[0].to_dict()


@pytest.fixture(scope="module")
def jember(warehouse, tmp_path_factory):
    from dashboard.repository import Repository

    data = kabkota_pdf(Repository(warehouse), TOP_KAB, DEC, "jenis")
    folder = tmp_path_factory.mktemp("jember")
    return data, pdf_text(data, folder), pdf_text(data, folder, layout=True)


def test_headline_numbers_are_the_marts(jember, wh_con):
    _, text, _ = jember
    r = kab_row(wh_con, TOP_KAB, DEC)
    # the fixture's design: Jember has 9 of 12 children stunted, the highest share
    assert (r["n_stunted"], r["n_haz"], r["rank"]) == (9, 12, 1)
    assert "Laporan stunting Kabupaten Jember" in text
    assert "Periode Desember 2025 (bulanan)" in text
    assert "75,0 %" in text and fmt.pct(r["pct_stunted"], lang="id") == "75,0 %"
    assert f"IK 95 %: {fmt.interval(r['pct_stunted_lo95'], r['pct_stunted_hi95'], lang='id')}" in text
    assert "46,8–91,1 %" in text  # Wilson interval of 9/12
    assert "n = 12 balita dengan TB/U sah, 9 stunting" in text
    assert f"1 / {r['n_peers']}" in text and r["n_peers"] == 36  # 38 less two suppressed
    assert f"Rentang peringkat 95 %: {r['rank_lo']}–{r['rank_hi']}" in text
    assert fmt.pts(r["diff_pts"], lang="id") in text
    assert fmt.pct(r["prov_pct_stunted"], lang="id") in text
    assert f"cakupan pengukuran {fmt.pct(r['pct_coverage'], lang='id')}" in text


def test_comparison_classes_and_dispersion(jember, wh_con):
    _, text, _ = jember
    r = kab_row(wh_con, TOP_KAB, DEC)
    assert (r["signif"], r["signif_adj"]) == ("atas_998", "atas_998")
    assert "Jelas di atas rata-rata (99,8 %)" in text
    assert "Jauh di atas variasi wajar (99,8 %)" in text
    assert f"φ = {fmt.num(r['phi'], 2, lang='id')}" in text


def test_trend_beside_peers_and_province(jember, wh_con):
    _, text, rows = jember
    series = wh_con.execute(
        "SELECT period, pct_stunted, prov_pct_stunted FROM mart_prevalensi WHERE level = "
        "'kabkota' AND kode = ? AND period_type = 'bulan' ORDER BY period", [TOP_KAB]).df()
    assert len(series) == 6  # every month of the fixture is in the table
    peers = wh_con.execute(
        "SELECT period, 100 * sum(n_stunted) / sum(n_haz) AS pct FROM mart_prevalensi p JOIN "
        "ref_kabkota r USING (kode) WHERE p.level = 'kabkota' AND p.period_type = 'bulan' AND "
        "r.jenis = 'Kabupaten' AND kode <> ? AND NOT p.suppressed GROUP BY period ORDER BY period",
        [TOP_KAB]).df()
    for (period, pct, prov), peer in zip(series.itertuples(index=False), peers["pct"]):
        label = f"{fmt.MONTHS['id'][int(period[5:]) - 1]} {period[:4]}"
        row = f"{label} {fmt.pct(pct, lang='id')} {fmt.pct(peer, lang='id')} {fmt.pct(prov, lang='id')}"
        assert row in rows, row
    assert "Agu 2025 81,8 %" in rows  # August: 9 of 11 (one flagged HAZ left out)
    assert "Kelompok sebaya: 28 kab/kota" in text


def test_spm_profile_is_the_kabkota_and_the_median(jember, wh_con):
    _, _, rows = jember
    df = wh_con.execute(
        "SELECT bidang, max(pct_coverage_pooled) FILTER (kode = ?) AS mine, "
        "median(pct_coverage_pooled) AS med FROM mart_spm_field WHERE level = 'kabkota' AND "
        "period_type = 'bulan' AND period = '2025-12' GROUP BY bidang", [TOP_KAB]).df()
    assert len(df) == 6
    for r in df.itertuples():
        assert f"{r.bidang} {fmt.pct(r.mine, lang='id')} {fmt.pct(r.med, lang='id')}" in rows


def test_intervention_progress_of_a_target(jember, wh_con):
    _, text, rows = jember
    df = wh_con.execute(
        "SELECT activity_label, achieved_cum, target, pct_of_target, status FROM "
        "mart_intervensi_progress WHERE kode_kabkota = ? AND tanggal = DATE '2025-12-05'",
        [TOP_KAB]).df()
    assert len(df) == 7
    for r in df.itertuples():
        row = (f"{r.activity_label} {fmt.num(r.achieved_cum, lang='id')} "
               f"{fmt.num(r.target, lang='id')} {fmt.pct(r.pct_of_target, lang='id')}")
        assert row in rows, row
    assert "5 Des 2025" in text  # the campaign's last day, as of which progress is shown


def test_no_target_says_so(repo, tmp_path):
    text = pdf_text(kabkota_pdf(repo, "35.01", DEC), tmp_path)
    assert "Kab/kota ini bukan sasaran Intervensi stunting TP Posyandu Jawa Timur 2025." in text


def test_data_quality_and_provenance(jember, wh_con):
    _, text, rows = jember
    q = wh_con.execute(
        "SELECT * FROM mart_kualitas_data WHERE level = 'kabkota' AND kode = ? AND "
        "period_type = 'bulan' AND period = '2025-12'", [TOP_KAB]).df().iloc[0]
    assert f"Kelas plausibilitas {q['kelas_plausibilitas']}" in rows
    assert f"Skor {fmt.num(q['skor'], lang='id')}" in rows
    assert f"SD HAZ {fmt.num(q['sd_haz'], 2, lang='id')}" in rows
    built = wh_con.execute("SELECT strftime(built_at, '%Y-%m-%d') FROM meta_build").fetchone()[0]
    assert f"gudang data dibangun {fmt.day(built, lang='id')}" in text
    files = wh_con.execute("SELECT count(*) FROM load_files WHERE source = 'posyandu'").fetchone()[0]
    assert f"5 Jan 2026 ({files} file)" in text  # the fixture's extraction date
    assert "SSGI 2024 30,4 %" in text  # the survey value, labelled apart
    code = wh_con.execute("SELECT tumbuh_version, code_sha256 FROM meta_build").fetchone()
    assert f"Dibangun dengan tumbuh {code[0]} (kode {code[1][:12]}" in text


def test_two_a4_pages_with_charts(jember, tmp_path):
    data, _, _ = jember
    pages = pdf_pages(data, tmp_path)
    assert len(pages) == 2
    for page in pages:
        image = Image.open(page).convert("L")
        assert abs(image.width / image.height - 210 / 297) < 0.01  # A4 portrait
    first = Image.open(pages[0]).convert("L")
    w, h = first.size
    # the trend chart (upper middle) and the kecamatan map (lower half) put ink on the page
    for box in ((0, int(0.3 * h), w // 2, int(0.45 * h)), (0, int(0.5 * h), w // 2, int(0.8 * h))):
        assert first.crop(box).getextrema()[0] < 128, box


def test_a_suppressed_kabkota_is_reported_without_figures(repo, wh_con, tmp_path):
    r = kab_row(wh_con, SMALL_KAB, DEC)
    assert r["suppressed"]
    text = pdf_text(kabkota_pdf(repo, SMALL_KAB, DEC), tmp_path)
    assert "data tidak cukup" in text
    assert "Kota Batu: terlalu sedikit balita diukur pada periode ini" in text
    assert "Rentang peringkat" not in text


def test_a_year_and_a_weighing_month(repo, wh_con, tmp_path):
    for period in (Period("tahun", "2025"), Period("bulan_timbang", "2025-08")):
        r = kab_row(wh_con, TOP_KAB, period)
        text = pdf_text(kabkota_pdf(repo, TOP_KAB, period), tmp_path)
        assert fmt.pct(r["pct_stunted"], lang="id") in text
        assert f"Rentang peringkat 95 %: {r['rank_lo']}–{r['rank_hi']}" in text


def test_periods_and_unknown_codes(repo):
    assert pick_period(repo, None, None) == DEC  # the newest month
    assert pick_period(repo, "2025", None) == Period("tahun", "2025")
    assert pick_period(repo, "2025-08", "bulan_timbang") == Period("bulan_timbang", "2025-08")
    with pytest.raises(ReportError, match="Periode 2025-09 tidak ada"):
        pick_period(repo, "2025-09", None)
    with pytest.raises(ReportError, match="35.99"):
        kabkota_pdf(repo, "35.99", DEC)


def test_far_islands_are_named_beside_the_map(repo, tmp_path):
    """Gresik's map frames the mainland; Bawean's two kecamatan are named in the text."""
    text = pdf_text(kabkota_pdf(repo, "35.25", DEC), tmp_path)
    assert ("Di pulau kecil di luar bingkai peta: Sangkapura (tidak ada data), Tambak (tidak ada "
            "data).") in text
    assert "pulau kecil" not in pdf_text(kabkota_pdf(repo, TOP_KAB, DEC), tmp_path)
