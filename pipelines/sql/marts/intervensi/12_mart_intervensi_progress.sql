-- reads: ref_campaign, ref_intervensi_activity, tmp_intervensi_series
-- grain: one row per campaign, target kab/kota (plus the province total, kode_kabkota '35'),
-- activity with a target and display day (7 days before the start to post_days after the end).
-- Everything is "as of the end of that day": pick the day, read the rows. The expected pace is
-- linear over working days; status compares achieved with expected within on_track_tolerance.
CREATE OR REPLACE TABLE mart_intervensi_progress AS
WITH province AS (
    SELECT campaign_id, '35' AS kode_kabkota, 'Semua wilayah sasaran' AS nama, NULL AS alasan,
           tanggal, any_value(start_date) AS start_date, any_value(end_date) AS end_date,
           any_value(n_working_days) AS n_working_days, any_value(is_working_day) AS is_working_day,
           any_value(working_day_no) AS working_day_no, activity, sum(target) AS target,
           sum(achieved_day) AS achieved_day, sum(achieved_cum) AS achieved_cum,
           bool_or(activity_reported) AS activity_reported, count(*) AS n_kabkota,
           count(*) FILTER (WHERE reported) AS n_kabkota_reported, max(last_report) AS last_report,
           sum(gap_days) AS gap_days
    FROM tmp_intervensi_series
    GROUP BY campaign_id, tanggal, activity
),
rows AS (
    SELECT campaign_id, kode_kabkota, nama, alasan, tanggal, start_date, end_date, n_working_days,
           is_working_day, working_day_no, activity, target, achieved_day, achieved_cum,
           activity_reported, 1 AS n_kabkota, CAST(reported AS INTEGER) AS n_kabkota_reported,
           last_report, gap_days
    FROM tmp_intervensi_series
    UNION ALL BY NAME
    SELECT * FROM province
),
calc AS (
    SELECT r.*, c.on_track_tolerance AS tol,
           coalesce(getvariable('today'), current_date) AS today,
           r.target * r.working_day_no / nullif(r.n_working_days, 0) AS expected,
           r.n_working_days - r.working_day_no AS days_left,
           r.achieved_cum / nullif(r.working_day_no, 0) AS pace_raw
    FROM rows AS r JOIN ref_campaign AS c USING (campaign_id)
),
judged_status AS (
    SELECT *,
           CASE
               WHEN tanggal < start_date OR today < start_date THEN 'belum mulai'
               WHEN tanggal > today THEN 'belum terjadi'
               WHEN tanggal > end_date THEN 'selesai'
               WHEN expected = 0 THEN CASE WHEN achieved_cum > 0 THEN 'di depan' ELSE 'sesuai jadwal' END
               WHEN achieved_cum > expected * (1 + tol) THEN 'di depan'
               WHEN achieved_cum < expected * (1 - tol) THEN 'tertinggal'
               ELSE 'sesuai jadwal'
           END AS status
    FROM calc
),
judged AS (  -- rows with a verdict: started, and not after today
    SELECT *, status NOT IN ('belum mulai', 'belum terjadi') AS judged FROM judged_status
)
SELECT
    j.campaign_id, j.tanggal, j.kode_kabkota, j.nama, j.alasan, j.activity, a.label AS activity_label,
    CAST(j.target AS INTEGER) AS target, CAST(j.achieved_day AS INTEGER) AS achieved_day,
    CAST(j.achieved_cum AS INTEGER) AS achieved_cum, round(j.expected, 2) AS expected_cum,
    round(100.0 * j.achieved_cum / j.target, 1) AS pct_of_target,
    round(100.0 * j.achieved_cum / nullif(j.expected, 0), 1) AS pct_of_expected,
    j.status,
    CASE WHEN j.judged THEN round(greatest(j.expected - j.achieved_cum, 0), 2) END AS behind_by,
    CASE WHEN j.judged THEN round(100.0 * greatest(j.expected - j.achieved_cum, 0) / nullif(j.expected, 0), 1) END AS behind_by_pct,
    j.is_working_day, j.working_day_no, j.n_working_days, j.days_left,
    CASE WHEN j.judged THEN round(j.pace_raw, 2) END AS pace,
    CASE WHEN j.judged THEN round(j.achieved_cum + j.pace_raw * j.days_left, 1) END AS projected_end,
    CASE WHEN j.judged THEN j.achieved_cum + j.pace_raw * j.days_left >= j.target END AS will_finish,
    j.n_kabkota_reported = j.n_kabkota AS reported, j.activity_reported,
    CAST(j.n_kabkota AS INTEGER) AS n_kabkota, CAST(j.n_kabkota_reported AS INTEGER) AS n_kabkota_reported,
    j.last_report, CAST(j.gap_days AS INTEGER) AS gap_days
FROM judged AS j
LEFT JOIN ref_intervensi_activity AS a USING (activity);
