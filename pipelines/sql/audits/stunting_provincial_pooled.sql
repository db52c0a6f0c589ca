-- audit: the provincial value on every row is the pooled rate of the provinsi row of its period
-- (config provincial_average = "pooled"); the provincial row's counts are the staged children.
-- Zero rows expected. Needs the build's config variables (pipelines.marts.set_config_variables).
SELECT m.level, m.kode, m.period_type, m.period
FROM mart_prevalensi AS m
JOIN mart_prevalensi AS p
  ON p.level = 'provinsi' AND p.period_type = m.period_type AND p.period = m.period
WHERE getvariable('provincial_average') = 'pooled'
  AND (abs(m.prov_pct_stunted - 100.0 * p.n_stunted / p.n_haz) > 1e-9
       OR m.prov_n_haz <> p.n_haz OR m.prov_n_stunted <> p.n_stunted)
UNION ALL
SELECT 'config variable provincial_average not set', NULL, NULL, NULL
WHERE getvariable('provincial_average') IS NULL
