-- reads: (nothing)
-- grain: macro stunting_wilson95(x, n): the 95% Wilson score interval of x/n in percent,
-- as a struct {lo, hi}; NULL when n = 0 (z = 1.959963984540054, the 97.5% normal quantile).
-- Clamped to [0, p] and [p, 100] so that floating-point noise at x = 0 or x = n never puts the
-- estimate outside its own interval.
CREATE OR REPLACE TEMP MACRO stunting_wilson95(x, n) AS
CASE WHEN n > 0 THEN {
    'lo': 100 * greatest(0.0, least(x / n,
        (x / n + 1.959963984540054 ^ 2 / (2 * n)) / (1 + 1.959963984540054 ^ 2 / n)
        - 1.959963984540054 * sqrt(x / n * (1 - x / n) / n + 1.959963984540054 ^ 2 / (4 * n ^ 2))
          / (1 + 1.959963984540054 ^ 2 / n))),
    'hi': 100 * least(1.0, greatest(x / n,
        (x / n + 1.959963984540054 ^ 2 / (2 * n)) / (1 + 1.959963984540054 ^ 2 / n)
        + 1.959963984540054 * sqrt(x / n * (1 - x / n) / n + 1.959963984540054 ^ 2 / (4 * n ^ 2))
          / (1 + 1.959963984540054 ^ 2 / n)))
} END;

-- grain: macro prevalensi_prev_start(period_type, period_start): the start of the period a
-- period's trend is compared with: the previous month; the latest configured weighing month
-- before a bulan timbang (e.g. 2025-02 -> 2024-08); the previous year.
CREATE OR REPLACE TEMP MACRO prevalensi_prev_start(period_type, period_start) AS
CASE period_type
    WHEN 'bulan' THEN period_start - INTERVAL 1 MONTH
    WHEN 'tahun' THEN period_start - INTERVAL 1 YEAR
    ELSE list_max(list_filter(
        generate_series(period_start - INTERVAL 12 MONTH,
                        period_start - INTERVAL 1 MONTH, INTERVAL 1 MONTH),
        lambda d: list_contains(getvariable('bulan_timbang'), month(d))))
END::DATE;
