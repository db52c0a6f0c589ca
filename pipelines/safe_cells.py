"""Make text from input files inert wherever it leaves tumbuh: spreadsheet cells (CSV, XLSX),
HTML (tooltips, the profile) and Streamlit markdown.

Spreadsheet cells follow the OWASP CSV-injection rule: a text cell whose first character is
= + - @, a tab (0x09) or a carriage return (0x0D) is prefixed with a single quote, so no
spreadsheet program reads it as a formula. The full-width forms ＝ ＋ － ＠ count too, and so do
those characters after leading white space (some programs trim it before they look). Two
exceptions keep numbers readable: cells that are not text (a negative number stays a number),
and text that is only a number with an optional unit (`-1,5`, `+2.3 %`, `-0,4 poin`), which
cannot call a function or reach another cell. The rule is idempotent (a prefixed cell starts
with a quote). Separators and quotes inside a cell are left to the CSV writer's quoting.

The same rule exists twice, as Python (`inert_text`, `inert_frame`) and as DuckDB SQL
(`inert_sql`, for exports written by `COPY`); both use the patterns below, which are written in
the syntax Python's `re` and DuckDB's RE2 share. This module imports neither streamlit nor the
warehouse, so the pipeline and the dashboard both use it.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a frame is cleaned: `tumbuh export` CSV needs none
    import pandas as pd

QUOTE = "'"
# White space a spreadsheet may trim before it looks for a formula: ASCII, no-break, the
# Unicode spaces, the ideographic space and a byte order mark (literal characters, not \u
# escapes, which RE2 does not know).
_SPACE = "\\t\\n\\x0b\\x0c\\r \u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
FORMULA_START = f"^(?:[\\t\\r]|[{_SPACE}]*[=+\\-@\uff1d\uff0b\uff0d\uff20])"
# A plain number as text, with at most one unit word or a percent sign: never a formula.
PLAIN_NUMBER = "[+\\-]?[0-9][0-9.,]*(?: ?(?:%|[A-Za-z]+))?"

_FORMULA_START = re.compile(FORMULA_START)
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula."""
    return bool(_FORMULA_START.match(text)) and not _PLAIN_NUMBER.fullmatch(text)


def inert_text(text: str) -> str:
    """`text`, prefixed with a single quote when a spreadsheet could read it as a formula."""
    return QUOTE + text if needs_quote(text) else text


def inert_value(value: Any) -> Any:
    """`inert_text` for text; any other value (numbers, dates, missing) unchanged."""
    return inert_text(value) if isinstance(value, str) else value


def inert_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names are inert; numeric, date and boolean
    columns are left as they are (a negative number stays a number)."""
    import pandas as pd

    out = df.copy()
    for i, column in enumerate(df.columns):
        series = out.iloc[:, i]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        elif not (pd.api.types.is_object_dtype(series.dtype)
                  or pd.api.types.is_string_dtype(series.dtype)):
            continue
        cleaned = series.map(inert_value, na_action="ignore")
        if not cleaned.equals(out.iloc[:, i]):
            out.isetitem(i, cleaned)
    if any(isinstance(c, str) and needs_quote(c) for c in out.columns):
        out.columns = [inert_value(c) for c in out.columns]
    return out


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def inert_sql(expression: str) -> str:
    """DuckDB SQL for `inert_text` of a VARCHAR expression (NULL stays NULL)."""
    return (f"CASE WHEN regexp_matches({expression}, {_sql_literal(FORMULA_START)}) "
            f"AND NOT regexp_full_match({expression}, {_sql_literal(PLAIN_NUMBER)}) "
            f"THEN {_sql_literal(QUOTE)} || {expression} ELSE {expression} END")


XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False}
"""xlsxwriter Workbook options: every string is written as a string cell, never as a formula
or a hyperlink (pass as `engine_kwargs={"options": XLSX_OPTIONS}` to pandas)."""


def html_text(value: Any) -> str:
    """Data as text inside HTML (tooltips, the profile): `<`, `>`, `&` and quotes escaped."""
    return html.escape("" if value is None else str(value))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|~$:#])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+.)])")


def markdown_text(value: Any) -> str:
    """Data as plain text inside Streamlit markdown (st.markdown, st.caption, st.warning, ...):
    no links, images, emphasis, headings, lists, colour or icon directives, or LaTeX."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", text)
