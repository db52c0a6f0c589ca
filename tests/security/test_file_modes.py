"""Files tumbuh writes are its owner's only (issue 16, point 2): the catalog, the store's files
and folders, a build's files, the key file and exports are created 0600 (folders 0700)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipelines.warehouse import building
from tests.pipelines.ingest.conftest import row, write_csv
from tumbuh_cli import main as cli_main


def open_to_others(root: Path) -> list[str]:
    """Files and folders under `root` (itself included) that group or others may read."""
    paths = [root, *root.rglob("*")]
    return [f"{p} {stat.filemode(p.stat().st_mode)}" for p in paths
            if stat.S_IMODE(p.stat().st_mode) & 0o077]


def test_a_load_writes_private_files_only(tmp_path):
    old = os.umask(0o022)  # a usual login umask: tumbuh must not rely on the caller's
    try:
        path = write_csv(tmp_path / "a.csv", [row(1)])
        warehouse = tmp_path / "data" / "w.duckdb"
        assert cli_main(["ingest", "posyandu", str(path), "--warehouse", str(warehouse)]) == 0
        assert open_to_others(tmp_path / "data") == []
        assert len(list((tmp_path / "data").rglob("*.parquet"))) >= 3  # raw, staging, state
        out = tmp_path / "out" / "kabkota.csv"
        assert cli_main(["export", "prevalensi_kabkota", "--out", str(out),
                         "--warehouse", str(warehouse)]) == 0
        assert open_to_others(out.parent) == []
        assert os.umask(0o022) == 0o022  # the command put the caller's umask back
    finally:
        os.umask(old)


def test_build_files_are_private_and_an_old_catalog_is_closed(tmp_path):
    old = os.umask(0o022)
    try:
        warehouse = tmp_path / "data" / "w.duckdb"
        assert cli_main(["ingest", "posyandu", str(write_csv(tmp_path / "a.csv", [row(1)])),
                         "--warehouse", str(warehouse)]) == 0
        # as an earlier tumbuh left them: readable by everyone
        for p in [warehouse.parent, *warehouse.parent.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        with building(warehouse) as build:
            assert open_to_others(build.path) == []
            build.con.execute("CREATE TABLE scratch_check AS SELECT 1 AS x")
            build.con.execute("CHECKPOINT")
            spill = build.path.with_name(build.path.name + ".tmp")
            assert open_to_others(spill) == [] if spill.exists() else True
            assert stat.S_IMODE(build.root.stat().st_mode) == 0o700
            build.changed = True  # publish: the new catalog replaces the 0644 one
        assert stat.S_IMODE(warehouse.stat().st_mode) == 0o600
    finally:
        os.umask(old)
