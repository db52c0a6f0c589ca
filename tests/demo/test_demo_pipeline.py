"""End to end: the real pipeline loads a partial demo run and ends up with exactly the row
accounting the manifest predicts, file by file (rows read, staged, rejected by reason), and with
the predicted child keys and WHO flags in staging."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.generate import run
from pipelines.warehouse import connect_readonly
from tests.conftest import TEST_HASH_KEY
from tests.demo import demo_files as D
from tests.demo.conftest import SMALL

# Kab. Jember (large, intervention), Kota Malang (ambiguous bare name, intervention),
# Kota Mojokerto (the smallest), Kab. Bondowoso (the good performer).
KABKOTA = ["35.09", "35.11", "35.73", "35.76"]


@pytest.mark.slow
def test_pipeline_matches_the_manifest(tmp_path, monkeypatch):
    from pipelines.ingest import SOURCE_MODULES, files_in, get_source
    from pipelines.ingest.load import ingest_files

    monkeypatch.setenv("TUMBUH_HASH_KEY", TEST_HASH_KEY)  # 32 random bytes (pipelines/keys.py)
    out = tmp_path / "demo"
    run(out, **SMALL, kabkota=KABKOTA)
    manifest = D.load_manifest(out)
    jobs = [(get_source(name), p) for name in SOURCE_MODULES for p in files_in(out / name)]
    warehouse = tmp_path / "wh.duckdb"
    results = ingest_files(jobs, warehouse=warehouse)
    expected = {f["path"]: f for f in manifest["files"]}
    problems = []
    for r in results:
        rel = Path(r.file).relative_to(out).as_posix()
        e = expected[rel]
        got = (r.fatal, r.rows_read, r.rows_staged, dict(sorted(r.rejected_by_reason.items())))
        want = (False, e["rows_read"], e["rows_staged"], e["rejects"])
        if got != want:
            problems.append((rel, "pipeline", got, "manifest", want, r.error))
    assert problems == []
    with connect_readonly(warehouse) as con:
        staged = con.execute(
            "SELECT f.file_name, count(*) FILTER (WHERE s.child_key_source = 'nik'),"
            " count(*) FILTER (WHERE s.child_key_source = 'name'), sum(s.flen), sum(s.fwei) "
            "FROM stg_pengukuran s JOIN load_files f USING (file_sha256) GROUP BY ALL").fetchall()
    by_name = {Path(p).name: e for p, e in expected.items() if e["source"] == "posyandu"}
    for name, nik, by_child_name, flen, fwei in staged:
        e = by_name[name]
        assert (nik, by_child_name) == (e["key_nik"], e["key_name"]), name
        assert (flen or 0, fwei or 0) == (e["flags"]["flen"], e["flags"]["fwei"]), name
