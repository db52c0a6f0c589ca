"""reads: mart_pkk_indikator, ref_wilayah, stg_pkk

pkk_desa_indikator (temp view): one row per desa, period (bulan 'YYYY-MM' | tahun 'YYYY')
and PKK indicator that desa recorded: numerator and denominator, from stg_pkk and the mapping
in mart_pkk_indikator (pipelines/reference/pkk_indikator.csv), with the columns the desa rows of
mart_pkk show (desa name, the indicator's label and unit, desa known = 1).

The one step plain SQL cannot express: the mapping names stg_pkk columns as data, so the select
list is built from it here; 22_mart_pkk.sql does the rest in SQL. Columns joined by '+' are
added; a sum with an unrecorded (NULL) column is NULL, so a desa counts for an indicator only
when it recorded every column of it. PKK counts are stocks: a year takes each desa's latest
recap month of that year, never a sum over months. The desa name and the known-desa count are
joined once per desa and period, before the indicators are unnested (23 rows each), and the
indicator's label and unit travel in the unnested struct: joining them to the unnested rows
costs seconds at millions of rows. A view, not a table: 22_mart_pkk.sql streams the desa rows
straight into the mart, and unnesting twice is cheaper than storing millions of rows once."""

from __future__ import annotations

import duckdb

SQL = """
CREATE OR REPLACE TEMP VIEW pkk_desa_indikator AS
WITH periods AS (
    SELECT *, 'bulan' AS period_type, strftime(bulan, '%Y-%m') AS period FROM stg_pkk
    UNION ALL
    SELECT *, 'tahun' AS period_type, CAST(year(bulan) AS VARCHAR) AS period FROM stg_pkk
    QUALIFY row_number() OVER (PARTITION BY kode_desa, year(bulan) ORDER BY bulan DESC) = 1
),
known AS (  -- as 22_mart_pkk counts desa known in a year: a desa row's count is 1
    SELECT tahun, kode_desa, count(*) AS n_desa_known
    FROM (SELECT DISTINCT CAST(year(bulan) AS VARCHAR) AS tahun, kode_kabkota, kode_kecamatan,
                          kode_desa FROM stg_pkk)
    GROUP BY tahun, kode_kabkota, kode_kecamatan, kode_desa
),
unnested AS (
    SELECT p.kode_kabkota, p.kode_kecamatan, p.kode_desa, p.period_type, p.period, w.nama,
           k.n_desa_known,
           unnest(CAST([{items}] AS STRUCT(kode VARCHAR, label_id VARCHAR, satuan VARCHAR,
                                           numerator BIGINT, denominator BIGINT)[])) AS x
    FROM periods AS p
    JOIN known AS k ON k.kode_desa = p.kode_desa AND k.tahun = left(p.period, 4)
    LEFT JOIN ref_wilayah AS w ON w.kode = p.kode_desa
)
SELECT kode_kabkota, kode_kecamatan, kode_desa, period_type, period,
       x.kode AS kode_indikator, x.numerator, x.denominator,
       nama, x.label_id, x.satuan, n_desa_known
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


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def build(con: duckdb.DuckDBPyConnection, config: object) -> None:
    staged = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'stg_pkk' "
            "AND table_schema = 'main' AND table_catalog IN (current_database(), 'temp')"
        ).fetchall()
    }
    indicators = con.execute(
        "SELECT kode, label_id, satuan, numerator, denominator FROM mart_pkk_indikator "
        "ORDER BY urutan"
    ).fetchall()
    items = ", ".join(
        f"{{'kode': {_literal(kode)}, 'label_id': {_literal(label)}, 'satuan': {_literal(unit)}, "
        f"'numerator': {_sum_of(num, kode, staged)}, 'denominator': {_sum_of(den, kode, staged)}}}"
        for kode, label, unit, num, den in indicators
    )
    con.execute(SQL.format(items=items))
