-- reads: ref_campaign, ref_campaign_kabkota, tmp_ivo_cell, tmp_ivo_posyandu, round_stable
-- grain: one row per campaign, level (kode '35' = all target kab/kota, or one target kab/kota)
-- and outcome metric. Targeted posyandu against comparison posyandu of non-target kab/kota in
-- the same stratum (pre-period prevalence bin x size bin), strata weighted by the level's
-- targeted posyandu. *_pre: children of the 2 months before the pre period followed into it (the
-- usual course); *_post: children of the pre period followed into the window + post_days.
-- did = (t_post - t_pre) - (c_post - c_pre); 95 % interval: normal approximation with a
-- cluster-robust (posyandu) linearised standard error. Rows exist also where data are missing.
-- Suppression (issue 14): a side's rates and the difference are left empty (`suppressed`) where
-- that side has 1 to min_cell - 1 children in a window, as every other mart hides a rate over
-- fewer than min_cell. A suppressed kab/kota's rates cannot be derived from the all-targets row
-- and the others: each row weights its strata by its own targeted posyandu, and stratum rates
-- are not published.
CREATE OR REPLACE TABLE mart_intervensi_outcome AS
WITH metric (metric, metric_label, unit, scale, urutan, catatan) AS (VALUES
    ('remeasured', 'Diukur ulang', '%', 100, 1, NULL),
    ('weight_up', 'Berat badan naik (N/D)', '%', 100, 2, NULL),
    ('waz_change', 'Perubahan z-skor BB/U', 'z', 1, 3, NULL),
    ('whz_change', 'Perubahan z-skor BB/TB', 'z', 1, 4, NULL),
    ('new_stunting', 'Stunting baru ditemukan', '%', 100, 5, NULL),
    ('haz_change', 'Perubahan z-skor TB/U', 'z', 1, 6,
     ' hari tidak cukup untuk mengubah tinggi badan menurut umur; perubahan HAZ bukan hasil program')
),
levels AS (
    SELECT campaign_id, '35' AS kode, 'Semua wilayah sasaran' AS nama FROM ref_campaign
    UNION ALL
    SELECT campaign_id, kode_kabkota, nama FROM ref_campaign_kabkota
),
weights AS (  -- targeted matched posyandu per level and stratum
    SELECT campaign_id, kode, stratum, count(*) AS n_pos
    FROM (SELECT campaign_id, '35' AS kode, stratum FROM tmp_ivo_posyandu WHERE matched AND treated
          UNION ALL
          SELECT campaign_id, kode_kabkota, stratum FROM tmp_ivo_posyandu WHERE matched AND treated)
    GROUP BY ALL
),
strata AS (  -- strata usable for a metric: both groups have children in both transitions
    SELECT w.campaign_id, w.kode, t.metric, w.n_pos,
           t.r_pre AS rt_pre, t.r_post AS rt_post, c.r_pre AS rc_pre, c.r_post AS rc_post,
           t.q AS qt, c.q AS qc, t.n_clusters AS nt, c.n_clusters AS nc,
           t.x_pre AS xt_pre, t.x_post AS xt_post, c.x_pre AS xc_pre, c.x_post AS xc_post
    FROM weights AS w
    JOIN tmp_ivo_cell AS t
        ON t.campaign_id = w.campaign_id AND t.kode = w.kode AND t.stratum = w.stratum AND t.treated
    JOIN tmp_ivo_cell AS c
        ON c.campaign_id = w.campaign_id AND c.kode = '*' AND c.stratum = w.stratum
       AND NOT c.treated AND c.metric = t.metric
    WHERE t.x_pre > 0 AND t.x_post > 0 AND c.x_pre > 0 AND c.x_post > 0
),
est AS (
    SELECT campaign_id, kode, metric, count(*) AS n_strata,
           sum(nt) AS n_posyandu_t, sum(nc) AS n_posyandu_c,
           sum(xt_pre) AS n_t_pre, sum(xt_post) AS n_t_post,
           sum(xc_pre) AS n_c_pre, sum(xc_post) AS n_c_post,
           sum(n_pos * rt_pre) / sum(n_pos) AS t_pre, sum(n_pos * rt_post) / sum(n_pos) AS t_post,
           sum(n_pos * rc_pre) / sum(n_pos) AS c_pre, sum(n_pos * rc_post) / sum(n_pos) AS c_post,
           sum(n_pos * n_pos * qt) / power(sum(n_pos), 2) AS vt,
           sum(n_pos * n_pos * qc) / power(sum(n_pos), 2) AS vc
    FROM strata
    GROUP BY ALL
),
did AS (
    SELECT *, (t_post - t_pre) - (c_post - c_pre) AS did,
           least(n_t_pre, n_t_post) < getvariable('min_cell') AS small_t,
           least(n_c_pre, n_c_post) < getvariable('min_cell') AS small_c,
           least(n_t_pre, n_t_post, n_c_pre, n_c_post) < getvariable('min_cell') AS small,
           sqrt(vt * n_posyandu_t / nullif(n_posyandu_t - 1, 0)
                + vc * n_posyandu_c / nullif(n_posyandu_c - 1, 0)) AS se
    FROM est
)
SELECT l.campaign_id, l.kode, l.nama, m.metric, m.metric_label, m.unit,
       CAST(r.start_date - to_months(2 * r.pre_months) AS DATE) AS baseline_from,
       CAST(r.start_date - to_months(r.pre_months) AS DATE) AS pre_from,
       r.start_date - 1 AS pre_to, r.start_date AS post_from, r.end_date + r.post_days AS post_to,
       coalesce(d.n_strata, 0) AS n_strata,
       coalesce(d.n_posyandu_t, 0) AS n_posyandu_t, coalesce(d.n_posyandu_c, 0) AS n_posyandu_c,
       CAST(coalesce(d.n_t_pre, 0) AS INTEGER) AS n_t_pre, CAST(coalesce(d.n_t_post, 0) AS INTEGER) AS n_t_post,
       CAST(coalesce(d.n_c_pre, 0) AS INTEGER) AS n_c_pre, CAST(coalesce(d.n_c_post, 0) AS INTEGER) AS n_c_post,
       coalesce(d.small_t OR d.small_c, false) AS suppressed,
       -- round_stable: the means are sums of doubles, whose last bits differ with the order
       -- rows are summed in; a value at a half would round either way
       if(d.small_t, NULL, round_stable(m.scale * d.t_pre, 3)) AS t_pre,
       if(d.small_t, NULL, round_stable(m.scale * d.t_post, 3)) AS t_post,
       if(d.small_c, NULL, round_stable(m.scale * d.c_pre, 3)) AS c_pre,
       if(d.small_c, NULL, round_stable(m.scale * d.c_post, 3)) AS c_post,
       if(d.small_t, NULL, round_stable(m.scale * (d.t_post - d.t_pre), 3)) AS t_change,
       if(d.small_c, NULL, round_stable(m.scale * (d.c_post - d.c_pre), 3)) AS c_change,
       if(d.small, NULL, round_stable(m.scale * d.did, 3)) AS did,
       if(d.small, NULL, round_stable(m.scale * d.se, 3)) AS did_se,
       if(d.small, NULL, round_stable(m.scale * (d.did - 1.96 * d.se), 3)) AS did_lo95,
       if(d.small, NULL, round_stable(m.scale * (d.did + 1.96 * d.se), 3)) AS did_hi95,
       CASE WHEN m.catatan IS NOT NULL THEN r.n_days || m.catatan END AS catatan
FROM levels AS l
JOIN ref_campaign AS r USING (campaign_id)
CROSS JOIN metric AS m
LEFT JOIN did AS d ON d.campaign_id = l.campaign_id AND d.kode = l.kode AND d.metric = m.metric
ORDER BY l.campaign_id, l.kode, m.urutan;
