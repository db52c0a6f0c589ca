-- audit: the cumulative count is the running sum of the daily counts and reaches, after the
-- end, exactly what stg_intervensi holds for the target inside the window
WITH running AS (
    SELECT campaign_id, kode_kabkota, activity, tanggal, achieved_cum,
           sum(achieved_day) OVER (PARTITION BY campaign_id, kode_kabkota, activity ORDER BY tanggal) AS running
    FROM mart_intervensi_progress
),
final AS (
    SELECT p.campaign_id, p.kode_kabkota, p.activity, p.achieved_cum
    FROM mart_intervensi_progress AS p JOIN ref_campaign AS c USING (campaign_id)
    WHERE p.tanggal = c.end_date AND p.kode_kabkota <> '35'
),
staged AS (
    SELECT c.campaign_id, s.kode_kabkota, s.activity, sum(s.jumlah) AS jumlah
    FROM stg_intervensi AS s
    JOIN ref_campaign AS c ON s.tanggal BETWEEN c.start_date AND c.end_date
    GROUP BY ALL
)
SELECT campaign_id, kode_kabkota, activity, tanggal, 'running sum' AS problem
FROM running WHERE achieved_cum <> running
UNION ALL
SELECT f.campaign_id, f.kode_kabkota, f.activity, NULL, 'final differs from staging'
FROM final AS f
LEFT JOIN staged AS s USING (campaign_id, kode_kabkota, activity)
WHERE f.achieved_cum <> coalesce(s.jumlah, 0)
