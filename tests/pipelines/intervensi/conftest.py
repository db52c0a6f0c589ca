"""Fixtures of the intervention tests: campaign files written on the fly, report files in the
formats the reader takes, and small warehouses built from direct INSERTs with only the
intervention marts run (so these tests do not depend on the other domains' marts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pytest

from pipelines.config import SQL_DIR, Config, default_config
from pipelines.ingest.intervensi import SOURCE
from pipelines.ingest.load import ingest_files
from pipelines.ingest.source import FileResult
from pipelines.marts import _run_python_model, model_files, set_config_variables
from pipelines.warehouse import connect_readonly, init_schema
from tests.export_writers import write_titled_csv, write_titled_xlsx

TODAY = dt.date(2026, 1, 1)
HEADER = [
    "Tanggal",
    "Kab/Kota",
    "Kec",
    "Pelapor",
    "Balita Diukur Ulang",
    "Stunting Terkonfirmasi Nakes",
    "Dirujuk ke Puskesmas",
    "Hari PMT Lokal",
    "Kunjungan Rumah",
    "Kader Dilatih",
    "Kelas Ibu Balita",
    "Keterangan",
]
PELAPOR = "Bu Sulastri Wahyuningsih"  # a person: must never reach the warehouse


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    titles: Sequence[str] = (),
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    return write_titled_csv(path, header, rows, titles, delimiter=delimiter, encoding=encoding)


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    titles: Sequence[str] = (),
) -> Path:
    return write_titled_xlsx(path, header, rows, titles, sheet="Laporan")


def load(warehouse: Path, *paths: Path, today: dt.date = TODAY) -> list[FileResult]:
    return ingest_files([(SOURCE, p) for p in paths], warehouse=warehouse, today=today)


def query(warehouse: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    with connect_readonly(warehouse) as con:
        return con.execute(sql, list(params)).fetchall()


def config_with_campaigns(path: Path, min_cell: int | None = None) -> Config:
    """The project's config with `[paths] campaigns` pointing at `path` (and `[prevalence]
    min_cell` if given)."""
    config = default_config().replace(paths={"campaigns": str(path)})
    return config if min_cell is None else config.replace(prevalence={"min_cell": min_cell})


def run_intervensi_marts(
    con: duckdb.DuckDBPyConnection, config: Config, today: dt.date | None
) -> None:
    """The intervention domain's models, as pipelines.marts.build_marts runs them."""
    set_config_variables(con, config)
    con.execute("SET VARIABLE today = ?::DATE", [today])
    # the builder's view of the measurements in the campaign windows: here, all of them
    con.execute("CREATE OR REPLACE TEMP VIEW stg_pengukuran_kampanye AS SELECT * FROM stg_pengukuran")
    for path in model_files(SQL_DIR / "marts" / "intervensi"):
        if path.suffix == ".sql":
            con.execute(path.read_text())
        else:
            _run_python_model(path, con, config)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


@pytest.fixture
def campaign_file(tmp_path: Path) -> Callable[[str], Config]:
    """campaign_file(toml_text) -> a Config whose campaigns come from that text."""

    def write(text: str, min_cell: int | None = None) -> Config:
        path = tmp_path / "campaigns.toml"
        path.write_text(text, encoding="utf-8")
        return config_with_campaigns(path, min_cell)

    return write


@pytest.fixture
def marts_db(tmp_path: Path) -> Callable[..., duckdb.DuckDBPyConnection]:
    """marts_db(config, today, reports=[(tanggal, kode_kabkota, kode_kecamatan, activity, n)],
    measurements=[dict], before=fn(con)) -> an open connection after the intervention marts ran."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def build(
        config: Config, today: dt.date | None, reports=(), measurements=(), before=None
    ) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(tmp_path / f"m{len(opened)}.duckdb"))
        opened.append(con)
        init_schema(con)
        if before:
            before(con)
        # staged values with their lineage: one file 'f', one raw row per value
        con.execute(
            "INSERT INTO load_files VALUES ('f', 'intervensi', 'f.csv', 'csv', NULL, 1, "
            "NULL, NULL, ?, ?, 0, now()::TIMESTAMP, 'utf-8', [])",
            [len(reports), len(reports)],
        )
        for i, (tanggal, kab, kec, activity, n) in enumerate(reports):
            con.execute(
                "INSERT INTO stg_intervensi VALUES ('f', ?, ?, ?, ?, ?, ?)",
                [i + 1, tanggal, kab, kec, activity, n],
            )
            con.execute(
                "INSERT INTO raw_intervensi (file_sha256, file_name, row_number, loaded_at) "
                "VALUES ('f', 'f.csv', ?, now()::TIMESTAMP)",
                [i + 1],
            )
        for i, m in enumerate(measurements):
            insert_measurement(con, i + 1, **m)
        run_intervensi_marts(con, config, today)
        return con

    yield build
    for con in opened:
        con.close()


def insert_measurement(
    con: duckdb.DuckDBPyConnection,
    row_number: int,
    child: str,
    posyandu: str,
    kode_desa: str,
    tanggal: dt.date,
    kg: float | None = None,
    waz: float | None = None,
    whz: float | None = None,
    haz: float | None = None,
) -> None:
    """One stg_pengukuran row with only what the outcome mart reads; the z-scores given are
    unflagged, a missing one is NULL."""
    birth = dt.date(2023, 1, 1)
    con.execute(
        "INSERT INTO stg_pengukuran BY NAME SELECT 'f' AS file_sha256, ? AS row_number, "
        "? AS child_key, 'name' AS child_key_source, 1 AS sex, ?::DATE AS birth_date, "
        "?::DATE AS measurement_date, ? AS age_days, ? AS age_months, ? AS kode_kabkota, "
        "? AS kode_kecamatan, ? AS kode_desa, ? AS posyandu_key, ? AS weight_kg, ? AS zwei, "
        "? AS zwfl, ? AS zlen, ? AS fwei, ? AS fwfl, ? AS flen, now()::TIMESTAMP AS loaded_at",
        [
            row_number,
            child,
            birth,
            tanggal,
            (tanggal - birth).days,
            int((tanggal - birth).days // 30.4375),
            kode_desa[:5],
            kode_desa[:8],
            kode_desa,
            f"{kode_desa}|{posyandu}",
            kg,
            waz,
            whz,
            haz,
            *(None if z is None else 0 for z in (waz, whz, haz)),
        ],
    )


def audit_failures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The intervention audits that return rows (each must return none), with their row counts."""
    audits = sorted((SQL_DIR / "audits").glob("intervensi_*.sql"))
    assert len(audits) == 6
    found = {
        p.stem: con.execute(
            f"SELECT count(*) FROM ({p.read_text().rstrip().rstrip(';')})"
        ).fetchone()[0]
        for p in audits
    }
    return {k: v for k, v in found.items() if v}
