"""Sheets read cell by cell in Python (XLSX, XLS, HTML): pick the first sheet with a header and
hand its rows to DuckDB through Arrow."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from pipelines.readers.header import (
    HEADER_SEARCH_ROWS,
    HeaderMatch,
    HeaderMiss,
    Layout,
    check_columns,
    find_header,
)
from pipelines.readers.limits import Limits
from pipelines.readers.load import create_rows_table, delete_non_data_rows, quote_ident, raw_column
from pipelines.readers.spec import FatalFileError, TableSpec

Row = tuple[int, list[str | None]]


@dataclass
class Grid:
    name: str  # sheet name, or "table1" for the first HTML table
    rows: Iterator[Row]  # every physical row, numbered from 1
    preamble: list[str] = field(default_factory=list)  # text above the grid (HTML only)


@dataclass(frozen=True)
class GridOutcome:
    sheet: str
    header_row: int
    title_lines: list[str]
    layout: Layout
    rows_read: int


def _arrow_rows(rows: Iterable[Row], width: int, limits: Limits) -> pa.Table:
    numbers: list[int] = []
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for count, (number, cells) in enumerate(rows, start=1):
        if count > limits.max_rows:
            limits.check_rows(count)
        cells = cells[:width]
        if not any(cells):
            continue  # blank rows (Excel keeps formatted empty rows) never reach DuckDB
        numbers.append(number)
        for pos in range(width):
            columns[pos].append(cells[pos] if pos < len(cells) else None)
    data = {"row_number": pa.array(numbers, pa.int32())}
    data.update({raw_column(pos): pa.array(col, pa.string()) for pos, col in enumerate(columns)})
    return pa.table(data)


def load_grids(
    con: duckdb.DuckDBPyConnection,
    grids: Iterable[Grid],
    spec: TableSpec,
    table: str,
    label: str,
    limits: Limits | None = None,
) -> GridOutcome:
    """The first grid with the spec's header, loaded into `table`; LimitExceeded for a header
    wider or a table longer than `limits` allows."""
    limits = limits or Limits()
    best: HeaderMiss | None = None
    seen_text = False
    for grid in grids:
        head = list(itertools.islice(grid.rows, HEADER_SEARCH_ROWS))
        match = find_header(head, spec)
        if isinstance(match, HeaderMiss):
            seen_text = seen_text or match.has_text
            if best is None or match.groups_found > best.groups_found:
                best = match
            continue
        check_columns(match.layout, limits.max_columns)
        return _load(con, grid, head, match, spec, table, limits)
    if best is None or not seen_text:
        raise FatalFileError(label, "not a readable table (no cells with text)")
    raise FatalFileError(label, best.reason())


def _load(
    con: duckdb.DuckDBPyConnection,
    grid: Grid,
    head: list[Row],
    match: HeaderMatch,
    spec: TableSpec,
    table: str,
    limits: Limits,
) -> GridOutcome:
    rows = itertools.chain(head[match.index + 1 :], grid.rows)
    arrow = _arrow_rows(rows, match.layout.width, limits)
    view = f"__tumbuh_reader_{uuid.uuid4().hex}"
    con.register(view, arrow)
    try:
        rows = create_rows_table(con, table, quote_ident(view), "row_number", match.layout, spec)
    finally:
        con.unregister(view)
    rows_read, _ = delete_non_data_rows(con, table, match.layout, spec, rows)
    return GridOutcome(
        sheet=grid.name,
        header_row=match.row_number,
        title_lines=grid.preamble + match.title_lines,
        layout=match.layout,
        rows_read=rows_read,
    )
