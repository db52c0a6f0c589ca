"""Incremental marts equal a full rebuild (issue 12): after random sequences of loads (months in
random order, a month loaded in two commands, a month re-loaded, a file that repeats rows of an
earlier load, PKK/SPM/intervention files in between, a campaign change), every mart and every
stored state equals what `tumbuh rebuild` computes from the same stored rows."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
import pytest

from demo.generate import run as generate_demo
from pipelines.config import Config, default_config
from pipelines.ingest import files_in, get_source
from pipelines.ingest.load import ingest_files
from pipelines.warehouse import building
from tests.warehouse_compare import assert_same_marts

SOURCES = ("posyandu", "pkk", "spm", "intervensi")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_incremental")
    generate_demo(out, scale=0.002, seed=11, min_balita=40, workers=1)  # no fork: DuckDB threads
    return out


def _by_month(folder: Path, source: str) -> dict[str, list[Path]]:
    """A source's files grouped by month (the demo writes <source>/<YYYY-MM>/... or dated
    names <kab>_<YYYY-MM-DD>.csv)."""
    months: dict[str, list[Path]] = {}
    for path in files_in(folder / source):
        month = path.parent.name if path.parent.name[:2] == "20" else path.stem.split("_")[-1][:7]
        months.setdefault(month, []).append(path)
    return months


def _config(campaigns: Path | None = None) -> Config:
    if campaigns is None:
        return default_config()
    return default_config().replace(paths={"campaigns": str(campaigns)})


def _load(warehouse: Path, source: str, files: list[Path], config: Config) -> None:
    ingest_files([(get_source(source), f) for f in files], warehouse=warehouse, config=config)


def assert_equal_to_rebuild(warehouse: Path, config: Config, tmp_path: Path) -> dict[str, int]:
    """Copy the warehouse, rebuild every mart there from the stored rows, compare table by
    table and row by row (rows sorted; floats to 1e-9). Returns rows compared per table."""
    copy = tmp_path / "rebuilt" / warehouse.name
    copy.parent.mkdir()
    shutil.copy2(warehouse, copy)
    shutil.copytree(warehouse.with_name(warehouse.stem + ".store"),
                    copy.with_name(copy.stem + ".store"))
    with building(copy, config, full_rebuild=True):
        pass
    return assert_same_marts(warehouse, copy)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_load_sequence_equals_full_rebuild(demo: Path, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    warehouse = tmp_path / "w.duckdb"
    config = _config()
    posyandu = _by_month(demo, "posyandu")
    others = [(s, files) for s in ("pkk", "spm", "intervensi")
              for files in _by_month(demo, s).values()]
    months = sorted(posyandu)
    rng.shuffle(months)
    months = months[: rng.randint(6, 10)]
    rng.shuffle(others)
    others = others[:6]
    steps: list[tuple[str, list[Path]]] = []
    for i, month in enumerate(months):
        files = posyandu[month]
        if i == 2 and len(files) > 1:  # one month in two commands
            cut = rng.randint(1, len(files) - 1)
            steps += [("posyandu", files[:cut]), ("posyandu", files[cut:])]
        else:
            steps.append(("posyandu", files))
        if others and rng.random() < 0.6:
            steps.append(others.pop())
    steps.append(("posyandu", posyandu[months[0]]))  # a month re-loaded: nothing changes
    # a file that repeats rows of an earlier load (a renamed copy with one more line)
    repeated = tmp_path / "ulang" / f"ulang_{posyandu[months[1]][0].name}"
    repeated.parent.mkdir()
    original = posyandu[months[1]][0]
    if original.suffix == ".csv":
        lines = original.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        repeated.write_text("".join(lines + lines[-1:]), encoding="utf-8")
        steps.append(("posyandu", [repeated]))
    for source, files in steps:
        _load(warehouse, source, files, config)
    assert_equal_to_rebuild(warehouse, config, tmp_path)


@pytest.mark.slow
def test_campaign_change_rebuilds_the_intervention_marts(demo: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    posyandu = _by_month(demo, "posyandu")
    reports = [f for files in _by_month(demo, "intervensi").values() for f in files]
    _load(warehouse, "intervensi", reports, _config())
    for month in ("2025-08", "2025-09", "2025-10", "2025-11"):
        if month in posyandu:
            _load(warehouse, "posyandu", posyandu[month], _config())
    before = _progress(warehouse)
    # the same campaign, ending a week earlier: the progress mart must follow the config
    text = (default_config().base_dir / "config" / "campaigns.toml").read_text()
    assert "end = 2025-12-05" in text
    changed = tmp_path / "campaigns.toml"
    changed.write_text(text.replace("end = 2025-12-05", "end = 2025-11-28"))
    config = _config(changed)
    month = sorted(m for m in posyandu if m >= "2025-12")[:1] or sorted(posyandu)[-1:]
    _load(warehouse, "posyandu", posyandu[month[0]], config)
    after = _progress(warehouse)
    assert before[1] == 20 and after[1] == 15  # working days in the window
    compared = assert_equal_to_rebuild(warehouse, config, tmp_path)
    assert compared["mart_intervensi_progress"] > 0


def _progress(warehouse: Path) -> tuple[object, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT max(tanggal), max(n_working_days) "
                           "FROM mart_intervensi_progress").fetchone()
