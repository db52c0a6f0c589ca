-- audit: mart_prevalensi_kabkota has every kab/kota of ref_wilayah in every period with data,
-- exactly once. Zero rows expected.
WITH expected AS (
    SELECT w.kode, p.period_type, p.period
    FROM ref_wilayah AS w
    CROSS JOIN (SELECT DISTINCT period_type, period FROM mart_prevalensi) AS p
    WHERE w.tingkat = 'kabkota'
),
actual AS (
    SELECT kode, period_type, period, count(*) AS n
    FROM mart_prevalensi_kabkota
    GROUP BY ALL
)
SELECT coalesce(e.kode, a.kode) AS kode, coalesce(e.period_type, a.period_type) AS period_type,
       coalesce(e.period, a.period) AS period, a.n
FROM expected AS e
FULL JOIN actual AS a USING (kode, period_type, period)
WHERE a.n IS DISTINCT FROM 1 OR e.kode IS NULL
