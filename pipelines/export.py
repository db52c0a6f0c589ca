"""`tumbuh export`: write one mart (or the staged measurements) of the published warehouse as CSV,
Parquet or XLSX, chosen by the output file's extension.

Export names are the `mart_*` tables without the prefix (`prevalensi_kabkota`; the full table
name `mart_prevalensi_kabkota` is accepted too), plus
`pengukuran`: stg_pengukuran through an explicit column list, so that a personal column added to
staging one day can never leak into an export.

Text cells of CSV and XLSX exports are made inert (`pipelines.safe_cells`): a posyandu name such
as `=HYPERLINK(...)` is written as `'=HYPERLINK(...)`, and XLSX strings are never written as
formulas or links. Parquet is typed (a reader never evaluates a string), so its values are
written as they are.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from pipelines.config import SQL_DIR
from pipelines.safe_cells import XLSX_OPTIONS, inert_sql
from pipelines.warehouse import connect_readonly

# stg_pengukuran (contracts 2.2) without personal data: hashed child key, codes, dates,
# measurements, z-scores, flags and labels. Add a column here only after checking it is not
# personal.
PENGUKURAN_COLUMNS = (
    "file_sha256",
    "row_number",
    "child_key",
    "child_key_source",
    "sex",
    "birth_date",
    "measurement_date",
    "age_days",
    "age_months",
    "kode_kabkota",
    "kode_kecamatan",
    "kode_desa",
    "posyandu_key",
    "posyandu_nama",
    "puskesmas",
    "weight_kg",
    "lenhei_cm",
    "lila_cm",
    "measure",
    "clen",
    "c9mo_flag",
    "zlen",
    "zwei",
    "zwfl",
    "zbmi",
    "flen",
    "fwei",
    "fwfl",
    "fbmi",
    "kat_tbu",
    "kat_bbu",
    "kat_bbtb",
    "kat_imtu",
    "src_kat_tbu",
    "src_zs_tbu",
    "src_kat_bbu",
    "src_zs_bbu",
    "src_kat_bbtb",
    "src_zs_bbtb",
    "naik_bb",
    "extraction_date",
    "loaded_at",
)
PENGUKURAN_DESCRIPTION = (
    "one row per staged measurement: hashed child key, wilayah codes, dates, measurements, "
    "WHO z-scores and flags (no personal data)"
)
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit less the header row
FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}

_CREATE_MART = re.compile(r"CREATE\s+OR\s+REPLACE\s+TABLE\s+(mart_\w+)", re.IGNORECASE)


class ExportError(ValueError):
    """An export that cannot be made (unknown name, unsupported extension, too many rows)."""


def _grain_descriptions() -> dict[str, str]:
    """mart table -> the grain statement of the model that builds it: the opening comment block
    from `-- grain:` up to the end of its first sentence (or of the block)."""
    descriptions = {}
    for path in sorted((SQL_DIR / "marts").glob("*/*.sql")):
        text = path.read_text()
        match = _CREATE_MART.search(text)
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("-- grain:")), None)
        if not match or start is None:
            continue
        block = []
        for line in lines[start:]:
            if not line.startswith("--"):
                break
            block.append(line.removeprefix("--").strip())
        grain = " ".join(block).removeprefix("grain:").strip().removeprefix(match.group(1))
        sentence = re.split(r"(?<=[.:])\s", grain.strip(), maxsplit=1)[0]
        descriptions[match.group(1)] = sentence.rstrip(".:")
    # Python models: a docstring paragraph per table, `grain: mart_x one row per ...`
    for path in sorted((SQL_DIR / "marts").glob("*/*.py")):
        for table, text in _PY_GRAIN.findall(path.read_text()):
            sentence = re.split(r"(?<=[.:])\s", " ".join(text.split()), maxsplit=1)[0]
            descriptions.setdefault(table, sentence.rstrip(".:"))
    return descriptions


_PY_GRAIN = re.compile(r"^grain: (mart_\w+) (.*?)(?=^grain:|\n\n|\Z)", re.MULTILINE | re.DOTALL)


def list_exports(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, description) of everything exportable from the warehouse behind `con`."""
    tables = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_name LIKE 'mart\\_%' ESCAPE '\\' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    grains = _grain_descriptions()
    exports = [(t.removeprefix("mart_"), grains.get(t, "")) for t in tables]
    has_staging = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = 'stg_pengukuran'"
    ).fetchone()[0]
    if has_staging:
        exports.append(("pengukuran", PENGUKURAN_DESCRIPTION))
    return sorted(exports)


def _source_query(con: duckdb.DuckDBPyConnection, name: str) -> str:
    valid = [n for n, _ in list_exports(con)]
    if name not in valid and name.startswith("mart_") and name[5:] in valid \
            and name[5:] != "pengukuran":
        name = name[5:]  # the table's own name (`mart_hotspot`) is accepted too
    if name not in valid:
        raise ExportError(f"unknown export {name!r}; valid names: {', '.join(valid)}")
    if name == "pengukuran":
        present = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = 'stg_pengukuran'"
            ).fetchall()
        }
        columns = ", ".join(c for c in PENGUKURAN_COLUMNS if c in present)
        return f"SELECT {columns} FROM stg_pengukuran ORDER BY file_sha256, row_number"
    return f'SELECT * FROM "mart_{name}"'


def export(name: str, out_path: str | Path, warehouse_path: str | Path) -> int:
    """Write export `name` of the warehouse to `out_path` (format from its extension: .csv,
    .parquet, .xlsx); returns the number of rows written."""
    out_path = Path(out_path)
    fmt = FORMATS.get(out_path.suffix.lower())
    if fmt is None:
        raise ExportError(
            f"cannot tell the format of {out_path.name!r}: use one of {', '.join(FORMATS)}"
        )
    con = connect_readonly(warehouse_path)
    # written beside the target and renamed over it: a failed export leaves no partial file
    part = out_path.with_name(f".{out_path.name}.part-{os.getpid()}")
    try:
        query = _source_query(con, name)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            n = con.execute(f"COPY ({_inert_query(con, query)}) TO ? (FORMAT csv, HEADER true)",
                            [str(part)]).fetchone()[0]
        elif fmt == "parquet":
            n = con.execute(f"COPY ({query}) TO ? (FORMAT parquet, COMPRESSION zstd)",
                            [str(part)]).fetchone()[0]
        else:
            n = _write_xlsx(con, _inert_query(con, query), name, part)
        os.replace(part, out_path)
        return n
    finally:
        con.close()
        part.unlink(missing_ok=True)


def _inert_query(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` with its text columns (VARCHAR, ENUM) passed through the CSV-injection rule."""
    columns = []
    for name, type_, *_ in con.execute(f"DESCRIBE {query}").fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        if type_ == "VARCHAR" or type_.startswith("ENUM"):
            columns.append(f"{inert_sql(f'CAST({quoted} AS VARCHAR)')} AS {quoted}")
        else:
            columns.append(quoted)
    return f"SELECT {', '.join(columns)} FROM ({query})"


def _write_xlsx(con: duckdb.DuckDBPyConnection, query: str, name: str, out_path: Path) -> int:
    n = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    if n > XLSX_MAX_ROWS:
        raise ExportError(
            f"{name} has {n:,} rows, more than an XLSX sheet holds ({XLSX_MAX_ROWS:,}); "
            "export it as .csv or .parquet"
        )
    import pandas as pd  # only XLSX needs pandas (CSV and Parquet are DuckDB's own COPY)

    frame = con.execute(query).df()
    # Excel has no time zones: write timestamps as local wall-clock values
    for column in frame.columns:
        if getattr(frame[column].dtype, "tz", None) is not None:
            frame[column] = frame[column].dt.tz_localize(None)
    with pd.ExcelWriter(out_path, engine="xlsxwriter",
                        engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        frame.to_excel(writer, sheet_name=name[:31], index=False)
    return len(frame)
