"""`tumbuh rebuild --engine spark` (issue 13): on a small demo warehouse, every mart Spark
rebuilds equals DuckDB's, row for row (counts exact, rates within 1e-9), and is published the
way a DuckDB rebuild is; without PySpark or Java the command says what to install."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

import tumbuh_cli
from demo.generate import run as generate_demo
from pipelines.config import default_config
from pipelines.ingest import files_in, get_source
from pipelines.ingest.load import ingest_files
from tests.warehouse_compare import assert_same_marts, mart_tables

# The campaign (10 Nov - 5 Dec 2025) reads measurements from two pre-periods of two months
# before it to 30 days after it: these months give every outcome window rows.
MONTHS = ("2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01")


def _in_months(path: Path) -> bool:
    name = path.parent.name if path.parent.name[:2] == "20" else path.stem.split("_")[-1][:7]
    return name[:7] in MONTHS


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by DuckDB from eight months of a small demo (every source)."""
    root = tmp_path_factory.mktemp("spark_rebuild")
    demo = root / "demo"
    generate_demo(demo, scale=0.002, seed=11, min_balita=40, workers=1)
    jobs = [(get_source(source), path) for source in ("posyandu", "spm", "pkk", "intervensi")
            for path in files_in(demo / source) if _in_months(path)]
    published = root / "duckdb" / "warehouse.duckdb"
    ingest_files(jobs, warehouse=published)
    return published


def _copy(warehouse: Path, folder: Path) -> Path:
    folder.mkdir()
    copy = folder / warehouse.name
    shutil.copy2(warehouse, copy)
    shutil.copytree(warehouse.with_name(warehouse.stem + ".store"),
                    copy.with_name(copy.stem + ".store"))
    return copy


@pytest.mark.slow
def test_spark_rebuild_equals_duckdb(warehouse: Path, tmp_path: Path, capsys,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    # Spark's SKDN passes are larger than DuckDB's ([spark] skdn_pass_rows, several province
    # months); at this size every month would be one pass. A budget of about two of this demo's
    # months (~4,100 staged rows each) makes Spark take several passes of several months, as at
    # province scale, while DuckDB's build took one: the marts must still be equal.
    from pipelines import skdn
    from pipelines import warehouse as warehouse_module

    config = default_config().replace(spark={"skdn_pass_rows": 10_000})
    monkeypatch.setattr(warehouse_module, "default_config", lambda: config)
    passes: list[list[list[str]]] = []
    skdn_chunks = skdn.chunks

    def chunks_spy(*args):
        passes.append(skdn_chunks(*args))
        return passes[-1]

    monkeypatch.setattr(skdn, "chunks", chunks_spy)
    spark_copy = _copy(warehouse, tmp_path / "spark")
    # Spark's marts must come from Spark: drop the ones DuckDB built in the copy first
    with duckdb.connect(str(spark_copy)) as con:
        marts = [t for t in mart_tables(con) if t.startswith("mart_")]
        assert len(marts) >= 20
        for table in marts:
            con.execute(f"DROP TABLE {table}")
    assert tumbuh_cli.main(["rebuild", "--engine", "spark", "--warehouse", str(spark_copy)]) == 0
    assert "on Spark" in capsys.readouterr().out
    # e.g. [[05, 06, 07], [08, 09], [10, 11], [12]]
    assert len(passes) == 1 and len(passes[0]) >= 3, passes
    assert sum(len(part) >= 2 for part in passes[0]) >= 2, passes

    with duckdb.connect(str(spark_copy), read_only=True) as spark:
        assert spark.execute("SELECT engine, mode FROM meta_build").fetchone() == ("spark", "full")
        # the incremental states are DuckDB's: the next load rebuilds them on DuckDB
        assert spark.execute("SELECT count(*) FROM store_files WHERE table_name IN "
                             "('state_anak_tahun', 'state_skdn_pertama')").fetchone()[0] == 0
        assert all(f.startswith("spark:") for (f,) in
                   spark.execute("SELECT fingerprint FROM meta_fingerprint").fetchall())
        assert spark.execute("SELECT count(*) FROM meta_audit WHERE n_failing > 0"
                             ).fetchone()[0] == 0
    compared = assert_same_marts(warehouse, spark_copy)
    # the comparison covered every domain with rows, the campaign outcome included
    for table in ("mart_prevalensi", "mart_skdn", "mart_spm_coverage", "mart_pkk",
                  "mart_intervensi_progress", "mart_intervensi_outcome", "mart_kualitas_data",
                  "mart_hotspot"):
        assert compared[table] > 0, table


def test_without_pyspark_it_says_what_to_install(warehouse: Path, tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy(warehouse, tmp_path / "nospark")
    before = copy.read_bytes()
    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` fails
    assert tumbuh_cli.main(["rebuild", "--engine", "spark", "--warehouse", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'tumbuh[spark]'" in err and "openjdk-17-jre-headless" in err
    assert copy.read_bytes() == before


def test_without_java_it_says_what_to_install(warehouse: Path, tmp_path: Path, capsys,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    copy = _copy(warehouse, tmp_path / "nojava")
    assert tumbuh_cli.main(["rebuild", "--engine", "spark", "--warehouse", str(copy)]) == 2
    assert "needs Java" in capsys.readouterr().err
