"""`tumbuh report`: writes the PDF for a kab/kota (by either form of its code) or the province,
for the newest month or the period asked for, and refuses what it cannot report."""

from __future__ import annotations

import pytest

from tests.reports.conftest import pdf_pages, pdf_text
from tumbuh_cli import main


def test_kabkota_and_provinsi_reports(warehouse, tmp_path, capsys):
    out = tmp_path / "out" / "jember.pdf"
    assert main(["report", "3509", "--out", str(out), "--warehouse", str(warehouse)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"{out} written" in capsys.readouterr().out
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Laporan stunting Kabupaten Jember" in text and "Desember 2025" in text
    assert len(pdf_pages(out.read_bytes(), tmp_path)) == 2

    prov = tmp_path / "jatim.pdf"
    assert main(["report", "provinsi", "--period", "2025-08", "--period-type", "bulan_timbang",
                 "--out", str(prov), "--warehouse", str(warehouse)]) == 0
    text = pdf_text(prov.read_bytes(), tmp_path)
    assert "Periode Agustus 2025 (bulan timbang)" in text
    assert "Laporan stunting Jawa Timur: 38 kab/kota" in text


def test_a_year_with_another_peer_group(warehouse, tmp_path):
    out = tmp_path / "r.pdf"
    assert main(["report", "35.09", "--period", "2025", "--peers", "tetangga", "--out", str(out),
                 "--warehouse", str(warehouse)]) == 0
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Periode 2025 (tahunan)" in text and "Kabupaten Lumajang" in text  # a neighbour


@pytest.mark.parametrize("args, message", [
    (["35.99"], "Tidak ada data kab/kota 35.99"),
    (["35.09", "--period", "2031-01"], "Periode 2031-01 tidak ada di gudang data"),
    (["provinsi", "--period", "2025-07", "--period-type", "bulan_timbang"], "tidak ada"),
])
def test_refusals(warehouse, tmp_path, capsys, args, message):
    out = tmp_path / "x.pdf"
    assert main(["report", *args, "--out", str(out), "--warehouse", str(warehouse)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())  # no partial file


def test_missing_warehouse_and_wrong_suffix(warehouse, tmp_path, capsys):
    assert main(["report", "35.09", "--out", str(tmp_path / "x.pdf"),
                 "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse" in capsys.readouterr().err
    assert main(["report", "35.09", "--out", str(tmp_path / "x.html"),
                 "--warehouse", str(warehouse)]) == 2
    assert "--out must name a .pdf file" in capsys.readouterr().err


def test_the_parsers_choices_are_the_dashboards():
    """reports.cli keeps its own copies so that building the `tumbuh` parser imports nothing
    heavy; they must stay the dashboard's."""
    from dashboard.peers import PEER_GROUPS
    from dashboard.widgets import PERIOD_TYPES
    from reports import cli

    assert cli.PEER_GROUPS == PEER_GROUPS and cli.PERIOD_TYPES == PERIOD_TYPES
