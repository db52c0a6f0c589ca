"""Ceilings on what one export file may make the reader do ([limits] in config/tumbuh.toml). A
file over one is refused before (or as soon as) the reader meets it, with a message naming the
limit; the other files of the command load as usual."""

from __future__ import annotations

import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.config import FileLimits

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
class Limits(FileLimits):
    """The ceilings of [limits] (fields and defaults: pipelines.config.FileLimits) with the
    checks the readers run."""

    @classmethod
    def of(cls, settings: FileLimits) -> Limits:
        """The configured ceilings (`config.limits`) as the readers use them."""
        return settings if isinstance(settings, cls) else cls(**asdict(settings))

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
