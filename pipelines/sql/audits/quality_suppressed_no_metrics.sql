-- audit: a suppressed unit in mart_kualitas_data carries no metric or class; an unsuppressed
-- one with z-scores has a plausibility class. Zero rows expected. Needs the build's config
-- variables (pipelines.marts.set_config_variables); without them it fails instead of passing.
SELECT level, kode, period_type, period
FROM mart_kualitas_data
WHERE suppressed AND coalesce(n_measurements, n_children, pct_flag_haz, sd_haz, dps_height,
                              heaping_index, pct_missing, pct_ds, pct_reporting, skor) IS NOT NULL
   OR suppressed AND coalesce(kelas_flag, kelas_sd, kelas_plausibilitas) IS NOT NULL
   OR NOT suppressed AND n_children < getvariable('min_cell')
   OR NOT suppressed AND kelas_plausibilitas IS NULL
UNION ALL
SELECT 'config variable min_cell not set', NULL, NULL, NULL WHERE getvariable('min_cell') IS NULL
