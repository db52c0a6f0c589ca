-- audit: every 95% interval contains its estimate and lies in [0, 100]; funnel limits, plain
-- and over-dispersion-adjusted, are ordered around the value the unit is compared with (its
-- parent's pooled rate). Zero rows expected.
SELECT level, kode, period_type, period
FROM mart_prevalensi
WHERE NOT (pct_stunted_lo95 <= pct_stunted AND pct_stunted <= pct_stunted_hi95)
   OR NOT (pct_severe_lo95 <= pct_severe AND pct_severe <= pct_severe_hi95)
   OR NOT (pct_wasted_lo95 <= pct_wasted AND pct_wasted <= pct_wasted_hi95)
   OR NOT (pct_underweight_lo95 <= pct_underweight AND pct_underweight <= pct_underweight_hi95)
   OR NOT (pct_overweight_lo95 <= pct_overweight AND pct_overweight <= pct_overweight_hi95)
   OR pct_stunted_lo95 < 0 OR pct_stunted_hi95 > 100
   OR (pct_stunted IS NULL) <> (pct_stunted_lo95 IS NULL)
   OR NOT (funnel_lo998 <= funnel_lo95 AND funnel_lo95 <= induk_pct_stunted
           AND induk_pct_stunted <= funnel_hi95 AND funnel_hi95 <= funnel_hi998)
   OR NOT (funnel_adj_lo998 <= funnel_adj_lo95 AND funnel_adj_lo95 <= induk_pct_stunted
           AND induk_pct_stunted <= funnel_adj_hi95 AND funnel_adj_hi95 <= funnel_adj_hi998)
   OR (funnel_hi95 IS NULL) <> (p_above IS NULL)
   OR level = 'kabkota' AND pct_stunted IS NOT NULL
      AND NOT abs(induk_pct_stunted - prov_pct_stunted) < 1e-9
