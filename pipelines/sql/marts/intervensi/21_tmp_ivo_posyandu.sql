-- reads: ref_campaign, ref_campaign_kabkota, tmp_ivo_child
-- grain: tmp_ivo_posyandu (temp) one row per campaign and posyandu with children measured in
-- the pre period (w = 1): targeted or not, pre-period stunting prevalence and size (children
-- measured), and the matching stratum (prevalence quantile bin x size quantile bin, ties kept in
-- one bin). A posyandu is matched when its stratum holds both targeted and other posyandu.
CREATE OR REPLACE TEMP TABLE tmp_ivo_posyandu AS
WITH pre AS (
    SELECT campaign_id, posyandu_key, any_value(kode_kabkota) AS kode_kabkota,
           count(*) AS n_children, count(haz) AS n_haz, count(*) FILTER (WHERE haz < -2) AS n_stunted
    FROM tmp_ivo_child
    WHERE w = 1
    GROUP BY campaign_id, posyandu_key
),
binned AS (
    SELECT p.*, k.kode_kabkota IS NOT NULL AS treated,
           p.n_stunted / p.n_haz AS prevalence,
           CAST(ceil(cume_dist() OVER (PARTITION BY p.campaign_id ORDER BY p.n_stunted / p.n_haz)
                     * c.prevalence_bins) AS INTEGER) AS prevalence_bin,
           CAST(ceil(cume_dist() OVER (PARTITION BY p.campaign_id ORDER BY p.n_children)
                     * c.size_bins) AS INTEGER) AS size_bin
    FROM pre AS p
    JOIN ref_campaign AS c USING (campaign_id)
    LEFT JOIN ref_campaign_kabkota AS k
        ON k.campaign_id = p.campaign_id AND k.kode_kabkota = p.kode_kabkota
    WHERE p.n_haz > 0
)
SELECT *, prevalence_bin || 'x' || size_bin AS stratum,
       sum(CAST(treated AS INTEGER)) OVER s > 0 AND sum(CAST(NOT treated AS INTEGER)) OVER s > 0 AS matched
FROM binned
WINDOW s AS (PARTITION BY campaign_id, prevalence_bin, size_bin);
