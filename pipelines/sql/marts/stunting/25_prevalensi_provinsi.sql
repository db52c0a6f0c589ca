-- reads: tmp_prevalensi_agregat
-- grain: tmp_prevalensi_provinsi (temp) one row per period_type and period_start: the provincial
-- stunting value every unit is compared with. config `provincial_average`:
--   "pooled"       = provincial stunted / provincial children with a valid HAZ (domain.md 1.7);
--   "mean_kabkota" = unweighted mean of the unsuppressed kab/kota rates (for comparison only;
--                    domain.md 6.3 warns that it shifts the cut-off).
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_provinsi AS
WITH kabkota_mean AS (
    SELECT period_type, period_start, avg(100 * n_stunted / n_haz) AS pct
    FROM tmp_prevalensi_agregat
    WHERE level = 'kabkota' AND n_haz > 0 AND n_children >= getvariable('min_cell')
    GROUP BY ALL
)
SELECT
    p.period_type,
    p.period_start,
    p.n_children AS prov_n_children,
    p.n_haz AS prov_n_haz,
    p.n_stunted AS prov_n_stunted,
    CASE getvariable('provincial_average')
        WHEN 'pooled' THEN CASE WHEN p.n_haz > 0 THEN 100 * p.n_stunted / p.n_haz END
        WHEN 'mean_kabkota' THEN m.pct
        ELSE error('config prevalence.provincial_average must be "pooled" or "mean_kabkota", not "'
                   || getvariable('provincial_average') || '"')
    END AS prov_pct_stunted
FROM tmp_prevalensi_agregat AS p
LEFT JOIN kabkota_mean AS m USING (period_type, period_start)
WHERE p.level = 'provinsi';
