-- audit: counts nest as they must (n stunted <= n with a valid HAZ <= children measured, severe
-- within stunted, wasted/overweight within n_whz, underweight within n_waz). Zero rows expected.
SELECT level, kode, period_type, period
FROM mart_prevalensi
WHERE n_stunted > n_haz OR n_severe > n_stunted OR n_haz + n_flag_haz > n_children
   OR n_wasted + n_overweight > n_whz OR n_whz + n_flag_whz > n_children
   OR n_underweight > n_waz OR n_waz + n_flag_waz > n_children
   OR least(n_children, n_haz, n_stunted, n_severe, n_whz, n_wasted, n_overweight, n_waz,
            n_underweight, n_flag_haz, n_flag_waz, n_flag_whz) < 0
