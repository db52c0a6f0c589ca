"""The wilayah scope holds in the PDF: the report reads through the caller's Repository, so a
kab/kota user's report of another kab/kota has that kab/kota's own rows (kab/kota level, as on
the comparison page) but none of its kecamatan, desa or posyandu rows; and the comparison
page's download builds the report with the session's scoped Repository."""

from __future__ import annotations

from typing import Any

from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from dashboard.app import single_page_script
from dashboard.repository import Repository
from reports import Period, kabkota_pdf
from tests.dashboard.test_scope import foreign, inside
from tests.reports.conftest import pdf_text

OWN, OTHER = "35.07", "35.09"
DEC = Period("bulan", "2025-12")


def test_the_report_reads_only_what_the_scope_may(warehouse, spy, tmp_path):
    Repository.clear_cache()
    province = kabkota_pdf(Repository(warehouse), OTHER, DEC)
    assert inside([f for _, f in spy], OTHER)  # unscoped, the report reads Jember's kecamatan
    spy.clear()
    Repository.clear_cache()
    scoped = kabkota_pdf(Repository(warehouse, scope=OWN), OTHER, DEC)
    assert {scope for scope, _ in spy} == {OWN}
    assert foreign([f for _, f in spy], OWN) == []
    text, full = pdf_text(scoped, tmp_path), pdf_text(province, tmp_path)
    for same in ("Laporan stunting Kabupaten Jember", "75,0 %", "46,8–91,1 %", "1 / 36"):
        assert same in text and same in full  # kab/kota level: the same numbers


def _capture_downloads(monkeypatch) -> dict[str, Any]:
    """key -> data of every download button a page makes (a callable is built on click)."""
    captured: dict[str, Any] = {}
    original = DeltaGenerator.download_button

    def download_button(self: DeltaGenerator, label: str, data: Any, *args: Any, **kw: Any):
        captured[kw.get("key")] = data
        return original(self, label, data, *args, **kw)

    monkeypatch.setattr(DeltaGenerator, "download_button", download_button)
    return captured


def test_the_pages_download_uses_the_sessions_scope(warehouse, spy, monkeypatch, tmp_path):
    """The comparison page's PDF button, as a kab/kota user who picked another kab/kota."""
    captured = _capture_downloads(monkeypatch)
    Repository.clear_cache()
    at = AppTest.from_function(single_page_script, args=(str(warehouse), "perbandingan", "id", OWN),
                               default_timeout=60).run()
    at.selectbox(key="perbandingan.kabkota").set_value(OTHER).run()
    assert not at.exception
    spy.clear()
    Repository.clear_cache()
    data = captured["perbandingan.download_pdf"]()
    assert data.startswith(b"%PDF-")
    assert spy and {scope for scope, _ in spy} == {OWN}
    assert foreign([f for _, f in spy], OWN) == []
    assert "Laporan stunting Kabupaten Jember" in pdf_text(data, tmp_path)


def _page_downloads(monkeypatch, warehouse, scope: str | None) -> dict[str, Any]:
    captured = _capture_downloads(monkeypatch)
    Repository.clear_cache()
    at = AppTest.from_function(single_page_script, args=(str(warehouse), "peta", "id", scope),
                               default_timeout=60).run()
    assert not at.exception
    return captured


def test_the_map_page_offers_the_province_report_to_the_province_only(warehouse, monkeypatch,
                                                                      tmp_path):
    """The provincial TP Posyandu prints `tumbuh report provinsi` from the map page; a kab/kota
    account reads only its own kab/kota's rows below kab/kota level and gets no such button."""
    assert "peta.download_pdf" not in _page_downloads(monkeypatch, warehouse, OWN)
    data = _page_downloads(monkeypatch, warehouse, None)["peta.download_pdf"]()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    assert "Jawa Timur" in text and "Kabupaten Jember" in text and "75,0 %" in text
