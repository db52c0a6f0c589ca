"""pkk_desa_indikator (temp table): one row per desa, period (bulan 'YYYY-MM' | tahun 'YYYY')
and PKK indicator that desa recorded: numerator and denominator, from stg_pkk and the mapping
in mart_pkk_indikator (pipelines/reference/pkk_indikator.csv).

The one step plain SQL cannot express: the mapping names stg_pkk columns as data, so the select
list is built from it here; 22_mart_pkk.sql does the rest in SQL. Columns joined by '+' are
added; a sum with an unrecorded (NULL) column is NULL, so a desa counts for an indicator only
when it recorded every column of it. PKK counts are stocks: a year takes each desa's latest
recap month of that year, never a sum over months."""

from __future__ import annotations

import duckdb

SQL = """
CREATE OR REPLACE TEMP TABLE pkk_desa_indikator AS
WITH periods AS (
    SELECT *, 'bulan' AS period_type, strftime(bulan, '%Y-%m') AS period FROM stg_pkk
    UNION ALL
    SELECT *, 'tahun' AS period_type, CAST(year(bulan) AS VARCHAR) AS period FROM stg_pkk
    QUALIFY row_number() OVER (PARTITION BY kode_desa, year(bulan) ORDER BY bulan DESC) = 1
),
unnested AS (
    SELECT kode_kabkota, kode_kecamatan, kode_desa, period_type, period,
           unnest(CAST([{items}] AS STRUCT(kode VARCHAR, numerator BIGINT, denominator BIGINT)[])) AS x
    FROM periods
)
SELECT kode_kabkota, kode_kecamatan, kode_desa, period_type, period,
       x.kode AS kode_indikator, x.numerator, x.denominator
FROM unnested
WHERE x.numerator IS NOT NULL AND x.denominator > 0
"""


def _sum_of(columns: str, kode: str, staged: set[str]) -> str:
    names = [c.strip() for c in columns.split("+")]
    unknown = [c for c in names if c not in staged]
    if unknown:
        raise ValueError(
            f"pkk_indikator.csv: indicator {kode} names {unknown}, not columns of stg_pkk"
        )
    return " + ".join(f'"{c}"' for c in names)


def build(con: duckdb.DuckDBPyConnection, config: object) -> None:
    staged = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'stg_pkk' "
            "AND table_schema = 'main' AND table_catalog = current_database()"
        ).fetchall()
    }
    indicators = con.execute(
        "SELECT kode, numerator, denominator FROM mart_pkk_indikator ORDER BY urutan"
    ).fetchall()
    items = ", ".join(
        "{'kode': '" + kode.replace("'", "''") + "', "
        f"'numerator': {_sum_of(num, kode, staged)}, 'denominator': {_sum_of(den, kode, staged)}}}"
        for kode, num, den in indicators
    )
    con.execute(SQL.format(items=items))
