"""HTML tables (what e-PPGBM's "download Excel" really writes) as grids of cell texts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from pipelines.readers.cells import cell_text
from pipelines.readers.encoding import cp1252_problem, encoding_refusal
from pipelines.readers.grid import Grid, Row
from pipelines.readers.header import HEADER_SEARCH_ROWS
from pipelines.readers.limits import Limits
from pipelines.readers.spec import FatalFileError

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SKIP_TEXT = {"script", "style", "head", "title"}
_BLOCKS = {"p", "div", "br", "tr", "table", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption"}
_MAX_SPAN = 1000  # a damaged colspan must not explode the grid
_CELL_TAGS = ("td", "th")


def decode_html(data: bytes, label: str) -> tuple[str, str]:
    """(text, encoding): BOM, then the declared charset, then UTF-8, then Windows-1252 when
    that is plausible (pipelines/readers/encoding.py); FatalFileError otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    candidates = ["utf-8"]
    declared = _CHARSET.search(data[:4096])
    if declared:
        candidates.insert(0, declared.group(1).decode("ascii").lower())
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    problem = cp1252_problem([data])
    if problem:
        raise FatalFileError(label, encoding_refusal(problem))
    return data.decode("cp1252"), "cp1252"


def _span(cell: etree._Element, attr: str) -> int:
    value = cell.get(attr)
    if value is None:  # most cells: no span
        return 1
    try:
        return min(max(int(value), 1), _MAX_SPAN)
    except ValueError:
        return 1


def _table_rows(table: etree._Element, most: int) -> Iterator[Row]:
    """Rows of one table with colspan/rowspan laid out on a grid, cut after `most` cells; a
    spanned cell keeps its text in its first position only."""
    taken: dict[tuple[int, int], bool] = {}  # positions filled by a rowspan from above
    trs = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    for r, tr in enumerate(trs):
        cells: list[str | None] = []
        col = 0
        for td in tr:
            if td.tag not in _CELL_TAGS:  # tr.xpath("./td|./th"), without an XPath per row
                continue
            while taken and taken.pop((r, col), False):
                cells.append(None)
                col += 1
            colspan, rowspan = _span(td, "colspan"), _span(td, "rowspan")
            # td.text_content() is the XPath string() of the cell: its text nodes, in order
            text = (td.text or "") if not len(td) else "".join(td.itertext())
            cells.append(cell_text(text))
            if colspan > 1:
                cells.extend([None] * (colspan - 1))
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    taken[(r + dr, col + dc)] = True
            col += colspan
        while taken and taken.pop((r, col), False):
            cells.append(None)
            col += 1
        yield r + 1, cells[:most]


def _text_lines(element: etree._Element) -> list[str]:
    """Visible text of an element, one line per block (p, div, tr, br...), cells separated by
    a space."""
    parts: list[str] = []
    skipping = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            skipping += tag in _SKIP_TEXT
            parts.append("\n" if tag in _BLOCKS else " " if tag in ("td", "th") else "")
            if not skipping:
                parts.append(node.text or "")
        else:
            skipping -= tag in _SKIP_TEXT
            if node is not element and not skipping:
                parts.append(node.tail or "")
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return [line for line in lines if line]


def _text_before(table: etree._Element) -> list[str]:
    """Text of the document above the table (report title, "Data Tanggal : ...")."""
    lines: list[str] = []
    node = table
    while (parent := node.getparent()) is not None:
        before: list[str] = []
        if parent.tag not in _SKIP_TEXT and parent.text:
            before.append(parent.text.strip())
        for sibling in parent:
            if sibling is node:
                break
            if isinstance(sibling.tag, str) and sibling.tag not in _SKIP_TEXT:
                before.extend(_text_lines(sibling))
            before.append((sibling.tail or "").strip())
        lines = [line for line in before if line] + lines
        node = parent
    return lines


def count_rows(data: bytes) -> int:
    """An upper bound of the table rows, before parsing (a <tr> tag opens each)."""
    return data.count(b"<tr") + data.count(b"<TR") + data.count(b"<Tr") + data.count(b"<tR")


def html_grids(data: bytes, label: str, limits: Limits | None = None) -> tuple[list[Grid], str]:
    """The tables of an HTML export and the encoding it was read in. LimitExceeded, before the
    document is parsed, when it has more <tr> than the row limit allows."""
    limits = limits or Limits()
    limits.check_rows(count_rows(data) - HEADER_SEARCH_ROWS)
    text, encoding = decode_html(data, label)
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        # A plain HTMLParser: the same tree as lxml.html's, without its Python element-class
        # lookup for every element touched (most of the read time on a large table).
        root = lxml.html.document_fromstring(text, parser=etree.HTMLParser())
    except (etree.ParserError, ValueError) as exc:
        raise FatalFileError(label, f"not a readable table (html: {exc})") from exc
    tables = root.xpath("//table")
    if not tables:
        if root.xpath("//*[local-name()='workbook' or local-name()='Workbook']"):
            reason = "XML Spreadsheet 2003 is not supported; save it as XLSX"
        else:
            reason = "HTML without a <table>"
        raise FatalFileError(label, f"not a readable table ({reason})")
    most = limits.max_columns + 1
    return [
        Grid(name=f"table{i}", rows=_table_rows(t, most), preamble=_text_before(t))
        for i, t in enumerate(tables, start=1)
    ], encoding
