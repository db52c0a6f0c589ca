-- reads: tmp_ivo_cluster, tmp_ivo_posyandu
-- grain: tmp_ivo_cell (temp) one row per campaign, level, group, stratum and metric over the
-- matched posyandu: numerator and denominator per transition, their ratio, the posyandu that
-- contribute, and q = the sum over those posyandu of their squared linearised contribution to
-- (ratio post - ratio pre). Levels: targeted posyandu count for '35' (all targets) and for their
-- own kab/kota; comparison posyandu are shared by every level (kode '*').
CREATE OR REPLACE TEMP TABLE tmp_ivo_cell AS
WITH unit AS (
    SELECT c.campaign_id, c.metric, c.posyandu_key, p.treated, p.stratum, p.kode_kabkota,
           coalesce(sum(c.y) FILTER (WHERE c.period = 'pre'), 0) AS y_pre,
           coalesce(sum(c.x) FILTER (WHERE c.period = 'pre'), 0) AS x_pre,
           coalesce(sum(c.y) FILTER (WHERE c.period = 'post'), 0) AS y_post,
           coalesce(sum(c.x) FILTER (WHERE c.period = 'post'), 0) AS x_post
    FROM tmp_ivo_cluster AS c
    JOIN tmp_ivo_posyandu AS p USING (campaign_id, posyandu_key)
    WHERE p.matched
    GROUP BY ALL
),
leveled AS (
    SELECT *, '35' AS kode FROM unit WHERE treated
    UNION ALL
    SELECT *, kode_kabkota AS kode FROM unit WHERE treated
    UNION ALL
    SELECT *, '*' AS kode FROM unit WHERE NOT treated
),
cell AS (
    SELECT campaign_id, kode, treated, stratum, metric,
           sum(y_pre) AS y_pre, sum(x_pre) AS x_pre, sum(y_post) AS y_post, sum(x_post) AS x_post
    FROM leveled
    GROUP BY ALL
)
SELECT c.campaign_id, c.kode, c.treated, c.stratum, c.metric, c.x_pre, c.x_post,
       c.y_pre / nullif(c.x_pre, 0) AS r_pre,
       c.y_post / nullif(c.x_post, 0) AS r_post,
       count(*) FILTER (WHERE l.x_pre + l.x_post > 0) AS n_clusters,
       -- e = y - r x per posyandu and transition; contribution = e_post / X_post - e_pre / X_pre
       sum(power((l.y_post - l.x_post * c.y_post / nullif(c.x_post, 0)) / nullif(c.x_post, 0)
                 - (l.y_pre - l.x_pre * c.y_pre / nullif(c.x_pre, 0)) / nullif(c.x_pre, 0), 2)) AS q
FROM cell AS c
JOIN leveled AS l USING (campaign_id, kode, treated, stratum, metric)
GROUP BY c.campaign_id, c.kode, c.treated, c.stratum, c.metric, c.x_pre, c.x_post, c.y_pre, c.y_post;
