"""One loaded file's rejected rows as a spreadsheet the kab/kota can correct and upload again
(the dashboard's "Unggah data" page; docs/decisions.md D27): the file's own columns as read
(raw cells, under the export's header names; the personal columns tumbuh never keeps are
absent), its row numbers, and the column, reason and message of each rejection. Read from the
published warehouse's store (`rejects`, `raw_*`) through `connect_readonly`; every cell written
inert (pipelines/safe_cells.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pipelines.safe_cells import XLSX_OPTIONS, inert_frame


def _raw_table(source: str) -> str:
    from pipelines.ingest import get_source

    return get_source(source).raw_table


def _labels(source: str) -> dict[str, str]:
    """Canonical column -> the header text exports use for it (the spec's first name)."""
    from pipelines.ingest import get_source

    spec = get_source(source).spec
    return {c.name: c.label for c in (*spec.columns, *spec.extras)}


def rejected_rows(warehouse: Path, source: str, sha256: str):
    """The rejected rows of one loaded file in the file's own layout: its row number, every
    column it had (raw cells as read, under the export's header names; the personal columns
    tumbuh never keeps are absent), then column, reason and message. A pandas frame."""
    import pandas as pd

    from pipelines.warehouse import connect_readonly

    raw = _raw_table(source)
    with connect_readonly(warehouse) as con:
        frame = con.execute(
            f"SELECT r.* EXCLUDE (file_sha256, file_name, sheet, loaded_at), "
            f"j.column_name AS _column, j.reason AS _reason, j.message AS _message "
            f"FROM rejects AS j LEFT JOIN {raw} AS r USING (file_sha256, row_number) "
            f"WHERE j.file_sha256 = ? AND j.source = ? ORDER BY j.row_number",
            [sha256, source]).df()
    labels = _labels(source)
    out = pd.DataFrame({"baris": frame["row_number"]})
    for column in frame.columns:
        if column in ("row_number", "extra") or column.startswith("_"):
            continue
        if frame[column].notna().any():  # a column the file had
            out[labels.get(column, column)] = frame[column]
    if "extra" in frame.columns and frame["extra"].notna().any():  # unknown columns kept
        extra = frame["extra"].map(lambda v: json.loads(v) if isinstance(v, str) else {})
        for key in dict.fromkeys(k for d in extra for k in d):
            out[key] = extra.map(lambda d, k=key: d.get(k))
    out["kolom"] = frame["_column"]
    out["reason"] = frame["_reason"]
    out["message"] = frame["_message"]
    return out


def rejects_xlsx(warehouse: Path, source: str, sha256: str) -> bytes:
    """`rejected_rows` as an XLSX workbook whose every cell is inert (no formulas, links or
    numbers read from text): what the kab/kota corrects and uploads again."""
    import pandas as pd

    buffer = io.BytesIO()
    frame = inert_frame(rejected_rows(warehouse, source, sha256).astype(object))
    with pd.ExcelWriter(buffer, engine="xlsxwriter",
                        engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        frame.to_excel(writer, sheet_name="ditolak", index=False)
    return buffer.getvalue()
