-- reads: tmp_ivo_child
-- grain: tmp_ivo_cluster (temp) one row per campaign, transition, posyandu and outcome metric:
-- numerator y and denominator x over the children whose base measurement was there. The
-- transition 'pre' follows children of w = 0 into w = 1 (the usual course before the campaign),
-- 'post' follows children of w = 1 into w = 2 (across the campaign).
CREATE OR REPLACE TEMP TABLE tmp_ivo_cluster AS
WITH pairs AS (
    SELECT b.campaign_id, CASE b.w WHEN 0 THEN 'pre' ELSE 'post' END AS period, b.posyandu_key,
           n.child_key IS NOT NULL AS followed,
           b.weight_kg AS kg0, n.weight_kg AS kg1, b.waz AS waz0, n.waz AS waz1,
           b.whz AS whz0, n.whz AS whz1, b.haz AS haz0, n.haz AS haz1
    FROM tmp_ivo_child AS b
    LEFT JOIN tmp_ivo_child AS n
        ON n.campaign_id = b.campaign_id AND n.w = b.w + 1 AND n.child_key = b.child_key
    WHERE b.w IN (0, 1)
),
per_posyandu AS (
    SELECT campaign_id, period, posyandu_key,
           count(*) FILTER (WHERE followed) AS y_remeasured, count(*) AS x_remeasured,
           count(*) FILTER (WHERE kg1 > kg0) AS y_weight_up, count(kg1 - kg0) AS x_weight_up,
           coalesce(sum(waz1 - waz0), 0) AS y_waz_change, count(waz1 - waz0) AS x_waz_change,
           coalesce(sum(whz1 - whz0), 0) AS y_whz_change, count(whz1 - whz0) AS x_whz_change,
           coalesce(sum(haz1 - haz0), 0) AS y_haz_change, count(haz1 - haz0) AS x_haz_change,
           count(*) FILTER (WHERE haz0 >= -2 AND haz1 < -2) AS y_new_stunting,
           count(*) FILTER (WHERE haz0 >= -2 AND haz1 IS NOT NULL) AS x_new_stunting
    FROM pairs
    GROUP BY ALL
)
SELECT campaign_id, period, posyandu_key, metric,
       CAST(y AS DOUBLE) AS y, CAST(x AS DOUBLE) AS x
FROM per_posyandu
UNPIVOT INCLUDE NULLS (
    (y, x) FOR metric IN (
        (y_remeasured, x_remeasured) AS 'remeasured',
        (y_weight_up, x_weight_up) AS 'weight_up',
        (y_waz_change, x_waz_change) AS 'waz_change',
        (y_whz_change, x_whz_change) AS 'whz_change',
        (y_haz_change, x_haz_change) AS 'haz_change',
        (y_new_stunting, x_new_stunting) AS 'new_stunting'
    )
);
