-- audit: the province row (kode_kabkota '35') adds up its target kab/kota
WITH kab AS (
    SELECT campaign_id, activity, tanggal, sum(target) AS target, sum(achieved_cum) AS achieved_cum,
           count(*) AS n_kabkota, count(*) FILTER (WHERE reported) AS n_reported
    FROM mart_intervensi_progress
    WHERE kode_kabkota <> '35'
    GROUP BY ALL
)
SELECT p.campaign_id, p.activity, p.tanggal
FROM mart_intervensi_progress AS p
JOIN kab AS k USING (campaign_id, activity, tanggal)
WHERE p.kode_kabkota = '35'
  AND (p.target <> k.target OR p.achieved_cum <> k.achieved_cum OR p.n_kabkota <> k.n_kabkota
       OR p.n_kabkota_reported <> k.n_reported)
