"""A synthetic stg_pengukuran generated in SQL, for the mart benchmark and the large-data audits.

Children live in real desa of ref_wilayah (three posyandu per desa); each is weighed every month
of the window while aged 0-1856 days and measured for length/height in February, August and a
third of the other months. Z-scores are normal (Box-Muller over DuckDB's seeded random()) with a
kab/kota-specific HAZ mean, so prevalences differ between kab/kota; about 0.5% of HAZ values are
implausible and flagged. Rows are not meant to be plausible one by one, only to have the shape and
size of the real staging table.
"""

from __future__ import annotations

import duckdb

SYNTHETIC_SQL = """
INSERT INTO stg_pengukuran BY NAME
WITH desa AS (
    SELECT row_number() OVER (ORDER BY kode) - 1 AS i, kode, kode_induk AS kode_kecamatan,
           left(kode, 5) AS kode_kabkota
    FROM ref_wilayah WHERE tingkat = 'desa_kelurahan'
),
anak AS (
    SELECT
        c,
        'synthetic-' || c AS child_key,
        (DATE '{start}' - INTERVAL (hash(c, 'lahir') % 1800) DAY)::DATE AS birth_date,
        (hash(c, 'jk') % 2 + 1)::TINYINT AS sex,
        hash(c, 'desa') % (SELECT count(*) FROM desa) AS desa_i,
        hash(c, 'pos') % 3 AS pos_i
    FROM range({n_children}) AS t(c)
),
bulan AS (
    SELECT m, (DATE '{start}' + INTERVAL (m) MONTH)::DATE AS awal
    FROM range({months}) AS t(m)
),
ukur AS (
    SELECT
        a.*, b.m,
        (b.awal + INTERVAL (hash(a.c, b.m) % 28) DAY)::DATE AS measurement_date,
        random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5
    FROM anak AS a CROSS JOIN bulan AS b
),
z AS (
    SELECT
        u.*, d.kode AS kode_desa, d.kode_kecamatan, d.kode_kabkota,
        (u.measurement_date - u.birth_date) AS age_days,
        month(u.measurement_date) IN (2, 8) OR u.u3 < 0.33 AS diukur_tinggi,
        -- HAZ mean from -1.6 to -0.6 across kab/kota; WAZ and WHZ centred near 0
        -1.6 + (hash(d.kode_kabkota) % 100) / 100.0
            + 1.1 * sqrt(-2 * ln(greatest(u.u1, 1e-12))) * cos(2 * pi() * u.u2) AS z_tb,
        -0.5 + sqrt(-2 * ln(greatest(u.u1, 1e-12))) * sin(2 * pi() * u.u2) AS z_bb,
        0.1 + sqrt(-2 * ln(greatest(u.u4, 1e-12))) * cos(2 * pi() * u.u5) AS z_bbtb
    FROM ukur AS u
    JOIN desa AS d ON d.i = u.desa_i
)
SELECT
    'synthetic' AS file_sha256,
    row_number() OVER () AS row_number,
    child_key, 'nik' AS child_key_source, sex, birth_date, measurement_date,
    age_days, floor(age_days / 30.4375)::INTEGER AS age_months,
    kode_kabkota, kode_kecamatan, kode_desa,
    kode_desa || '|POSYANDU ' || pos_i AS posyandu_key,
    'Posyandu ' || pos_i AS posyandu_nama,
    round(8 + age_days / 200.0 + z_bb, 1) AS weight_kg,
    CASE WHEN diukur_tinggi THEN round(60 + age_days / 40.0 + 3 * z_tb, 1) END AS lenhei_cm,
    CASE WHEN diukur_tinggi THEN CASE WHEN age_days < 731 THEN 'l' ELSE 'h' END END AS measure,
    CASE WHEN NOT diukur_tinggi THEN NULL WHEN u5 < 0.005 THEN -6.5 ELSE round(z_tb, 2) END AS zlen,
    CASE WHEN NOT diukur_tinggi THEN NULL WHEN u5 < 0.005 THEN 1 ELSE 0 END AS flen,
    round(z_bb, 2) AS zwei, 0 AS fwei,
    CASE WHEN diukur_tinggi THEN round(z_bbtb, 2) END AS zwfl,
    CASE WHEN diukur_tinggi THEN 0 END AS fwfl,
    TIMESTAMP '{start} 00:00:00' AS loaded_at
FROM z
WHERE age_days BETWEEN 0 AND 1856
"""


def fill_synthetic(
    con: duckdb.DuckDBPyConnection,
    n_children: int,
    months: int = 24,
    start: str = "2024-01-01",
    seed: float = 0.42,
) -> int:
    """Insert synthetic measurements into stg_pengukuran; returns the number of rows staged."""
    con.execute("SELECT setseed(?)", [seed])
    in_build = con.execute("SELECT count(*) FROM duckdb_databases() "
                           "WHERE database_name = 'delta'").fetchone()[0]
    target = "delta.stg_pengukuran" if in_build else "stg_pengukuran"  # a build's new rows
    con.execute(SYNTHETIC_SQL.format(n_children=int(n_children), months=int(months), start=start)
                .replace("INSERT INTO stg_pengukuran", f"INSERT INTO {target}", 1))
    return con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
