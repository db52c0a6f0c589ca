"""Every loaded file with staged rows has an area (the kab/kota and month of most of its staged
rows; the wilayah scope shows a kab/kota user its own files by it). A warehouse loaded when only
posyandu files got one is completed at its next load, and equals a rebuild."""

from __future__ import annotations

import duckdb

from pipelines.config import Config, default_config, load_config
from pipelines.ingest import spm
from pipelines.ingest.load import ingest_files
from pipelines.warehouse import connect_readonly
from tests.pipelines.marts.test_incremental import assert_equal_to_rebuild
from tests.pipelines.spm.conftest import write_csv
from tests.pipelines.spm.test_spm_ingest import HEADER, rec


def _areas(warehouse) -> list[tuple]:
    with connect_readonly(warehouse) as con:
        return con.execute("SELECT f.source, a.kode_kabkota, a.bulan::VARCHAR FROM load_file_area a "
                           "JOIN load_files f USING (file_sha256) ORDER BY ALL").fetchall()


def test_an_older_warehouse_gets_the_missing_areas_at_its_next_load(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    first = write_csv(tmp_path / "spm_1.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30, bulan="2025-08"),
        rec(2, "Melati 2", "Kesehatan", "KES01", 40, 31, bulan="2025-08")])
    ingest_files([(spm.SOURCE, first)], warehouse=warehouse)
    [(source, kab, month)] = _areas(warehouse)
    assert (source, month) == ("spm", "2025-08-01") and kab.startswith("35.")
    # what a warehouse of the previous version holds: no area for an SPM file
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM load_file_area")
    assert _areas(warehouse) == []
    later = write_csv(tmp_path / "spm_2.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 33, bulan="2025-09")])
    ingest_files([(spm.SOURCE, later)], warehouse=warehouse)
    assert [(s, m) for s, _, m in _areas(warehouse)] == [("spm", "2025-08-01"),
                                                         ("spm", "2025-09-01")]
    assert_equal_to_rebuild(warehouse, default_config(), tmp_path)


def test_a_file_with_no_staged_row_has_no_area(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    bad = write_csv(tmp_path / "spm_bad.csv", HEADER, [  # an unknown indicator: rejected
        rec(1, "Melati 1", "Kesehatan", "NOPE9", 40, 30, bulan="2025-08")])
    good = write_csv(tmp_path / "spm_good.csv", HEADER, [
        rec(1, "Melati 2", "Kesehatan", "KES01", 40, 30, bulan="2025-08")])
    ingest_files([(spm.SOURCE, bad), (spm.SOURCE, good)], warehouse=warehouse)
    with connect_readonly(warehouse) as con:
        staged = dict(con.execute("SELECT file_name, rows_staged FROM load_files").fetchall())
        named = dict(con.execute("SELECT f.file_name, a.kode_kabkota FROM load_files f "
                                 "LEFT JOIN load_file_area a USING (file_sha256)").fetchall())
    assert staged == {"spm_bad.csv": 0, "spm_good.csv": 1}
    assert named["spm_bad.csv"] is None and named["spm_good.csv"].startswith("35.")


def test_every_build_records_its_code_and_config(tmp_path):
    from pipelines.provenance import code_sha256, config_sha256, git_commit

    warehouse = tmp_path / "w.duckdb"
    for n, month in enumerate(("2025-08", "2025-09")):
        path = write_csv(tmp_path / f"spm_{n}.csv", HEADER, [
            rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30 + n, bulan=month)])
        ingest_files([(spm.SOURCE, path)], warehouse=warehouse)
    with connect_readonly(warehouse) as con:
        log = con.execute("SELECT version, mode, code_sha256, config_sha256, git_commit "
                          "FROM meta_build_log ORDER BY built_at").fetchall()
        latest = con.execute("SELECT version, code_sha256 FROM meta_build").fetchall()
    assert len(log) == 2 and log[-1][:1] == latest[0][:1]
    assert {row[2] for row in log} == {code_sha256()} and len(code_sha256()) == 64
    assert {row[3] for row in log} == {config_sha256(default_config())}
    assert log[0][4] == git_commit()  # None outside a git clone
    # the hash is of the settings: another value, another hash; key order does not matter
    assert config_sha256({"prevalence": {"min_cell": 10}}) != config_sha256(
        {"prevalence": {"min_cell": 11}})
    assert config_sha256({"a": 1, "b": 2}) == config_sha256({"b": 2, "a": 1})


def test_the_config_hash_is_of_the_settings_in_effect(tmp_path):
    """A typed config hashes its sections and users: a key written as its default or left out
    is the same setting, the file's folder is none, another value is another hash."""
    from pipelines.provenance import config_sha256

    files = {"a/t.toml": "# nothing set\n", "b/t.toml": "[prevalence]\nmin_cell = 10\n",
             "b/u.toml": "[hotspot]\nseed = 1\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    empty, spelt, other = (load_config(tmp_path / name) for name in files)
    assert empty.base_dir != spelt.base_dir
    assert config_sha256(empty) == config_sha256(spelt) == config_sha256(Config())
    assert config_sha256(other) != config_sha256(empty)
    assert config_sha256(Config().replace(paths={"warehouse": "x.duckdb"})) != config_sha256(
        empty)
