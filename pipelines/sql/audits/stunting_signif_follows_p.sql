-- audit: every significance class follows its exact p-values (p <= 0.001: 99.8 %, p <= 0.025:
-- 95 %), the over-dispersion-adjusted class is never further from 'dalam' than the exact one and
-- equals it where the group is not over-dispersed, p-values lie in [0, 1] with
-- p_above + p_below >= 1, and the target list carries the mart's classes. Zero rows expected.
SELECT 'mart_prevalensi' AS mart, level, kode, period_type, period
FROM mart_prevalensi
WHERE signif IS DISTINCT FROM CASE
        WHEN p_above IS NULL THEN NULL
        WHEN p_above <= 0.001 THEN 'atas_998' WHEN p_above <= 0.025 THEN 'atas_95'
        WHEN p_below <= 0.001 THEN 'bawah_998' WHEN p_below <= 0.025 THEN 'bawah_95'
        ELSE 'dalam' END
   OR (signif IS NULL) <> (signif_adj IS NULL)
   OR tau_pts IS NULL AND signif_adj IS DISTINCT FROM signif
   OR signif = 'dalam' AND signif_adj <> 'dalam'
   OR signif LIKE 'atas%' AND signif_adj LIKE 'bawah%'
   OR signif LIKE 'bawah%' AND signif_adj LIKE 'atas%'
   OR signif_adj IN ('atas_998', 'bawah_998') AND signif NOT IN ('atas_998', 'bawah_998')
   OR NOT (p_above BETWEEN 0 AND 1 AND p_below BETWEEN 0 AND 1)
   OR p_above + p_below < 1 - 1e-9
   OR tau_pts IS NOT NULL AND NOT (phi > phi_limit)
UNION ALL
SELECT 'mart_target_list', 'kabkota', t.kode_kabkota, t.period_type, t.period
FROM mart_target_list AS t
JOIN mart_prevalensi_kabkota AS m
  ON m.kode = t.kode_kabkota AND m.period_type = t.period_type AND m.period = t.period
WHERE t.reference = 'admin'
  AND (t.signif IS DISTINCT FROM m.signif OR t.signif_adj IS DISTINCT FROM m.signif_adj)
