"""The real format of an export, from its first bytes (the extension lies: e-PPGBM saves HTML
tables as .xls, people rename CSVs)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipelines.readers.spec import FatalFileError

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
UTF8_BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 64 * 1024

# Bytes that do not occur in text exports; a few may (a stray form feed), many mean binary.
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c") + b"\x7f"


def _looks_binary(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text is not supported; save it as UTF-8 or Windows-1252 CSV"
    if b"\x00" in head:
        return "binary content"
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > max(8, len(head) // 100):
        return "binary content"
    return None


def detect_format(path: Path, head: bytes, label: str) -> str:
    """ "xls", "xlsx", "html" or "csv"; FatalFileError for anything else."""
    if head.startswith(OLE2_SIGNATURE):
        return "xls"
    if head.startswith(ZIP_SIGNATURES):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise FatalFileError(label, f"not a readable table (damaged zip archive: {exc})")
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise FatalFileError(
            label, "not a readable table (zip archive that is not an XLSX workbook)"
        )
    if head.startswith(b"%PDF"):
        raise FatalFileError(label, "not a readable table (PDF document)")
    text = head.removeprefix(UTF8_BOM)
    if text.lstrip().startswith(b"<"):
        return "html"
    reason = _looks_binary(head)
    if reason:
        raise FatalFileError(label, f"not a readable table ({reason})")
    return "csv"
