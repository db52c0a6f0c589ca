"""The repository under the query layer: read-only, cached per published version, a new publish
shows up without a restart, and personal-data columns never pass."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from dashboard import repository
from dashboard.queries import _base, build
from dashboard.repository import PersonalDataError, Repository


def publish(path: Path, value: int, version: str | None = None) -> None:
    """Build a new file and rename it over the published one, as the pipeline does."""
    build = path.with_name(f".{path.name}.build")
    build.unlink(missing_ok=True)
    con = duckdb.connect(str(build))
    con.execute("CREATE TABLE mart_x AS SELECT ? AS v", [value])
    con.execute("CREATE TABLE mart_people AS SELECT 'x' AS nama_ortu, 1 AS n")
    if version is not None:
        con.execute("CREATE TABLE meta_build AS SELECT now() AS built_at, ? AS version", [version])
    con.close()
    os.replace(build, path)


@pytest.fixture()
def wh(tmp_path: Path) -> Path:
    Repository.clear_cache()
    path = tmp_path / "warehouse.duckdb"
    publish(path, 1, "v1")
    return path


def test_cached_until_a_new_version_is_published(wh):
    repo = Repository(wh)
    assert repo.query("SELECT v FROM mart_x")["v"].iloc[0] == 1
    assert repo.version() == "v1"
    publish(wh, 2, "v2")
    assert Repository(wh).query("SELECT v FROM mart_x")["v"].iloc[0] == 2
    assert repo.version() == "v2"


def test_version_falls_back_to_the_file_stamp(tmp_path):
    Repository.clear_cache()
    path = tmp_path / "w.duckdb"
    publish(path, 5)
    repo = Repository(path)
    first = repo.version()
    assert first.endswith(f"-{path.stat().st_size}")
    publish(path, 6)
    assert repo.query("SELECT v FROM mart_x")["v"].iloc[0] == 6


def test_results_are_cached_and_safe_to_change(wh):
    repo = Repository(wh)
    a = repo.query("SELECT v FROM mart_x")
    a["v"] = 99  # a page changing its frame must not change the cache
    a["new"] = 1
    b = repo.query("SELECT v FROM mart_x")
    assert b["v"].iloc[0] == 1 and "new" not in b


def test_read_only_and_publishing_is_never_blocked(wh):
    """The handle is read-only; the pipeline can still publish (build elsewhere, rename) while
    it is open, and the handle on the replaced file is dropped at the next query."""
    repo = Repository(wh)
    with pytest.raises(duckdb.Error):
        repo.query("CREATE TABLE mart_y AS SELECT 1")
    repo.query("SELECT 1 AS one")
    old = repository._OPEN[str(wh.resolve())]
    publish(wh, 3, "v3")
    assert repo.query("SELECT v FROM mart_x")["v"].iloc[0] == 3
    assert repository._OPEN[str(wh.resolve())] is not old


def test_personal_columns_refused(wh):
    repo = Repository(wh)
    with pytest.raises(PersonalDataError, match="nama_ortu"):
        _base.table(repo, "mart_people")
    with pytest.raises(PersonalDataError):
        repo.query("SELECT 3509 AS NIK")
    assert repo.query("SELECT n FROM mart_people")["n"].iloc[0] == 1


def test_table_names_are_checked(wh):
    repo = Repository(wh)
    with pytest.raises(ValueError):
        _base.table(repo, "stg_pengukuran")
    assert build.has(repo, "mart_x") and not build.has(repo, "mart_x", "mart_missing")


def test_missing_warehouse(tmp_path):
    repo = Repository(tmp_path / "none.duckdb")
    assert not repo.exists() and build.tables(repo) == frozenset()
    assert build.build_info(repo)["built_at"] is None
