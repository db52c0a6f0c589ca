-- audit: percentages in [0, 100] (D/S may exceed 100: children from outside the area are
-- weighed), SDs and scores non-negative, one row per grain. Zero rows expected.
SELECT level, kode, period_type, period
FROM mart_kualitas_data
WHERE greatest(pct_flag_haz, pct_flag_waz, pct_flag_whz, pct_height_digit_05,
               pct_weight_digit_05, pct_missing_weight, pct_missing_height, pct_missing_measure,
               pct_missing, pct_kat_tbu_disagree, pct_rejected, pct_reporting) > 100
   OR least(pct_flag_haz, pct_flag_waz, pct_flag_whz, pct_height_digit_05, pct_weight_digit_05,
            pct_missing, pct_rejected, pct_reporting, pct_ds, sd_haz, sd_waz, sd_whz,
            dps_height, dps_weight, heaping_index, skor) < 0
UNION ALL
SELECT level, kode, period_type, period
FROM mart_kualitas_data GROUP BY ALL HAVING count(*) > 1
