-- reads: prevalensi_prev_start, tmp_prevalensi_provinsi
-- grain: tmp_prevalensi_periode (temp) one row per period (period_type, period_start): its label,
-- last day, and the start of the period it is compared with for the trend: the previous period
-- of the same type (previous month; the latest configured weighing month before a bulan timbang,
-- e.g. 2025-02 -> 2024-08; previous year) and the same period a year earlier.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_periode AS
SELECT
    period_type,
    period_start,
    CASE period_type WHEN 'tahun' THEN strftime(period_start, '%Y')
        ELSE strftime(period_start, '%Y-%m') END AS period,
    CASE period_type WHEN 'tahun' THEN make_date(year(period_start), 12, 31)
        ELSE last_day(period_start) END AS period_end,
    prevalensi_prev_start(period_type, period_start) AS prev_start,
    (period_start - INTERVAL 1 YEAR)::DATE AS yoy_start
FROM tmp_prevalensi_provinsi;
