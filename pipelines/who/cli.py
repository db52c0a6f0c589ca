"""`tumbuh zscore IN.csv OUT.csv`: WHO 2006 z-scores for an analyst's CSV, rows kept in order."""

from __future__ import annotations

import duckdb

from pipelines.who.tables import install_who_tables
from pipelines.who.zscore import zscore_select

REQUIRED_COLUMNS = ("sex", "age_days", "weight_kg", "lenhei_cm")
ADDED_COLUMNS = ("zlen", "zwei", "zwfl", "zbmi", "flen", "fwei", "fwfl", "fbmi")

_ROW = "__zscore_row"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _number(col: str) -> str:
    # a non-numeric cell becomes NULL; a decimal comma is accepted
    return f"TRY_CAST(replace(trim({_ident(col)}), ',', '.') AS DOUBLE)"


def _measure(col: str) -> str:
    """l/h as given (the z-score SQL reads them in any case and spacing); e-PPGBM's Cara Ukur
    words as the WHO rules map them: Terlentang/Telentang -> l, Berdiri -> h."""
    word = f"regexp_replace(upper(coalesce({col}, '')), '[^A-Z]', '', 'g')"
    return (f"CASE {word} WHEN 'TERLENTANG' THEN 'l' WHEN 'TELENTANG' THEN 'l' "
            f"WHEN 'BERDIRI' THEN 'h' ELSE CAST({col} AS VARCHAR) END")


def run_zscore(in_path: str, out_path: str) -> int:
    """Read `in_path`, write it to `out_path` with zlen..fbmi appended; return rows written.

    Input columns: sex (1/m male, 2/f female; 1.0 and 2.0 too), age_days, weight_kg, lenhei_cm,
    measure (l/h or Terlentang/Berdiri, empty = unknown; the column may be absent); other
    columns are copied unchanged (columns named like the added ones are replaced). Empty output cells = not computable.
    """
    con = duckdb.connect()
    try:
        install_who_tables(con)
        # a table keeps the file's row order; its rowid restores that order after the joins
        con.execute(
            "CREATE TEMP TABLE zscore_input AS "
            f"SELECT * FROM read_csv({_sql_str(in_path)}, all_varchar = true, header = true)"
        )
        columns = [row[0] for row in con.execute("DESCRIBE zscore_input").fetchall()]
        by_lower = {c.lower(): c for c in columns}
        missing = [c for c in REQUIRED_COLUMNS if c not in by_lower]
        if missing:
            raise ValueError(f"{in_path}: missing column(s) {', '.join(missing)}")

        measure = (
            _measure(_ident(by_lower["measure"])) if "measure" in by_lower
            else "CAST(NULL AS VARCHAR)"
        )
        sex = f"lower(trim({_ident(by_lower['sex'])}))"
        typed = f"""(
            SELECT
                rowid AS {_ROW},
                CASE WHEN {sex} IN ('1', 'm') OR TRY_CAST({sex} AS DOUBLE) = 1 THEN 1
                     WHEN {sex} IN ('2', 'f') OR TRY_CAST({sex} AS DOUBLE) = 2 THEN 2 END
                    AS sex,
                {_number(by_lower["age_days"])} AS age_days,
                {_number(by_lower["weight_kg"])} AS weight_kg,
                {_number(by_lower["lenhei_cm"])} AS lenhei_cm,
                {measure} AS measure
            FROM zscore_input
        )"""
        kept = [c for c in columns if c.lower() not in ADDED_COLUMNS]
        kept_sql = ", ".join(f"i.{_ident(c)}" for c in kept)
        z_sql = ", ".join(f"printf('%.2f', z.{c}) AS {c}" for c in ADDED_COLUMNS[:4])
        f_sql = ", ".join(f"z.{c}" for c in ADDED_COLUMNS[4:])
        query = f"""
            SELECT {kept_sql}, {z_sql}, {f_sql}
            FROM zscore_input AS i
            JOIN ({zscore_select(typed)}) AS z ON z.{_ROW} = i.rowid
            ORDER BY i.rowid
        """
        written = con.execute(
            f"COPY ({query}) TO {_sql_str(out_path)} (HEADER, DELIMITER ',')"
        ).fetchone()
        return int(written[0]) if written else 0
    finally:
        con.close()
