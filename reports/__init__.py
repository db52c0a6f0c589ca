"""The PDF reports (issue 17): one kab/kota on two A4 pages, and the province's 38 kab/kota on one
page with the map, in Bahasa Indonesia. Like the dashboard they only read the published marts,
through its query layer and with the caller's Repository (and so its wilayah scope); their
numbers are formatted as the dashboard formats them.

- `kabkota_pdf(repo, kode, ...)`, `provinsi_pdf(repo, ...)`: the PDF bytes
- kabkota, provinsi, hotspots, intervention: what each report says
- figures: matplotlib charts and maps as SVG; pdf: typesetting with Typst (decision D34)
- cli: `tumbuh report`
"""

from __future__ import annotations

from dashboard.repository import Repository
from reports.common import Period, ReportError, pick_period

__all__ = ["Period", "ReportError", "kabkota_pdf", "pick_period", "provinsi_pdf"]


def kabkota_pdf(repo: Repository, kode: str, period: Period, peer_group: str = "jenis") -> bytes:
    from reports import kabkota, pdf

    content, figures = kabkota.build(repo, kode, period, peer_group)
    return pdf.render("kabkota", content, figures)


def provinsi_pdf(repo: Repository, period: Period) -> bytes:
    from reports import pdf, provinsi

    content, figures = provinsi.build(repo, period)
    return pdf.render("provinsi", content, figures)
