-- reads: tmp_prevalensi_agregat
-- grain: tmp_prevalensi_eb (temp) one row per kecamatan, desa or posyandu with a valid HAZ and
-- period: the empirical-Bayes (beta-binomial) stunting rate in percent.
-- The beta prior is estimated by the method of moments per level, kab/kota and period (small
-- areas shrink toward their own kab/kota), over every unit with n_haz > 0, suppressed or not:
--   m = sum x / sum n;  s2 = sum n (x/n - m)^2 / sum n;  tau2 = s2 - m (1 - m) / mean n;
--   prior strength a = m (1 - m) / tau2 - 1;  estimate = (x + m a) / (n + a).
-- tau2 <= 0 (no spread beyond chance): every unit gets m; a <= 0: the crude rate is kept.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_eb AS
WITH units AS (
    SELECT
        level, kode, kode_kabkota, period_type, period_start, n_haz, n_stunted,
        sum(n_stunted) OVER g / sum(n_haz) OVER g AS m,
        sum(n_haz) OVER g / count(*) OVER g AS n_bar
    FROM tmp_prevalensi_agregat
    WHERE level IN ('kecamatan', 'desa', 'posyandu') AND n_haz > 0
    WINDOW g AS (PARTITION BY level, kode_kabkota, period_type, period_start)
),
prior AS (
    SELECT
        level, kode_kabkota, period_type, period_start,
        any_value(m) AS m,
        sum(n_haz * (n_stunted / n_haz - m) ^ 2) / sum(n_haz)
            - any_value(m) * (1 - any_value(m)) / any_value(n_bar) AS tau2
    FROM units
    GROUP BY ALL
),
strength AS (
    SELECT *, CASE WHEN tau2 > 0 THEN m * (1 - m) / tau2 - 1 END AS a
    FROM prior
)
SELECT
    u.level, u.kode, u.period_type, u.period_start,
    100 * CASE
        WHEN s.tau2 <= 0 THEN s.m
        WHEN s.a <= 0 THEN u.n_stunted / u.n_haz
        ELSE (u.n_stunted + s.m * s.a) / (u.n_haz + s.a)
    END AS pct_stunted_eb
FROM units AS u
JOIN strength AS s USING (level, kode_kabkota, period_type, period_start);
