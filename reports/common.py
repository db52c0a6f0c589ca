"""What both reports share: the period a report is for, short period labels for chart axes, the
provenance footer (sources with their extraction dates, the build) and simple tables."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from dashboard import fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import Repository

# load_files.source -> the source's label in the locale files (source.*)
SOURCES = {"posyandu": "pengukuran", "spm": "spm", "pkk": "pkk", "intervensi": "intervensi"}


class ReportError(ValueError):
    """A report that cannot be made (unknown kab/kota or period, no marts yet): the message
    says why, in Indonesian."""


@dataclass(frozen=True)
class Period:
    period_type: str  # bulan, bulan_timbang, tahun
    period: str  # "2025-12", "2025"

    @property
    def label(self) -> str:
        return f"{fmt.period(self.period)} ({t(f'laporan.pt_{self.period_type}')})"

    @property
    def monthly(self) -> tuple[str, str]:
        """The matching period of the marts kept by month and year only (quality)."""
        return ("tahun" if self.period_type == "tahun" else "bulan", self.period)


def pick_period(repo: Repository, period: str | None, period_type: str | None) -> Period:
    """The report's period: the one asked for (its type from its form, "2025" a year and
    "2025-12" a month, unless `period_type` says bulan_timbang), else the newest month."""
    if not q.build.has(repo, "mart_prevalensi"):
        raise ReportError(t("laporan.no_marts"))
    if period_type is None:
        period_type = "tahun" if period is not None and len(period) == 4 else "bulan"
    known = q.stunting.periods(repo, period_type)
    if not known:
        raise ReportError(t("laporan.no_period", period=period or "–", known="–"))
    if period is None:
        return Period(period_type, known[0])
    if period not in known:
        raise ReportError(t("laporan.no_period", period=period, known=", ".join(known[:12])))
    return Period(period_type, period)


def axis_label(period: str) -> str:
    """"2025-08" -> "Agu 2025" (short, for chart axes); a year stays as it is."""
    if len(period) == 7 and period[4] == "-":
        return f"{fmt.MONTHS['id'][int(period[5:]) - 1]} {period[:4]}"
    return period


def provenance(repo: Repository, sources: Sequence[str]) -> str:
    """The footer: each source with its newest extraction date and file count, when the
    warehouse was built (and its version), and when and by what this report was made."""
    info = q.build.build_info(repo)
    parts = []
    for source in sources:
        date = info["extraction"].get(source)
        if date is not None and not pd.isna(date):
            parts.append(t("laporan.source_as_of", source=t(f"source.{SOURCES[source]}"),
                           date=fmt.day(date), n=fmt.num(info["files"].get(source))))
    text = t("laporan.sources", sources="; ".join(parts) or "–")
    if info["built_at"] is not None:
        built = pd.Timestamp(info["built_at"])
        text += " · " + t("laporan.built", date=fmt.day(built), time=built.strftime("%H:%M"),
                          version=str(info["version"] or "–")[:12])
    code = info.get("code")  # what built the marts (builds before provenance: not recorded)
    if code:
        text += " " + t("caption.code", version=code["tumbuh_version"],
                        code=str(code["code_sha256"])[:12], config=str(code["config_sha256"])[:12],
                        commit=str(code["git_commit"] or "–")[:12])
    now = datetime.now(UTC)
    return text + " · " + t("laporan.made", date=fmt.day(now), time=now.strftime("%H:%M"),
                            version=_version())


def _version() -> str:
    try:
        return importlib.metadata.version("tumbuh")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str) -> dict[str, Any]:
    """A table for the templates: header, rows of text, one alignment letter per column
    (l, r, c)."""
    return {"header": list(header), "rows": [[str(v) for v in row] for row in rows],
            "align": list(align)}
