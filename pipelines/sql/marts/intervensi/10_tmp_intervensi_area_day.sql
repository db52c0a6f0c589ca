-- reads: ref_campaign, ref_campaign_day, ref_campaign_kabkota, stg_intervensi
-- grain: tmp_intervensi_area_day (temp) one row per campaign, target kab/kota and display day
-- (7 days before the start to post_days after the end): the calendar, whether a report came in
-- that day (any staged row of the kab/kota or one of its kecamatan), the last report so far and
-- the reporting gaps so far. Gaps are working days in the window, up to today, with no report.
CREATE OR REPLACE TEMP TABLE tmp_intervensi_area_day AS
WITH axis AS (
    SELECT c.campaign_id, c.start_date, c.end_date, c.n_working_days,
           CAST(unnest(generate_series(c.start_date - 7, c.end_date + c.post_days, INTERVAL 1 DAY)) AS DATE) AS tanggal
    FROM ref_campaign AS c
),
reports AS (  -- report rows per area and day, counted only inside the campaign window
    SELECT c.campaign_id, s.kode_kabkota, s.tanggal, count(DISTINCT s.file_sha256 || '|' || s.row_number) AS n_reports
    FROM stg_intervensi AS s
    JOIN ref_campaign AS c ON s.tanggal BETWEEN c.start_date AND c.end_date
    GROUP BY ALL
),
days AS (
    SELECT a.campaign_id, k.kode_kabkota, k.nama, k.alasan, a.tanggal, a.start_date, a.end_date,
           a.n_working_days,
           coalesce(d.is_working_day, false) AS is_working_day,
           coalesce(d.is_holiday, false) AS is_holiday,
           CASE WHEN a.tanggal < a.start_date THEN 0 WHEN a.tanggal > a.end_date THEN a.n_working_days
                ELSE d.working_day_no END AS working_day_no,
           coalesce(r.n_reports, 0) AS n_reports,
           r.n_reports IS NOT NULL AS reported,
           coalesce(d.is_working_day, false) AND r.n_reports IS NULL
               AND a.tanggal <= coalesce(getvariable('today'), current_date) AS is_gap
    FROM axis AS a
    JOIN ref_campaign_kabkota AS k USING (campaign_id)
    LEFT JOIN ref_campaign_day AS d ON d.campaign_id = a.campaign_id AND d.tanggal = a.tanggal
    LEFT JOIN reports AS r
        ON r.campaign_id = a.campaign_id AND r.kode_kabkota = k.kode_kabkota AND r.tanggal = a.tanggal
),
running AS (
    SELECT *,
           max(CASE WHEN reported THEN tanggal END) OVER w AS last_report,
           sum(CASE WHEN is_gap THEN 1 ELSE 0 END) OVER w AS gap_days,
           sum(CASE WHEN is_working_day AND reported THEN 1 ELSE 0 END) OVER w AS reported_working_days
    FROM days
    WINDOW w AS (PARTITION BY campaign_id, kode_kabkota ORDER BY tanggal)
)
SELECT *,
       -- consecutive missing working days: each reported working day starts a new count
       CASE WHEN is_gap THEN sum(CASE WHEN is_gap THEN 1 ELSE 0 END) OVER (
           PARTITION BY campaign_id, kode_kabkota, reported_working_days ORDER BY tanggal) END AS gap_streak
FROM running;
