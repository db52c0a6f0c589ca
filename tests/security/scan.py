"""Look for personal values in everything tumbuh keeps or hands out: every catalog table and
bulk view of the warehouse, the bytes of every file beside it, each export, and the dashboard's
downloads."""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import openpyxl

from pipelines.export import export, list_exports
from pipelines.warehouse import connect_readonly


def needles(values: list[str]) -> list[str]:
    """What to look for: each value (case ignored), and for a number its digits alone and its
    last ten (a partly masked NIK or phone number still gives the person away)."""
    found = set()
    for value in values:
        found.add(value.lower())
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 10:
            found.update({digits, digits[-10:]})
    return sorted(found)


def hits(text: str, wanted: list[str], where: str) -> list[str]:
    low = text.lower()
    return [f"{where}: {w!r}" for w in wanted if w in low]


def warehouse_texts(warehouse: Path) -> dict[str, str]:
    """table -> its rows as text; a number also as its whole digits (3.5e15 kg shows them)."""
    texts = {}
    with connect_readonly(warehouse) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "OR table_type = 'VIEW' OR table_catalog = 'temp'").fetchall()]
        for table in sorted(set(tables)):
            columns = con.execute(f'DESCRIBE "{table}"').fetchall()
            exprs = [f'CAST("{c}" AS VARCHAR)' for c, *_ in columns]
            exprs += [f'CAST(TRY_CAST(round("{c}") AS HUGEINT) AS VARCHAR)'
                      for c, t, *_ in columns if t in ("DOUBLE", "FLOAT") or t.startswith("DEC")]
            rows = con.execute(f'SELECT {", ".join(exprs)} FROM "{table}"').fetchall()
            texts[table] = "\n".join(" | ".join(str(v) for v in r) for r in rows)
    return texts


def file_bytes(warehouse: Path) -> dict[str, str]:
    """Every file in the warehouse's folder, as latin-1 text (strings stored uncompressed)."""
    return {str(p): p.read_bytes().decode("latin-1") for p in warehouse.parent.rglob("*")
            if p.is_file()}


def export_texts(warehouse: Path, out: Path) -> dict[str, str]:
    """Every export of `tumbuh export`, as CSV, XLSX and Parquet, read back as text."""
    texts = {}
    with connect_readonly(warehouse) as con:
        names = [n for n, _ in list_exports(con)]
    for name in names:
        for suffix in (".csv", ".xlsx", ".parquet"):
            path = out / f"{name}{suffix}"
            export(name, path, warehouse)
            texts[path.name] = _file_text(path)
    return texts


def _file_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(repr(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
                         for v in r)
    if path.suffix == ".parquet":
        with duckdb.connect() as con:
            rows = con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        return "\n".join(repr(r) for r in rows)
    return path.read_text(encoding="utf-8")


def download_texts(warehouse: Path) -> dict[str, str]:
    """The dashboard's downloads (the pivot's CSV and XLSX) and the data-quality grids, which
    Streamlit lets a user download as CSV."""
    from dashboard import explore
    from dashboard import queries as q
    from dashboard.repository import Repository

    repo = Repository(warehouse)
    texts = {}
    frames = {"rejects_by_file": q.kualitas.rejects_by_file(repo),
              "rejects_by_reason": q.kualitas.rejects_by_reason(repo)}
    if "mart_prevalensi" in set(repo.query("SELECT table_name FROM information_schema.tables")
                                ["table_name"]):
        # the Eksplorasi page's rows (prevalence with its coverage), every level and period type
        spans = repo.query("SELECT DISTINCT level, period_type FROM mart_prevalensi")
        for level, period_type in spans.itertuples(index=False):
            prevalence = q.stunting.prevalensi_span(repo, level, period_type, "0", "9")
            for measure in explore.MEASURES:
                wide = explore.pivot(prevalence, measure)
                name = f"pivot_{level}_{period_type}_{measure}"
                texts[f"{name}.csv"] = explore.to_csv(wide, measure).decode("utf-8-sig")
                book = openpyxl.load_workbook(io.BytesIO(explore.to_xlsx(wide)), read_only=True)
                texts[f"{name}.xlsx"] = "\n".join(
                    repr(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True)
                    for v in r)
    for name, frame in frames.items():
        texts[f"{name}.csv"] = frame.to_csv(index=False)
    return texts


def personal_leaks(warehouse: Path, values: list[str], out: Path) -> list[str]:
    """Where any of `values` can be found; [] when nowhere."""
    wanted = needles(values)
    found = []
    for group in (warehouse_texts(warehouse), file_bytes(warehouse),
                  export_texts(warehouse, out), download_texts(warehouse)):
        for where, text in group.items():
            found += hits(text, wanted, where)
    return found
