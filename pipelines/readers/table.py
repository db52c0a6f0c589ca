"""read_table: one export file (any format) -> a DuckDB temp table of text cells + metadata."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from pipelines.readers.csv_lines import SMALL_FILE
from pipelines.readers.csv_source import load_csv
from pipelines.readers.detect import HEAD_BYTES, detect_format
from pipelines.readers.grid import load_grids
from pipelines.readers.html_source import html_grids
from pipelines.readers.limits import LimitExceeded, Limits
from pipelines.readers.load import table_ref
from pipelines.readers.mask import mask_numbers, mask_title
from pipelines.readers.spec import FatalFileError, ReadResult, TableSpec
from pipelines.readers.titles import extraction_date
from pipelines.readers.workbook import xls_grids, xlsx_grids


def read_table(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    spec: TableSpec,
    table: str = "src_rows",
    limits: Limits | None = None,
) -> ReadResult:
    """Read `path` into the table `table` (a temp table, or `db.name`: see table_ref):
    `row_number` (physical row in the file or sheet), one VARCHAR column per canonical column
    present, `extra` (JSON text of the allowed unknown columns). Raises FatalFileError when the
    file is no table with the spec's header, or is over one of `limits` (the reason names it).
    Cells, title lines and the sheet name come back masked (pipelines/readers/mask.py)."""
    path = Path(path)
    try:
        return _read_table(con, path, spec, table, limits or Limits())
    except LimitExceeded as exc:
        con.execute(f"DROP TABLE IF EXISTS {table_ref(table)}")
        raise FatalFileError(str(path), exc.reason) from exc


def _read_table(
    con: duckdb.DuckDBPyConnection, path: Path, spec: TableSpec, table: str, limits: Limits
) -> ReadResult:
    label = str(path)
    # A failed read must not leave the previous file's rows behind under the same name.
    con.execute(f"DROP TABLE IF EXISTS {table_ref(table)}")
    try:
        with open(path, "rb") as fh:
            # A small file is read whole, once; a large one is streamed later.
            data = fh.read() if os.fstat(fh.fileno()).st_size <= SMALL_FILE else None
            head = fh.read(HEAD_BYTES) if data is None else data[:HEAD_BYTES]
    except OSError as exc:
        raise FatalFileError(label, f"cannot open file ({exc.strerror or exc})") from exc
    if not head:
        raise FatalFileError(label, "empty file")
    fmt = detect_format(path, head, label)
    encoding = delimiter = None
    if fmt == "csv":
        out = load_csv(con, path, head, spec, table, label, data, limits)
        sha256, encoding, delimiter, sheet = out.sha256, out.encoding, out.delimiter, None
    else:
        if fmt == "xlsx":  # before a byte of it is inflated
            limits.check_workbook(path)
        data = path.read_bytes() if data is None else data
        sha256 = hashlib.sha256(data).hexdigest()
        if fmt == "xlsx":
            grids = xlsx_grids(path, label, limits)
        elif fmt == "xls":
            grids = xls_grids(data, label, limits)
        else:
            grids, encoding = html_grids(data, label, limits)
        try:
            out = load_grids(con, grids, spec, table, label, limits)
        except (IndexError, KeyError, ValueError, duckdb.Error) as exc:
            # A damaged workbook (a shared-string index out of range, a cell reference that
            # does not parse, cells DuckDB cannot take) is the file's problem: fatal for this
            # file, not for the command (as a CSV that DuckDB cannot parse).
            raise FatalFileError(
                label, f"not a readable table ({fmt}: {type(exc).__name__}: {exc})") from exc
        finally:
            if hasattr(grids, "close"):
                grids.close()  # closes the workbook the generator holds open
        sheet = mask_numbers(out.sheet)
    names = set(out.layout.canonical.values())
    return ReadResult(
        path=str(path),
        file_name=path.name,
        file_sha256=sha256,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        header_row=out.header_row,
        title_lines=[mask_title(line) for line in out.title_lines],
        extraction_date=extraction_date(out.title_lines),
        columns=[c.name for c in spec.columns if c.name in names],
        extra_columns=list(out.layout.extra.values()),
        dropped_columns=list(out.layout.dropped),
        table=table,
        rows_read=out.rows_read,
    )
