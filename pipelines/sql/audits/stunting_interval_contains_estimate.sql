-- audit: every 95% interval contains its estimate and lies in [0, 100]; funnel limits are
-- ordered around the provincial value. Zero rows expected.
SELECT level, kode, period_type, period
FROM mart_prevalensi
WHERE NOT (pct_stunted_lo95 <= pct_stunted AND pct_stunted <= pct_stunted_hi95)
   OR NOT (pct_severe_lo95 <= pct_severe AND pct_severe <= pct_severe_hi95)
   OR NOT (pct_wasted_lo95 <= pct_wasted AND pct_wasted <= pct_wasted_hi95)
   OR NOT (pct_underweight_lo95 <= pct_underweight AND pct_underweight <= pct_underweight_hi95)
   OR NOT (pct_overweight_lo95 <= pct_overweight AND pct_overweight <= pct_overweight_hi95)
   OR pct_stunted_lo95 < 0 OR pct_stunted_hi95 > 100
   OR (pct_stunted IS NULL) <> (pct_stunted_lo95 IS NULL)
   OR NOT (funnel_lo998 <= funnel_lo95 AND funnel_lo95 <= prov_pct_stunted
           AND prov_pct_stunted <= funnel_hi95 AND funnel_hi95 <= funnel_hi998)
