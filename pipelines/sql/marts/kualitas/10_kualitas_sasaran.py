"""reads: stg_spm

grain: tmp_kualitas_sasaran (temp) one row per posyandu_key and bulan: the sasaran balita (S)
reported for SPM indicator KES01 ("Balita ditimbang", the D/S denominator) in stg_spm.

stg_spm belongs to the SPM pipeline and may be absent (or empty) in a warehouse built before it
exists; SQL cannot refer to a table that may not exist, so the check lives here. Without it the
table is empty and D/S is NULL everywhere.
"""

from __future__ import annotations

import duckdb

SASARAN_FROM_SPM = """
CREATE OR REPLACE TEMP TABLE tmp_kualitas_sasaran AS
SELECT posyandu_key, date_trunc('month', bulan)::DATE AS bulan, sum(sasaran) AS sasaran
FROM stg_spm
WHERE kode_indikator = 'KES01' AND posyandu_key IS NOT NULL AND sasaran IS NOT NULL
GROUP BY ALL
"""

SASARAN_EMPTY = """
CREATE OR REPLACE TEMP TABLE tmp_kualitas_sasaran
    (posyandu_key VARCHAR, bulan DATE, sasaran HUGEINT)
"""


def build(con: duckdb.DuckDBPyConnection, config: object) -> None:
    has_spm = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'stg_spm' AND table_schema = 'main'"
    ).fetchone()[0]
    con.execute(SASARAN_FROM_SPM if has_spm else SASARAN_EMPTY)
