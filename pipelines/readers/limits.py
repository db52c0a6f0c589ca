"""Ceilings on what one export file may make the reader do ([limits] in config/tumbuh.toml). A
file over one is refused before (or as soon as) the reader meets it, with a message naming the
limit; the other files of the command load as usual."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

MIB = 2**20
# Members smaller than this are never called a bomb, whatever their ratio (a 40 KB styles.xml
# of repeated elements compresses well and is harmless).
RATIO_MIN_BYTES = 1 * MIB


class LimitExceeded(Exception):
    """A file over a limit; `reason` names the limit. The reader turns it into a FatalFileError."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    # Rows after the header: a CSV's lines, a sheet's or an HTML table's rows. The largest real
    # export (a whole province's month, ~2.5M children) fits; an XLSX sheet stops at 1,048,576.
    max_rows: int = 3_000_000
    # Header cells up to the last one with text (e-PPGBM exports have ~40, PKK recaps ~45).
    max_columns: int = 500
    # XLSX: the workbook's parts once inflated (a 160,000-row sheet is ~320 MB of XML) and the
    # inflation ratio of any part over 1 MiB (Apache POI's guard uses the same 100).
    xlsx_max_uncompressed_mb: int = 600
    xlsx_max_ratio: int = 100

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> Limits:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - names)
        if unknown:
            raise ValueError(f"[limits]: unknown setting(s) {', '.join(unknown)}")
        values = {k: int(v) for k, v in section.items()}
        if any(v <= 0 for v in values.values()):
            raise ValueError("[limits]: every limit must be a positive whole number")
        return cls(**values)

    def check_rows(self, rows: int) -> None:
        if rows > self.max_rows:
            raise LimitExceeded(
                f"refused: more than {self.max_rows:,} rows after the header "
                f"([limits] max_rows)")

    def check_workbook(self, path: Path) -> None:
        """The zip directory's sizes, before any part is inflated (Python's zipfile stops a part
        at its declared size, so a part cannot inflate past what is checked here)."""
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        limit = self.xlsx_max_uncompressed_mb * MIB
        if total > limit:
            raise LimitExceeded(
                f"refused: the workbook expands to {total / MIB:,.0f} MB, over the limit of "
                f"{self.xlsx_max_uncompressed_mb:,} MB ([limits] xlsx_max_uncompressed_mb)")
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_MIN_BYTES and ratio > self.xlsx_max_ratio:
                raise LimitExceeded(
                    f"refused: the workbook part {info.filename} expands {ratio:,.0f} times "
                    f"({info.compress_size / MIB:,.1f} MB to {info.file_size / MIB:,.0f} MB), over "
                    f"the limit of {self.xlsx_max_ratio} ([limits] xlsx_max_ratio): a zip bomb, "
                    "or a sheet of one value repeated; save it as CSV")
