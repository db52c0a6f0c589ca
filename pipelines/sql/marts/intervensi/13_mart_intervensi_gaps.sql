-- reads: tmp_intervensi_area_day
-- grain: one row per campaign, target kab/kota and working day of the window, up to today, on
-- which no report came in (neither for the kab/kota nor for any of its kecamatan); with the
-- running counts as of that day.
CREATE OR REPLACE TABLE mart_intervensi_gaps AS
SELECT campaign_id, kode_kabkota, nama, tanggal,
       CAST(gap_days AS INTEGER) AS gap_no,       -- nth working day without a report so far
       CAST(gap_streak AS INTEGER) AS gap_streak, -- consecutive working days without a report
       last_report,                               -- NULL: no report yet in the window
       working_day_no AS working_days_so_far,
       CAST(reported_working_days AS INTEGER) AS reported_days_so_far
FROM tmp_intervensi_area_day
WHERE is_gap;
