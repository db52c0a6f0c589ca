"""The rows table every format ends in: one DuckDB statement builds it, a second drops blank and
footer rows. Cells arrive as raw text columns c0..cN of a source relation."""

from __future__ import annotations

import duckdb

from pipelines.readers.header import Layout
from pipelines.readers.spec import CELL_WHITESPACE, TableSpec

# A row whose key columns are all empty and that has a cell starting with one of these words
# is a footer (totals, print stamp, notes), not a data row.
FOOTER_WORDS = (
    "grand total",
    "sub total",
    "subtotal",
    "total",
    "jumlah",
    "dicetak",
    "keterangan",
    "sumber",
)
_FOOTER_ALTERNATION = "|".join(w.replace(" ", r"\s*") for w in FOOTER_WORDS)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_column(pos: int) -> str:
    return f"c{pos}"


def _cell(pos: int) -> str:
    """Cell text stripped of CELL_WHITESPACE, empty -> NULL. trim() on every value would make a
    CSV read about four times slower, so only values that may need it are trimmed: those that
    start with a space, a control or a non-ASCII character, or end with a space (two prefix
    and suffix compares). A value that ends in other whitespace (tab, no-break space) without
    starting with any keeps it; workbook and HTML cells are stripped fully in Python."""
    c = raw_column(pos)
    suspect = f"{c} < '!' OR {c} >= '\u0080' OR {c} LIKE '% '"
    return (
        f"CASE WHEN {suspect} THEN NULLIF(trim({c}, {quote_literal(CELL_WHITESPACE)}), '') "
        f"ELSE {c} END"
    )


def canonical_order(layout: Layout, spec: TableSpec) -> list[tuple[str, int]]:
    """(canonical name, cell position) in spec order, so every file yields the same column order."""
    by_name = {name: pos for pos, name in layout.canonical.items()}
    return [(c.name, by_name[c.name]) for c in spec.columns if c.name in by_name]


def _extra_expr(layout: Layout) -> str:
    if not layout.extra:
        return "NULL::VARCHAR"
    cells = [_cell(pos) for pos in layout.extra]
    pairs = ", ".join(
        f"{quote_literal(key)}, {cell}" for key, cell in zip(layout.extra.values(), cells)
    )
    # NULL when the row has nothing in any unknown column, so blank rows stay recognisable.
    return (
        f"CASE WHEN coalesce({', '.join(cells)}) IS NULL THEN NULL "
        f"ELSE json_object({pairs})::VARCHAR END"
    )


def create_rows_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source_sql: str,
    row_number_sql: str,
    layout: Layout,
    spec: TableSpec,
) -> None:
    """CREATE OR REPLACE TEMP TABLE `table` from `source_sql` (a FROM-able relation with text
    columns c0..c{width-1})."""
    select = [f"CAST({row_number_sql} AS INTEGER) AS row_number"]
    select += [
        f"{_cell(pos)} AS {quote_ident(name)}" for name, pos in canonical_order(layout, spec)
    ]
    select.append(f"{_extra_expr(layout)} AS extra")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote_ident(table)} AS "
        f"SELECT {', '.join(select)} FROM {source_sql}"
    )


def delete_non_data_rows(
    con: duckdb.DuckDBPyConnection, table: str, layout: Layout, spec: TableSpec
) -> int:
    """Drop blank rows and footer rows; return the number of data rows left."""
    names = [name for name, _ in canonical_order(layout, spec)]
    cols = [quote_ident(n) for n in names]
    blank = f"coalesce({', '.join(cols + ['extra'])}) IS NULL"
    keys = [quote_ident(n) for n in spec.key_columns if n in names]
    keys_empty = f"coalesce({', '.join(keys)}) IS NULL" if keys else "TRUE"
    starts = [f"regexp_matches({c}, '^({_FOOTER_ALTERNATION})', 'i')" for c in cols]
    # Inside the extra JSON text a value starts right after `":"`.
    starts.append(f"regexp_matches(extra, '\":\"({_FOOTER_ALTERNATION})', 'i')")
    footer = f"{keys_empty} AND ({' OR '.join(starts)})"
    con.execute(f"DELETE FROM {quote_ident(table)} WHERE {blank} OR ({footer})")
    return con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchall()[0][0]
