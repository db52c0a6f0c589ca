-- audit: no hidden cell of mart_prevalensi can be recovered by subtraction along the hierarchy
-- provinsi > kabkota > kecamatan > desa > posyandu (kode_induk is the parent), for each family
-- of counts (children; HAZ; WHZ; WAZ): under a shown parent the hidden children are none or at
-- least two (R1), and a hidden parent whose children are all shown has none with a count
-- (R2: they would add up to it). Zero rows expected. tests/pipelines/marts/test_suppression.py also
-- attacks the published marts with repeated subtraction.
WITH cells AS (
    SELECT level, kode, kode_induk, period_type, period, family,
           CASE family WHEN 'anak' THEN suppressed_anak WHEN 'haz' THEN suppressed
                WHEN 'whz' THEN suppressed_whz ELSE suppressed_waz END AS hidden,
           CASE family WHEN 'anak' THEN n_children WHEN 'haz' THEN n_haz
                WHEN 'whz' THEN n_whz ELSE n_waz END AS d
    FROM mart_prevalensi
    CROSS JOIN (VALUES ('anak'), ('haz'), ('whz'), ('waz')) AS f(family)
),
kids AS (
    SELECT kode_induk, period_type, period, family,
           count(*) FILTER (WHERE hidden) AS n_hidden,
           count(*) FILTER (WHERE NOT hidden AND d > 0) AS n_shown_counted
    FROM cells
    WHERE level <> 'provinsi'
    GROUP BY ALL
)
SELECT p.level, p.kode, p.period_type, p.period, p.family, k.n_hidden
FROM cells AS p
JOIN kids AS k
  ON k.kode_induk = p.kode AND k.period_type = p.period_type AND k.period = p.period
 AND k.family = p.family
WHERE (NOT p.hidden AND k.n_hidden = 1)
   OR (p.hidden AND k.n_hidden = 0 AND k.n_shown_counted > 0)
