-- audit: the 2T follow-up list holds exactly the children the SKDN counts call 2T, in the same
-- area and month (state_skdn_lokasi: the counts before suppression), one row per weighing (file
-- and row). Zero rows expected.
WITH listed AS (
    SELECT bulan, coalesce(posyandu_key, kode_desa) AS lokasi, count(*) AS n
    FROM mart_skdn_2t GROUP BY ALL
),
counted AS (
    SELECT bulan, lokasi, n_2t AS n FROM state_skdn_lokasi WHERE n_2t > 0
)
SELECT strftime(bulan, '%Y-%m') AS period, lokasi, 'count' AS problem
FROM listed FULL JOIN counted USING (bulan, lokasi)
WHERE listed.n IS DISTINCT FROM counted.n
UNION ALL
SELECT period, file_sha256 || ' ' || row_number, 'duplicate'
FROM mart_skdn_2t GROUP BY ALL HAVING count(*) > 1
