-- reads: load_file_area, load_files
-- grain: tmp_kualitas_penolakan (temp) one row per level (provinsi, kabkota), kode, period_type
-- (bulan, tahun) and period_start: rows read and rejected in posyandu exports. Rejected rows have
-- no resolved codes, so each file is attributed to the kab/kota and month most of its staged rows
-- belong to (demo files hold one kab/kota and month each; load_file_area, computed when the file
-- is loaded); a file with no staged row cannot be attributed and is left out.
CREATE OR REPLACE TEMP TABLE tmp_kualitas_penolakan AS
WITH file_area AS (
    SELECT file_sha256, {'kab': kode_kabkota, 'bulan': bulan} AS area FROM load_file_area
),
files AS (
    SELECT f.area.kab AS kode_kabkota, f.area.bulan AS bulan,
           date_trunc('year', f.area.bulan)::DATE AS tahun,
           l.rows_read, l.rows_rejected
    FROM load_files AS l
    JOIN file_area AS f USING (file_sha256)
    WHERE l.source = 'posyandu'
)
SELECT
    CASE WHEN grouping(kode_kabkota) = 1 THEN 'provinsi' ELSE 'kabkota' END AS level,
    coalesce(kode_kabkota, '35') AS kode,
    CASE WHEN bulan IS NOT NULL THEN 'bulan' ELSE 'tahun' END AS period_type,
    coalesce(bulan, tahun) AS period_start,
    sum(rows_read) AS n_rows_read,
    sum(rows_rejected) AS n_rows_rejected
FROM files
GROUP BY GROUPING SETS ((bulan), (bulan, kode_kabkota), (tahun), (tahun, kode_kabkota));
