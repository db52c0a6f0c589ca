"""Two published warehouses compared mart by mart, row by row (the incremental-equals-rebuild
tests of issue 12 and the Spark-equals-DuckDB test of issue 13)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

# Tables a load writes by design (times, build ids, per-load manifests): not mart content.
# load_file_area is compared: the area each load records must be what a rebuild computes.
NOT_MARTS = {"meta_build", "meta_build_log", "meta_audit", "store_files", "load_files",
             "load_rejects", "meta_fingerprint"}


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "ORDER BY 1").fetchall() if r[0] not in NOT_MARTS]


def same_value(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        # sums of doubles in a different order: equal to ~1e-13, never more than 1e-9
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def assert_same_marts(expected: Path, got: Path) -> dict[str, int]:
    """Every table of `expected` but the manifests is in `got` with the same columns and the
    same rows (sorted; floats to 1e-9). Returns rows compared per table."""
    compared = {}
    with duckdb.connect(str(expected), read_only=True) as a_con, \
            duckdb.connect(str(got), read_only=True) as b_con:
        assert mart_tables(a_con) == mart_tables(b_con)
        for table in mart_tables(a_con):
            columns = [r[0] for r in a_con.execute(f"DESCRIBE {table}").fetchall()]
            assert columns == [r[0] for r in b_con.execute(f"DESCRIBE {table}").fetchall()], table
            a = a_con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            b = b_con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            assert len(a) == len(b), f"{table}: {len(a)} rows in {expected}, {len(b)} in {got}"
            for i, (ra, rb) in enumerate(zip(a, b)):
                bad = [c for c, x, y in zip(columns, ra, rb) if not same_value(x, y)]
                assert not bad, f"{table} row {i}: {bad} differ: {ra} vs {rb}"
            compared[table] = len(a)
    return compared
