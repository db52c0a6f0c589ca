"""Publishing over the catalog and the bulk store (issue 12): a load killed at any moment leaves
the published state as it was and the next load clean; readers never see a half-published
state; a warehouse of the old single-file layout is refused with the command that rebuilds it."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from demo.generate import run as generate_demo
from pipelines import store
from pipelines.ingest import files_in, get_source
from pipelines.ingest.load import ingest_files
from pipelines.warehouse import (
    WarehouseLayoutError,
    building,
    connect_readonly,
    published_files,
)
from tests.pipelines.marts.test_incremental import _config, assert_equal_to_rebuild


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_publish")
    generate_demo(out, scale=0.002, seed=5, min_balita=40, workers=1)  # no fork: DuckDB threads
    return out


def _months(demo: Path) -> dict[str, list[Path]]:
    months: dict[str, list[Path]] = {}
    for path in files_in(demo / "posyandu"):
        months.setdefault(path.parent.name, []).append(path)
    return months


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "tumbuh_cli", *map(str, args)]


def _link_month_folders(target: Path, months: dict[str, list[Path]], names: list[str]) -> Path:
    for name in names:
        folder = target / "posyandu" / name
        folder.mkdir(parents=True)
        for f in months[name]:
            (folder / f.name).symlink_to(f)
    return target


def _store_is_clean(warehouse: Path) -> None:
    root = store.store_root(warehouse)
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.parquet")}
    assert on_disk == published_files(warehouse), "files on disk that the catalog does not list"
    assert not list(warehouse.parent.glob(f".{warehouse.name}.build-*"))


@pytest.mark.slow
def test_kill_9_at_random_points_leaves_the_published_state_and_a_clean_next_load(
        demo: Path, tmp_path: Path) -> None:
    months = _months(demo)
    names = sorted(months)
    warehouse = tmp_path / "w.duckdb"
    ingest_files([(get_source("posyandu"), f) for n in names[:3] for f in months[n]],
                 warehouse=warehouse)
    catalog = _sha(warehouse)
    listed = published_files(warehouse)
    with connect_readonly(warehouse) as con:
        marts = con.execute("SELECT * FROM mart_prevalensi ORDER BY ALL").fetchall()
    batch = _link_month_folders(tmp_path / "batch", months, names[3:])
    rng = random.Random(12)
    killed = 0
    for delay in sorted(rng.uniform(0.5, 6.0) for _ in range(5)):
        proc = subprocess.Popen(_cli("ingest", "all", batch, "--warehouse", warehouse),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        if proc.returncode == 0:  # it finished first: that is a publish, not a crash
            break
        assert _sha(warehouse) == catalog, f"the catalog changed after a kill at {delay:.1f} s"
        assert published_files(warehouse) == listed
        with connect_readonly(warehouse) as con:
            assert con.execute("SELECT * FROM mart_prevalensi ORDER BY ALL").fetchall() == marts
    assert killed >= 3
    # the next load removes what the killed ones left and publishes the whole batch
    done = subprocess.run(_cli("ingest", "all", batch, "--warehouse", warehouse),
                          check=False, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    _store_is_clean(warehouse)
    with connect_readonly(warehouse) as con:
        loaded = con.execute("SELECT count(*) FROM load_files").fetchone()[0]
    assert loaded == sum(len(months[n]) for n in names)
    assert_equal_to_rebuild(warehouse, _config(), tmp_path)


@pytest.mark.slow
def test_readers_during_ten_publishes_see_no_error(demo: Path, tmp_path: Path) -> None:
    months = _months(demo)
    names = sorted(months)
    warehouse = tmp_path / "w.duckdb"
    ingest_files([(get_source("posyandu"), f) for f in months[names[0]]], warehouse=warehouse)
    loads = [months[n] for n in names[1:11]]
    assert len(loads) == 10
    # one publish per month: argv holds the warehouse, then each month's files joined by ','
    script = ("import sys; from pipelines.ingest import get_source; "
              "from pipelines.ingest.load import ingest_files; src = get_source('posyandu'); "
              "[ingest_files([(src, f) for f in group.split(',')], warehouse=sys.argv[1]) "
              "for group in sys.argv[2:]]")
    writer = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse), *(",".join(map(str, f)) for f in loads)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errors, reads, seen = [], 0, []
    deadline = time.monotonic() + 600
    while (reads < 1000 or writer.poll() is None) and time.monotonic() < deadline:
        try:
            with duckdb.connect(str(warehouse), read_only=True) as con:
                files, children = con.execute(
                    "SELECT (SELECT count(*) FROM load_files), sum(n_children) "
                    "FROM mart_prevalensi WHERE level = 'provinsi' AND period_type = 'bulan'"
                ).fetchone()
            seen.append((files, children))
        except duckdb.Error as exc:
            errors.append(repr(exc))
        reads += 1
        time.sleep(0.005 if writer.poll() is None else 0)
    writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()
    assert reads >= 1000 and errors == []
    # every read saw one published state: files and children only grow, together
    assert seen == sorted(seen)
    states = sorted(set(seen))
    assert len(states) >= 5, "the reads did not overlap the publishes"
    assert states[-1][0] == sum(len(f) for f in [months[names[0]], *loads])


def test_a_single_file_warehouse_is_refused_with_the_rebuild_command(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE load_files (file_sha256 VARCHAR)")
        con.execute("CREATE TABLE stg_pengukuran (child_key VARCHAR)")
    before = _sha(old)
    with pytest.raises(WarehouseLayoutError, match="tumbuh ingest all"), building(old):
        pass
    assert _sha(old) == before
    done = subprocess.run(_cli("rebuild", "--warehouse", old), check=False,
                          capture_output=True, text=True)
    assert done.returncode == 3
    assert "tumbuh ingest all EXPORT_FOLDER --warehouse" in done.stderr
    assert _sha(old) == before


def test_rebuild_of_a_missing_warehouse_says_so(tmp_path: Path) -> None:
    done = subprocess.run(_cli("rebuild", "--warehouse", tmp_path / "none.duckdb"),
                          check=False, capture_output=True, text=True)
    assert done.returncode == 2 and "no warehouse" in done.stderr





def test_a_failing_audit_blocks_the_publish(demo: Path, tmp_path: Path, monkeypatch,
                                            capsys) -> None:
    from pipelines import marts
    from tumbuh_cli import main

    months = _months(demo)
    names = sorted(months)
    warehouse = tmp_path / "w.duckdb"
    ingest_files([(get_source("posyandu"), f) for f in months[names[0]]], warehouse=warehouse)
    before, listed = _sha(warehouse), published_files(warehouse)
    with connect_readonly(warehouse) as con:
        audits = dict(con.execute("SELECT audit, n_failing FROM meta_audit").fetchall())
    assert audits and set(audits.values()) == {0}
    assert {"stunting_unique_grain", "quality_ranges"} <= set(audits)
    # an audit that finds two bad rows in the stunting marts
    bad = tmp_path / "stunting_no_negative_counts.sql"
    bad.write_text("SELECT level, kode FROM mart_prevalensi WHERE level = 'provinsi' LIMIT 2")
    real = marts._audit_files
    monkeypatch.setattr(marts, "_audit_files",
                        lambda domains=None, changed=None: [*real(domains, changed), bad])
    code = main(["ingest", "posyandu", *map(str, months[names[1]]), "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code == 3
    assert "audit stunting_no_negative_counts: 2 failing row(s), e.g. ('provinsi', '35')" in err
    assert "nothing was published" in err
    assert _sha(warehouse) == before and published_files(warehouse) == listed
    _store_is_clean(warehouse)
