"""Fixtures of the PKK/SPM tests: write small export files in the formats the readers take,
load them into a scratch warehouse, and query it."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from pipelines.ingest import pkk, spm
from pipelines.ingest.load import ingest_files
from pipelines.ingest.source import FileResult
from pipelines.warehouse import connect_readonly
from tests.export_writers import write_titled_csv, write_titled_xlsx

TODAY = datetime.date(2026, 1, 1)
Cell = object


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]],
              titles: Sequence[str] = (), delimiter: str = ";", encoding: str = "utf-8") -> Path:
    return write_titled_csv(path, header, rows, titles, delimiter=delimiter, encoding=encoding)


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]],
               titles: Sequence[str] = ()) -> Path:
    return write_titled_xlsx(path, header, rows, titles, sheet="Rekap")


@pytest.fixture(scope="session")
def csv_file() -> Callable[..., Path]:
    return write_csv


@pytest.fixture(scope="session")
def xlsx_file() -> Callable[..., Path]:
    return write_xlsx


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


@pytest.fixture
def load(warehouse: Path) -> Callable[..., list[FileResult]]:
    """load(path, ...) -> results; sources are chosen by the file name prefix pkk_/spm_."""

    def run(*paths: Path) -> list[FileResult]:
        jobs = [(pkk.SOURCE if p.name.startswith("pkk") else spm.SOURCE, p) for p in paths]
        return ingest_files(jobs, warehouse=warehouse, today=TODAY)

    return run


@pytest.fixture
def query(warehouse: Path) -> Callable[..., list[tuple]]:
    """query(sql, params) -> rows, on a short read-only connection to the published warehouse."""

    def run(sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with connect_readonly(warehouse) as con:
            return con.execute(sql, list(params)).fetchall()

    return run


@pytest.fixture
def rejects(query) -> Callable[[str], dict[int, tuple[str, str, str]]]:
    """rejects(file_name) -> {row_number: (reason, column_name, message)}."""

    def run(file_name: str) -> dict[int, tuple[str, str, str]]:
        rows = query("SELECT row_number, reason, column_name, message FROM rejects "
                     "WHERE file_name = ? ORDER BY row_number", [file_name])
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    return run
