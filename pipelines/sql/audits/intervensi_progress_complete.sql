-- audit: every campaign, target (plus the province) and activity with a target has exactly one
-- progress row per display day (7 days before the start to post_days after the end)
WITH expected AS (
    SELECT t.campaign_id, k.kode_kabkota, t.activity,
           (c.end_date - c.start_date) + 7 + c.post_days + 1 AS n_days
    FROM (SELECT DISTINCT campaign_id, activity FROM ref_campaign_target) AS t
    JOIN ref_campaign AS c USING (campaign_id)
    JOIN (SELECT campaign_id, kode_kabkota FROM ref_campaign_kabkota
          UNION ALL SELECT campaign_id, '35' FROM ref_campaign) AS k USING (campaign_id)
),
got AS (
    SELECT campaign_id, kode_kabkota, activity, count(*) AS n_rows, count(DISTINCT tanggal) AS n_days
    FROM mart_intervensi_progress
    GROUP BY ALL
)
SELECT e.*, g.n_rows, g.n_days AS got_days
FROM expected AS e
FULL JOIN got AS g USING (campaign_id, kode_kabkota, activity)
WHERE g.n_rows IS DISTINCT FROM e.n_days OR g.n_days IS DISTINCT FROM e.n_days
