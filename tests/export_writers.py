"""Export files written on the fly for the ingestion tests: title lines above a header row and
data rows, as the e-PPGBM, SPM/PKK and intervention exports have them, as CSV or XLSX."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl


def write_titled_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
                     titles: Sequence[str] = (), *, delimiter: str = ";",
                     encoding: str = "utf-8", title_end: str = "\r\n") -> Path:
    """Rows end in CRLF (csv's default); None is written as an empty cell."""
    with open(path, "w", newline="", encoding=encoding) as fh:
        fh.writelines(title + title_end for title in titles)
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([["" if c is None else c for c in row] for row in rows])
    return path


def write_titled_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
                      titles: Sequence[str] = (), *, sheet: str = "Data") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for title in titles:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path
