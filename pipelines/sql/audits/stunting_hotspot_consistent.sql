-- audit: the hotspot marts hold one row per kecamatan of ref_wilayah and period of mart_moran,
-- and mart_moran one row per period of mart_prevalensi; the value is the kecamatan's smoothed
-- rate in mart_prevalensi; a unit has statistics exactly when it was analysed; a cluster
-- exactly where the Benjamini-Hochberg adjusted p-value is <= alpha (else 'ns'), of the unit's
-- quadrant; adjusted p-values are >= the raw ones and every p-value lies in (0, 1]; a period's
-- counts match its rows. Zero rows expected.
WITH k AS (
    SELECT kode FROM ref_wilayah WHERE tingkat = 'kecamatan'
),
expected AS (
    SELECT k.kode, m.period_type, m.period FROM k CROSS JOIN mart_moran AS m
)
SELECT 'missing or extra row' AS problem, coalesce(e.kode, h.kode) AS kode,
       coalesce(e.period_type, h.period_type) AS period_type, coalesce(e.period, h.period) AS period
FROM expected AS e
FULL JOIN mart_hotspot AS h USING (kode, period_type, period)
WHERE e.kode IS NULL OR h.kode IS NULL
UNION ALL
SELECT 'duplicate row', kode, period_type, period
FROM mart_hotspot GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'period', NULL, coalesce(p.period_type, m.period_type), coalesce(p.period, m.period)
FROM (SELECT DISTINCT period_type, period FROM mart_prevalensi) AS p
FULL JOIN (SELECT period_type, period, count(*) OVER (PARTITION BY period_type, period) AS n
           FROM mart_moran) AS m USING (period_type, period)
WHERE p.period IS NULL OR m.period IS NULL OR m.n > 1
UNION ALL
SELECT 'value', h.kode, h.period_type, h.period
FROM mart_hotspot AS h
LEFT JOIN mart_prevalensi AS p
    ON p.level = 'kecamatan' AND p.kode = h.kode AND p.period_type = h.period_type
   AND p.period = h.period
WHERE h.status IN ('analysed', 'not_analysed')
  AND (p.pct_stunted_eb IS NULL OR h.pct_stunted_eb <> p.pct_stunted_eb OR p.suppressed)
UNION ALL
SELECT 'statistics', h.kode, h.period_type, h.period
FROM mart_hotspot AS h
JOIN mart_moran AS m USING (period_type, period)
WHERE h.status = 'analysed' AND m.status <> 'analysed'
   OR h.status = 'not_analysed' AND m.status = 'analysed'
   OR (h.status = 'analysed') <> (h.cluster IS NOT NULL)
   OR (h.status = 'analysed') <> (h.p_lisa IS NOT NULL AND h.n_neighbours > 0)
   OR h.gi_z IS NOT NULL AND h.status <> 'analysed'
   OR h.signif_fdr <> (h.p_lisa_fdr <= m.alpha)
   OR h.cluster <> CASE WHEN h.signif_fdr THEN h.quadrant ELSE 'ns' END
   OR (h.cluster = 'ns') <> (h.cluster_id IS NULL)
   OR h.p_lisa_fdr < h.p_lisa
   OR NOT (h.p_lisa > 0 AND h.p_lisa <= 1 AND h.p_lisa_fdr <= 1)
   OR NOT (h.gi_p BETWEEN 0 AND 1 AND h.gi_p_fdr BETWEEN h.gi_p AND 1)
UNION ALL
SELECT 'counts', NULL, m.period_type, m.period
FROM mart_moran AS m
LEFT JOIN (SELECT period_type, period,
                  count(*) FILTER (WHERE status = 'analysed') AS n,
                  count(*) FILTER (WHERE cluster = 'HH') AS hh,
                  count(*) FILTER (WHERE cluster = 'LL') AS ll
           FROM mart_hotspot GROUP BY ALL) AS h USING (period_type, period)
WHERE m.status = 'analysed' AND (h.n IS DISTINCT FROM m.n_units OR h.hh <> m.n_hh
                                 OR h.ll <> m.n_ll)
