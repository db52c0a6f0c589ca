-- reads: ref_campaign, ref_campaign_target, stg_intervensi, tmp_intervensi_area_day
-- grain: tmp_intervensi_series (temp) one row per campaign, target kab/kota, activity with a
-- target and display day: the day's count and the cumulative count from reports dated inside
-- the window (whole-kab/kota and kecamatan rows added up), next to the area-day facts.
CREATE OR REPLACE TEMP TABLE tmp_intervensi_series AS
WITH daily AS (
    SELECT c.campaign_id, s.kode_kabkota, s.activity, s.tanggal, sum(s.jumlah) AS jumlah
    FROM stg_intervensi AS s
    JOIN ref_campaign AS c ON s.tanggal BETWEEN c.start_date AND c.end_date
    GROUP BY ALL
)
SELECT a.*, t.activity, t.target,
       coalesce(d.jumlah, 0) AS achieved_day,
       d.jumlah IS NOT NULL AS activity_reported,
       sum(coalesce(d.jumlah, 0)) OVER (
           PARTITION BY a.campaign_id, a.kode_kabkota, t.activity ORDER BY a.tanggal) AS achieved_cum
FROM tmp_intervensi_area_day AS a
JOIN ref_campaign_target AS t USING (campaign_id, kode_kabkota)
LEFT JOIN daily AS d
    ON d.campaign_id = a.campaign_id AND d.kode_kabkota = a.kode_kabkota
   AND d.activity = t.activity AND d.tanggal = a.tanggal;
