-- reads: ref_campaign, stg_pengukuran_kampanye
-- grain: tmp_ivo_child (temp) one row per campaign, measurement window and child measured in
-- it: the child's last measurement of the window, ordered as the stunting child step orders
-- them (measurement date, then load time, file and row), so two measurements of one day give
-- the same pick whatever order their files were loaded in. Windows: w = 0 the pre_months before
-- the pre period, w = 1 the pre period (pre_months before the start), w = 2 during/after (start
-- to post_days after the end). Z-scores flagged by the WHO limits count as missing.
-- w = 2 rows are kept only for children measured in w = 1: they are read only as the follow-up
-- of a w = 1 child (22_tmp_ivo_cluster), so the others are dropped before the per-child step.
-- stg_pengukuran_kampanye: the staged measurements of the months the windows cover (the
-- builder's view). ukur is read twice and recomputed each time (a scan of stg_pengukuran costs
-- less than storing a million rows).
CREATE OR REPLACE TEMP TABLE tmp_ivo_child AS
WITH windows AS (
    SELECT campaign_id, 0 AS w,
           CAST(start_date - to_months(2 * pre_months) AS DATE) AS w_from,
           CAST(start_date - to_months(pre_months) AS DATE) AS w_until
    FROM ref_campaign
    UNION ALL
    SELECT campaign_id, 1, CAST(start_date - to_months(pre_months) AS DATE), start_date
    FROM ref_campaign
    UNION ALL
    SELECT campaign_id, 2, start_date, end_date + post_days + 1
    FROM ref_campaign
),
ukur AS NOT MATERIALIZED (
    SELECT w.campaign_id, w.w, m.child_key, m.posyandu_key, m.kode_kabkota, m.measurement_date,
           m.loaded_at, m.file_sha256, m.row_number, m.weight_kg,
           CASE WHEN m.fwei = 0 THEN m.zwei END AS waz,
           CASE WHEN m.fwfl = 0 THEN m.zwfl END AS whz,
           CASE WHEN m.flen = 0 THEN m.zlen END AS haz
    FROM stg_pengukuran_kampanye AS m
    JOIN windows AS w ON m.measurement_date >= w.w_from AND m.measurement_date < w.w_until
    WHERE m.posyandu_key IS NOT NULL
),
followed AS (
    SELECT * FROM ukur WHERE w < 2
    UNION ALL
    SELECT * FROM ukur
    WHERE w = 2 AND (campaign_id, child_key) IN (SELECT campaign_id, child_key FROM ukur WHERE w = 1)
)
SELECT * EXCLUDE (loaded_at, file_sha256, row_number)
FROM followed
QUALIFY row_number() OVER (
    PARTITION BY campaign_id, w, child_key
    ORDER BY measurement_date DESC, loaded_at DESC, file_sha256 DESC, row_number DESC) = 1;
