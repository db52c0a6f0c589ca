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
from pipelines.readers.load import table_ref
from pipelines.readers.spec import FatalFileError, ReadResult, TableSpec
from pipelines.readers.titles import extraction_date
from pipelines.readers.workbook import xls_grids, xlsx_grids


def read_table(
    con: duckdb.DuckDBPyConnection, path: str | Path, spec: TableSpec, table: str = "src_rows"
) -> ReadResult:
    """Read `path` into the table `table` (a temp table, or `db.name`: see table_ref):
    `row_number` (physical row in the file or sheet), one VARCHAR column per canonical column
    present, `extra` (JSON text of unknown columns). Raises FatalFileError when the file is no table with the spec's header."""
    path = Path(path)
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
        out = load_csv(con, path, head, spec, table, label, data)
        sha256, encoding, delimiter, sheet = out.sha256, out.encoding, out.delimiter, None
    else:
        data = path.read_bytes() if data is None else data
        sha256 = hashlib.sha256(data).hexdigest()
        if fmt == "xlsx":
            grids = xlsx_grids(path, label)
        elif fmt == "xls":
            grids = xls_grids(data, label)
        else:
            grids = html_grids(data, label)
        try:
            out = load_grids(con, grids, spec, table, label)
        except (IndexError, KeyError, ValueError, duckdb.Error) as exc:
            # A damaged workbook (a shared-string index out of range, a cell reference that
            # does not parse, cells DuckDB cannot take) is the file's problem: fatal for this
            # file, not for the command (as a CSV that DuckDB cannot parse).
            raise FatalFileError(
                label, f"not a readable table ({fmt}: {type(exc).__name__}: {exc})") from exc
        finally:
            if hasattr(grids, "close"):
                grids.close()  # closes the workbook the generator holds open
        sheet = out.sheet
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
        title_lines=out.title_lines,
        extraction_date=extraction_date(out.title_lines),
        columns=[c.name for c in spec.columns if c.name in names],
        extra_columns=list(out.layout.extra.values()),
        table=table,
        rows_read=out.rows_read,
    )
