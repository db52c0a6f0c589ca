"""Find the header row among the first rows of a sheet and map its cells to the spec."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.readers.limits import LimitExceeded
from pipelines.readers.mask import mask_numbers
from pipelines.readers.spec import CELL_WHITESPACE, TableSpec, normalise_header

HEADER_SEARCH_ROWS = 15

Row = tuple[int, list[str | None]]  # (physical 1-based row number, cell texts)


@dataclass(frozen=True)
class Layout:
    """Where each column of the file goes: a canonical column, a key of `extra`, or nowhere."""

    width: int  # cells read from each row: up to the last kept column; the rest is dropped
    canonical: dict[int, str]  # cell position -> canonical name (first occurrence)
    extra: dict[int, str]  # cell position -> unique key in the extra JSON
    header_cells: list[str]  # header texts, stripped ("" for an empty header cell)
    dropped: list[str] = field(default_factory=list)  # header texts of the columns not kept
    typed: frozenset[int] = frozenset()  # positions whose cells are typed (TableSpec.typed)


@dataclass(frozen=True)
class HeaderMatch:
    index: int  # position of the header among the rows searched
    row_number: int
    layout: Layout
    title_lines: list[str]


@dataclass(frozen=True)
class HeaderMiss:
    """The best candidate row and what it lacked; used for the error message."""

    groups_found: int
    missing: list[str]  # e.g. ["Tanggal Pengukuran", "Berat or Tinggi"]
    has_text: bool  # did any searched row hold any text at all

    def reason(self) -> str:
        return (
            f"no header with the required columns in the first {HEADER_SEARCH_ROWS} rows "
            f"(missing: {', '.join(self.missing)})"
        )


def _text(cell: str | None) -> str:
    return (cell or "").strip(CELL_WHITESPACE)


def _canonical_names(cells: list[str | None], aliases: dict[str, str]) -> list[str | None]:
    return [aliases.get(normalise_header(_text(c))) for c in cells]


def _unique_key(base: str, used: set[str]) -> str:
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base} ({n})"
    used.add(key)
    return key


def header_span(cells: list[str | None]) -> int:
    """Header cells up to the last one with text (trailing empty cells are no columns)."""
    texts = [_text(c) for c in cells]
    return next((pos + 1 for pos in range(len(texts) - 1, -1, -1) if texts[pos]), 0)


def build_layout(cells: list[str | None], spec: TableSpec) -> Layout:
    """Canonical columns (first header of each), then the columns raw keeps in `extra`: a
    second header of a non-personal canonical column ("Berat (2)") and the unknown columns the
    spec allows (TableSpec.extras). Every other column is dropped here, its header text (masked
    like a cell, "column_<n>" when empty) listed in `dropped`."""
    names = _canonical_names(cells, spec._alias_index)
    texts = [_text(c) for c in cells]
    canonical: dict[int, str] = {}
    extra: dict[int, str] = {}
    dropped: list[str] = []
    typed: set[int] = set()
    used: set[str] = set()
    taken: set[str] = set()
    for pos, (text, name) in enumerate(zip(texts, names)):
        if name is not None and name not in taken:
            canonical[pos] = name
            taken.add(name)
            typed.update([pos] if name in spec.typed else [])
    used.update(texts[pos] for pos in canonical)
    allowed = spec._extra_index
    for pos in range(header_span(cells)):
        text, name = texts[pos], names[pos]
        if pos in canonical:
            continue
        kind = name if name is not None and name not in spec.personal else (
            allowed.get(normalise_header(text)) if text else None)
        if kind is None:
            dropped.append(mask_numbers(text) if text else f"column_{pos + 1}")
            continue
        extra[pos] = _unique_key(text, used)
        typed.update([pos] if kind in spec.typed else [])
    kept = list(canonical) + list(extra)
    return Layout(width=max(kept) + 1 if kept else 0, canonical=canonical, extra=extra,
                  header_cells=texts, dropped=dropped, typed=frozenset(typed))


def check_columns(layout: Layout, max_columns: int) -> None:
    """LimitExceeded when the header has more columns than the [limits] ceiling."""
    if header_span(layout.header_cells) > max_columns:  # workbooks show max_columns + 1 cells
        raise LimitExceeded(
            f"refused: the header has more than {max_columns:,} columns ([limits] max_columns)")


def title_line(cells: list[str | None]) -> str:
    return " ".join(t for t in (_text(c) for c in cells) if t)


def find_header(rows: list[Row], spec: TableSpec) -> HeaderMatch | HeaderMiss:
    """The first of `rows` (already limited to the search window) that holds every required
    group; otherwise the best near-miss."""
    aliases = spec._alias_index
    best: tuple[int, list[str]] | None = None
    has_text = False
    for index, (row_number, cells) in enumerate(rows):
        present = {n for n in _canonical_names(cells, aliases) if n}
        has_text = has_text or any(_text(c) for c in cells)
        missing = [g for g in spec.required if not present.intersection(g)]
        if not missing:
            titles = [t for t in (title_line(c) for _, c in rows[:index]) if t]
            return HeaderMatch(index, row_number, build_layout(cells, spec), titles)
        found = len(spec.required) - len(missing)
        if best is None or found > best[0]:
            labels = [" or ".join(spec.column(n).label for n in g) for g in missing]
            best = (found, labels)
    if best is None:
        labels = [" or ".join(spec.column(n).label for n in g) for g in spec.required]
        best = (0, labels)
    return HeaderMiss(groups_found=best[0], missing=best[1], has_text=has_text)
