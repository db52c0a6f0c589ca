-- Coverage rows that do not follow their definition (mart_cakupan_pengukuran,
-- docs/marts_stunting.md): the children count differs from mart_prevalensi's; a hidden children
-- count left a coverage behind; the rate is not 100 × children ÷ sasaran (or is missing where
-- both are there); the >100 % flag does not follow the rate; a denominator without a known
-- source or a source without a denominator; a kecamatan PKK denominator from an incomplete sum.
SELECT c.level, c.kode, c.period_type, c.period, c.n_children, c.sasaran_balita, c.pct_coverage,
       c.coverage_source
FROM mart_cakupan_pengukuran AS c
LEFT JOIN mart_prevalensi AS p
    ON p.level = c.level AND p.kode = c.kode AND p.period_type = c.period_type
   AND p.period = c.period
WHERE p.kode IS NULL
   OR c.n_children IS DISTINCT FROM p.n_children
   OR (p.suppressed_anak AND c.pct_coverage IS NOT NULL)
   OR (c.pct_coverage IS NULL) <> (c.n_children IS NULL OR coalesce(c.sasaran_balita, 0) = 0)
   OR abs(c.pct_coverage - 100.0 * c.n_children / c.sasaran_balita) > 1e-9
   OR c.coverage_over_100 IS DISTINCT FROM (c.pct_coverage > 100)
   OR (c.coverage_source IS NULL) <> (c.sasaran_balita IS NULL)
   OR c.coverage_source NOT IN ('referensi', 'pkk_dasawisma')
   OR (c.level = 'kecamatan' AND c.coverage_source IS NOT NULL AND c.n_desa_pkk <> c.n_desa)
   OR c.level = 'posyandu'
