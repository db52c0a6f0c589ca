"""Find the header row among the first rows of a sheet and map its cells to the spec."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.readers.spec import CELL_WHITESPACE, PERSONAL_HEADER, TableSpec, normalise_header

HEADER_SEARCH_ROWS = 15

Row = tuple[int, list[str | None]]  # (physical 1-based row number, cell texts)


@dataclass(frozen=True)
class Layout:
    """Where each column of the file goes: a canonical column or a key of `extra`."""

    width: int  # number of header cells; data cells beyond it are dropped
    canonical: dict[int, str]  # cell position -> canonical name (first occurrence)
    extra: dict[int, str]  # cell position -> unique key in the extra JSON
    header_cells: list[str]  # header texts, stripped ("" for an empty header cell)


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


def build_layout(cells: list[str | None], spec: TableSpec) -> Layout:
    names = _canonical_names(cells, spec._alias_index)
    texts = [_text(c) for c in cells]
    canonical: dict[int, str] = {}
    extra: dict[int, str] = {}
    used: set[str] = set()
    taken: set[str] = set()
    for pos, (text, name) in enumerate(zip(texts, names)):
        if name is not None and name not in taken:
            canonical[pos] = name
            taken.add(name)
    # A second header for a canonical column ("Berat", "Berat") gets a suffix: "Berat (2)";
    # personal columns (a second NIK, "Nama Lengkap", "No HP") are not kept at all.
    used.update(texts[pos] for pos in canonical)
    for pos, (text, name) in enumerate(zip(texts, names)):
        if pos in canonical or name in spec.personal or PERSONAL_HEADER.search(text):
            continue
        extra[pos] = _unique_key(text or f"column_{pos + 1}", used)
    return Layout(width=len(cells), canonical=canonical, extra=extra, header_cells=texts)


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
