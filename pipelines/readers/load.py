"""The rows table every format ends in: one DuckDB statement builds it, a second drops blank and
footer rows. Cells arrive as raw text columns c0..cN of a source relation.

Both statements run once per file, so for a small file their cost to parse, bind and optimise
counts as much as their cost to run: the per-cell expressions are then written once, as lambdas
over the list of a row's cells, instead of once per column (a CASE per column took longer to
plan than the read). A large file keeps the per-column form, which runs faster per row."""

from __future__ import annotations

import duckdb

from pipelines.readers.header import Layout
from pipelines.readers.mask import (
    ADDRESS_MASK,
    NAME_MASK,
    is_address_like,
    is_name_like,
    mask_numbers_cell_sql,
    maybe_address_sql,
    maybe_word_sql,
)
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
_CELLS = "__tumbuh_cells"  # the list of a row's cleaned cells, in the rows table's query


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_ref(table: str) -> str:
    """SQL reference of a rows table: `name` is a temp table of the connection; `db.name` a table
    in the attached database `db` (the ingest's in-memory scratch, which every cursor sees)."""
    db, _, name = table.rpartition(".")
    return f"{db or 'temp'}.main.{quote_ident(name)}"


def raw_column(pos: int) -> str:
    return f"c{pos}"


def _cell(value: str) -> str:
    """Cell text stripped of CELL_WHITESPACE, empty -> NULL. trim() on every value would make a
    CSV read about four times slower, so only values that may need it are trimmed: those that
    start with a space, a control or a non-ASCII character, or end with a space (two prefix
    and suffix compares). A value that ends in other whitespace (tab, no-break space) without
    starting with any keeps it; workbook and HTML cells are stripped fully in Python."""
    suspect = f"{value} < '!' OR {value} >= '\u0080' OR {value} LIKE '% '"
    return (
        f"CASE WHEN {suspect} THEN NULLIF(trim({value}, {quote_literal(CELL_WHITESPACE)}), '') "
        f"ELSE {value} END"
    )


def canonical_order(layout: Layout, spec: TableSpec) -> list[tuple[str, int]]:
    """(canonical name, cell position) in spec order, so every file yields the same column order."""
    by_name = {name: pos for pos, name in layout.canonical.items()}
    return [(c.name, by_name[c.name]) for c in spec.columns if c.name in by_name]


def _element(pos: int) -> str:
    return f"{_CELLS}[{pos + 1}]"


def _kept(pos: int) -> str:
    return f"k{pos}"


def _extra_expr(layout: Layout) -> str:
    if not layout.extra:
        return "NULL::VARCHAR"
    cells = [_kept(pos) for pos in layout.extra]
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
    trim: bool = True,
    many_rows: bool = False,
    limit: int | None = None,
) -> int:
    """CREATE OR REPLACE TABLE `table` (see table_ref) from `source_sql` (a FROM-able relation
    with text columns c0..c{width-1}); return the number of rows. `trim=False` when the caller knows no
    cell needs stripping (the cells are then taken as they are, which is cheaper). `limit`: read
    no more rows than this (the caller refuses a file that fills it).

    The strip expression is written once, as a lambda over the list of a row's cells: a CASE
    per column takes DuckDB longer to parse and plan than a small file takes to read. With
    `many_rows` the CASE per column is used all the same, as it runs faster per row.

    Every kept cell but the personal ones (read for the child key, never stored) is masked here
    (pipelines/readers/mask.py): NIK-like numbers, phones and e-mails here, in a projection of
    its own (so that the strip runs once); text like a name in a typed column, or an address in
    a text column, once the footer rows are gone (delete_non_data_rows: "Sub Total" in No is a
    footer, not a name)."""
    if not trim:
        cell = raw_column
    elif many_rows:
        cell = lambda pos: _cell(raw_column(pos))
    else:
        cell = _element
        raw = ", ".join(raw_column(pos) for pos in range(layout.width))
        source_sql = (
            f"(SELECT *, list_transform([{raw}], lambda v: {_cell('v')}) AS {_CELLS} "
            f"FROM {source_sql})"
        )
    ordered = canonical_order(layout, spec)
    kept = [pos for _, pos in ordered] + list(layout.extra)
    stripped = [f"CAST({row_number_sql} AS INTEGER) AS row_number"]
    stripped += [f"{cell(pos)} AS {_kept(pos)}" for pos in kept]
    personal = {pos for name, pos in ordered if name in spec.personal}
    masked = ["row_number"] + [
        f"{_kept(pos) if pos in personal else mask_numbers_cell_sql(_kept(pos))} AS {_kept(pos)}"
        for pos in kept]
    select = ["row_number"] + [f"{_kept(pos)} AS {quote_ident(name)}" for name, pos in ordered]
    select.append(f"{_extra_expr(layout)} AS extra")
    count = con.execute(
        f"CREATE OR REPLACE {'' if '.' in table else 'TEMP '}TABLE {table_ref(table)} AS "
        f"SELECT {', '.join(select)} FROM (SELECT {', '.join(masked)} FROM "
        f"(SELECT {', '.join(stripped)} FROM {source_sql}"
        f"{'' if limit is None else f' LIMIT {int(limit)}'}))"
    ).fetchall()[0][0]
    return count


def mask_misplaced(con: duckdb.DuckDBPyConnection, table: str, typed: list[str],
                   text: list[str]) -> None:
    """Replace every cell of a typed column holding text like a name by NAME_MASK, and every
    cell of a text column starting like a street address ("Jl. Mawar 1": the Alamat cell of a
    row shifted left lands in Posyandu) by ADDRESS_MASK. The tests (mask.is_name_like,
    mask.is_address_like) run in Python on the distinct values a cheap SQL test lets through:
    a million "JAWA TIMUR" or "1 Thn 2 Bln" cells are one value to look at."""
    rules = [(quote_ident(c), maybe_word_sql(quote_ident(c)), is_name_like, NAME_MASK)
             for c in typed]
    rules += [(quote_ident(c), maybe_address_sql(quote_ident(c)), is_address_like, ADDRESS_MASK)
              for c in text]
    if not rules:
        return
    found = con.execute(
        "SELECT " + ", ".join(f"array_agg(DISTINCT {c}) FILTER (WHERE {guard})"
                              for c, guard, _, _ in rules) + f" FROM {table_ref(table)}"
    ).fetchall()[0]
    changes = {c: (sorted(v for v in values if test(v)), mask)
               for (c, _, test, mask), values in zip(rules, found) if values}
    changes = {c: change for c, change in changes.items() if change[0]}
    if not changes:
        return
    params = {f"bad{i}": values for i, (values, _) in enumerate(changes.values())}
    assignments = ", ".join(
        f"{c} = CASE WHEN list_contains($bad{i}, {c}) THEN {quote_literal(mask)} ELSE {c} END"
        for i, (c, (_, mask)) in enumerate(changes.items()))
    any_bad = " OR ".join(f"list_contains($bad{i}, {c})" for i, c in enumerate(changes))
    con.execute(f"UPDATE {table_ref(table)} SET {assignments} WHERE {any_bad}", params)


def delete_non_data_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    layout: Layout,
    spec: TableSpec,
    rows: int,
    also: str | None = None,
    returning: str | None = None,
    many_rows: bool = False,
) -> tuple[int, list[tuple]]:
    """Drop blank rows and footer rows (and the rows `also`, a condition, matches) from the
    `rows` rows of `table`, then mask text like a name in the typed columns, and an address in
    the text columns, of the rows left (mask_misplaced).
    Return the number of data rows left and, when `returning` is an expression, its value for
    each row dropped."""
    names = [name for name, _ in canonical_order(layout, spec)]
    cols = [quote_ident(n) for n in names]
    blank = f"coalesce({', '.join(cols + ['extra'])}) IS NULL"
    keys = [quote_ident(n) for n in spec.key_columns if n in names]
    keys_empty = f"coalesce({', '.join(keys)}) IS NULL" if keys else "TRUE"
    # Any cell starting with a footer word; inside the extra JSON text a value starts right
    # after `":"`. For a small table one lambda over the row's cells (cheap to plan); for a
    # large one a test per column (the lambda builds a list for every row).
    starts = [f"regexp_matches(extra, '\":\"({_FOOTER_ALTERNATION})', 'i')"]
    if many_rows:  # one test per column: cheaper per row, dearer to plan
        starts[:0] = [f"regexp_matches({c}, '^({_FOOTER_ALTERNATION})', 'i')" for c in cols]
    elif cols:
        starts.insert(
            0,
            f"list_bool_or(list_transform([{', '.join(cols)}], "
            f"lambda v: regexp_matches(v, '^({_FOOTER_ALTERNATION})', 'i')))",
        )
    condition = f"{blank} OR ({keys_empty} AND ({' OR '.join(starts)}))"
    if also:
        condition = f"{also} OR {condition}"
    sql = f"DELETE FROM {table_ref(table)} WHERE {condition}"
    kept = [(name, pos) for name, pos in canonical_order(layout, spec)
            if name not in spec.personal]
    typed = [name for name, pos in kept if pos in layout.typed]
    text = [name for name, pos in kept if pos not in layout.typed]
    if returning:
        dropped = con.execute(f"{sql} RETURNING {returning}").fetchall()
        mask_misplaced(con, table, typed, text)
        return rows - len(dropped), dropped
    left = rows - con.execute(sql).fetchall()[0][0]
    mask_misplaced(con, table, typed, text)
    return left, []
