"""XLSX sheets read fast, with exactly the rows `openpyxl.load_workbook(read_only=True,
data_only=True)` yields after `reset_dimensions()`.

openpyxl's read-only mode parses every sheet twice (once at load to look for a stored
dimension, once to iterate) with ElementTree, and builds an object per inline string; that is
most of a workbook's read time. Here openpyxl still reads the package (manifest, shared strings,
styles, workbook, sheet list, defined names), but each sheet is parsed once with lxml and its
cells are converted with openpyxl's own rules (`WorkSheetParser.parse_cell`, replicated).

Any surprise (an exception of any kind, an XML declaration or DOCTYPE expat might treat
differently) returns None and the caller takes openpyxl's general path, which then behaves, and
fails, exactly as before. Sheets are parsed from the zip member as a stream, so a 300 MB sheet
(a 60,000-row monthly export) costs its rows' memory, not its XML's; read through openpyxl it
took minutes.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.cell.text import Text
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import KEEP_VBA, ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.workbook.defined_name import DefinedNameDict
from openpyxl.worksheet._reader import (
    CF_TAG,
    COL_BREAK_TAG,
    COL_TAG,
    CUSTOM_VIEWS_TAG,
    DATA_TAG,
    DIMENSION_TAG,
    EXT_TAG,
    FILTER_TAG,
    FORMAT_TAG,
    HEADER_TAG,
    HYPERLINK_TAG,
    INLINE_STRING,
    LEGACY_TAG,
    MARGINS_TAG,
    MERGE_TAG,
    PAGE_TAG,
    PRINT_TAG,
    PROPERTIES_TAG,
    PROT_TAG,
    ROW_BREAK_TAG,
    ROW_TAG,
    SCENARIOS_TAG,
    TABLE_TAG,
    VALIDATION_TAG,
    VALUE_TAG,
    VIEWS_TAG,
    AutoFilter,
    DataValidationList,
    HeaderFooter,
    HyperlinkList,
    MergeCells,
    PageMargins,
    PrintOptions,
    PrintPageSetup,
    ScenarioList,
    SheetFormatProperties,
    SheetViewList,
    TablePartList,
    WorkSheetParser,
    WorksheetProperties,
    _cast_number,
)
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS

from pipelines.readers.cells import cell_text
from pipelines.readers.header import HEADER_SEARCH_ROWS
from pipelines.readers.limits import LimitExceeded, Limits
from pipelines.readers.spec import CELL_WHITESPACE

Row = tuple[int, list[str | None]]

PROLOG_BYTES = 1 << 16  # the head of a sheet checked for its XML declaration and a DOCTYPE
OPENPYXL_VERSION = "3.1.5"  # the version whose worksheet parser this replicates
_T_TAG = f"{{{SHEET_MAIN_NS}}}t"
_DIGITS = "0123456789"
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


class _Sheet:
    """Stands in for openpyxl's ReadOnlyWorksheet while the workbook's names are assigned."""

    def __init__(self, title: str, target: str):
        self.title = title
        self.target = target
        self.defined_names = DefinedNameDict()


def fast_xlsx_sheets(path: Path, limits: Limits | None = None
                     ) -> list[tuple[str, list[Row]]] | None:
    """(sheet title, rows numbered from 1, cells as text) for each worksheet in workbook order,
    as workbook.xlsx_grids reads them through openpyxl (rows cut after max_columns + 1 cells,
    as its `max_col`, and without trailing empty cells); None to use openpyxl instead. LimitExceeded for a sheet longer than
    max_rows after the header search window."""
    limits = limits or Limits()
    if openpyxl.__version__ != OPENPYXL_VERSION:
        return None
    try:
        reader = ExcelReader(path, True, KEEP_VBA, True, True, False)
    except Exception:  # noqa: BLE001 - openpyxl's path raises the error the caller reports
        return None
    try:
        sheets = _read_package(reader)
        result = []
        for sheet in sheets:
            with reader.archive.open(sheet.target) as head:
                _check_prolog(head.read(PROLOG_BYTES))
            with reader.archive.open(sheet.target) as member:  # from the start again
                result.append((sheet.title, _sheet_rows(reader, member, limits)))
        return result
    except LimitExceeded:
        raise
    except Exception:  # noqa: BLE001 - anything unusual: openpyxl's path decides what it means
        return None
    finally:
        reader.archive.close()


def _read_package(reader: ExcelReader) -> list[_Sheet]:
    """ExcelReader.read() for read_only=True, minus building ReadOnlyWorksheets (whose
    constructor parses the whole sheet when it has no stored dimension)."""
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    reader.read_properties()
    reader.read_custom()
    reader.read_theme()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = []
    for sheet, rel in reader.parser.find_sheets():  # ExcelReader.read_worksheets
        if rel.target not in reader.valid_files:
            continue
        if "chartsheet" in rel.Type:
            reader.read_chartsheet(sheet, rel)
            continue
        rels_path = get_rels_path(rel.target)
        if rels_path in reader.valid_files:
            get_dependents(reader.archive, rels_path)
        ws = _Sheet(sheet.name, rel.target)
        reader.wb._sheets.append(ws)
        sheets.append(ws)
    reader.parser.assign_names()
    return sheets


def _check_prolog(head: bytes) -> None:
    """An XML declaration and a DOCTYPE can only come before the root element, so the sheet's
    first PROLOG_BYTES hold them if they are there."""
    declared = _ENCODING.match(head)
    if declared and declared.group(1).lower() != b"utf-8":
        raise ValueError("an encoding expat and libxml2 may read differently")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ValueError("a DOCTYPE")


def _sheet_rows(reader: ExcelReader, xml: io.IOBase, limits: Limits) -> list[Row]:
    wb = reader.wb
    parser = WorkSheetParser(
        None,
        reader.shared_strings,
        data_only=True,
        epoch=wb.epoch,
        date_formats=wb._date_formats,
        timedelta_formats=wb._timedelta_formats,
    )
    handlers = _element_handlers(parser)
    cell_value = _cell_parser(parser)
    rows: list[Row] = []
    width = limits.max_columns + 1
    most = limits.max_rows + HEADER_SEARCH_ROWS
    counter = 1  # ReadOnlyWorksheet._cells_by_row(min_row=1, max_row=None, max_col=width)
    dimension_done = False  # WorkSheetParser.parse_dimensions, run by the constructor
    events = etree.iterparse(
        xml,
        events=("end",),
        tag=[ROW_TAG, DIMENSION_TAG, DATA_TAG, *handlers],
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
    )
    for _, element in events:
        tag = element.tag
        if tag == ROW_TAG:
            idx, cells = _parse_row(parser, element, cell_value)
            element.clear()
            if idx > most:  # before the missing rows are filled in (r="1048576")
                limits.check_rows(idx - HEADER_SEARCH_ROWS)
            for _ in range(counter, idx):  # missing rows
                counter += 1
                rows.append((len(rows) + 1, []))
            if counter <= idx:
                counter += 1
                rows.append((len(rows) + 1, _row_texts(cells, width)))
            continue
        if tag == DIMENSION_TAG and not dimension_done:
            dimension_done = True
            SheetDimension.from_tree(element).boundaries  # noqa: B018 - raises where openpyxl does
        elif tag == DATA_TAG:
            dimension_done = True
        if tag in handlers:
            handlers[tag](element)
            element.clear()
    return rows


def _element_handlers(parser: WorkSheetParser) -> dict[str, Callable]:
    """What WorkSheetParser.parse does with the elements that are not rows: the results are not
    needed, but their errors and warnings are openpyxl's."""
    handlers: dict[str, Callable] = {
        COL_TAG: parser.parse_column_dimensions,
        PROT_TAG: parser.parse_sheet_protection,
        EXT_TAG: parser.parse_extensions,
        CF_TAG: parser.parse_formatting,
        LEGACY_TAG: parser.parse_legacy,
        ROW_BREAK_TAG: parser.parse_row_breaks,
        COL_BREAK_TAG: parser.parse_col_breaks,
        CUSTOM_VIEWS_TAG: parser.parse_custom_views,
    }
    properties = {
        PRINT_TAG: PrintOptions,
        MARGINS_TAG: PageMargins,
        PAGE_TAG: PrintPageSetup,
        HEADER_TAG: HeaderFooter,
        FILTER_TAG: AutoFilter,
        VALIDATION_TAG: DataValidationList,
        PROPERTIES_TAG: WorksheetProperties,
        VIEWS_TAG: SheetViewList,
        FORMAT_TAG: SheetFormatProperties,
        SCENARIOS_TAG: ScenarioList,
        TABLE_TAG: TablePartList,
        HYPERLINK_TAG: HyperlinkList,
        MERGE_TAG: MergeCells,
    }
    handlers.update({tag: cls.from_tree for tag, cls in properties.items()})
    return handlers


def _parse_row(parser: WorkSheetParser, row, cell_value) -> tuple[int, list[tuple[int, object]]]:
    """WorkSheetParser.parse_row: (row number, [(column, value)])."""
    r = row.get("r")
    if r is not None:
        try:
            parser.row_counter = int(r)
        except ValueError:
            val = float(r)
            if not val.is_integer():
                raise ValueError(f"{r} is not a valid row number") from None
            parser.row_counter = int(val)
    else:
        parser.row_counter += 1
    parser.col_counter = 0
    return parser.row_counter, [cell_value(el) for el in row]


def _cell_parser(parser: WorkSheetParser) -> Callable:
    """WorkSheetParser.parse_cell with data_only=True and rich_text=False: (column, value)."""
    shared_strings = parser.shared_strings
    date_formats, timedelta_formats = parser.date_formats, parser.timedelta_formats
    epoch = parser.epoch
    columns: dict[str, int] = {}  # "AB" -> 28

    def column_of(coordinate: str) -> int:
        """coordinate_to_tuple(coordinate)[1], with the letters looked up once per sheet."""
        letters = coordinate.rstrip(_DIGITS)
        column = columns.get(letters)
        if column is None:
            if not (letters != coordinate and letters.isalpha() and letters.isupper()):
                return coordinate_to_tuple(coordinate)[1]  # the general rule and its errors
            column = columns[letters] = column_index_from_string(letters)
        return column

    def cell_value(element) -> tuple[int, object]:
        get = element.get
        data_type = get("t", "n")
        coordinate = get("r")
        style_id = get("s", 0)
        if style_id:
            style_id = int(style_id)
        first = element[0] if len(element) else None  # a cell holds one <v> or one <is>
        if data_type == "inlineStr":
            value = None
        elif first is not None and first.tag == VALUE_TAG:  # element.findtext(VALUE_TAG)
            value = first.text or None
        else:
            value = element.findtext(VALUE_TAG, None) or None
        if coordinate:
            parser.col_counter = column = column_of(coordinate)
        else:
            parser.col_counter += 1
            column = parser.col_counter
        if value is not None:
            if data_type == "n":
                value = _cast_number(value)
                if style_id in date_formats:
                    try:
                        value = from_excel(value, epoch, timedelta=style_id in timedelta_formats)
                    except (OverflowError, ValueError):
                        warnings.warn(
                            f"Cell {coordinate} is marked as a date but the serial value "
                            f"{value} is outside the limits for dates. The cell will be "
                            "treated as an error.",
                            stacklevel=1,
                        )
                        value = "#VALUE!"
            elif data_type == "s":
                value = shared_strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                value = from_ISO8601(value)
        elif data_type == "inlineStr":
            child = first if first is not None and first.tag == INLINE_STRING else None
            child = element.find(INLINE_STRING) if child is None else child
            if child is not None:
                value = _inline_text(child)
        return column, value

    return cell_value


def _inline_text(element) -> str:
    """Text.from_tree(element).content, without building the object for plain <t> text."""
    size = len(element)
    if size == 1 and element[0].tag == _T_TAG and not element.attrib:
        plain = element[0].text
    elif size == 0 and not element.attrib:
        plain = None
    else:
        return Text.from_tree(element).content
    return plain if plain is not None else ""


def _row_texts(cells: list[tuple[int, object]], most: int) -> list[str | None]:
    """ReadOnlyWorksheet._get_row(row, min_col=1, max_col=None, values_only=True) cut after
    `most` cells, each value through cell_text (inlined for text, the usual case)."""
    if not cells:
        return []
    width = min(cells[-1][0], most)
    values: list[object] = [None] * width
    for column, value in cells:
        if 1 <= column <= width:
            values[column - 1] = value
    texts = [(v.strip(CELL_WHITESPACE) or None) if type(v) is str else cell_text(v) for v in values]
    while texts and texts[-1] is None:  # as workbook._xlsx_rows: no trailing empty cells
        texts.pop()
    return texts
