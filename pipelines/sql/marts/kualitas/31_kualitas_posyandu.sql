-- reads: area_kode, state_prevalensi_agregat, tmp_kualitas_sasaran
-- grain: tmp_kualitas_posyandu (temp) one row per unit kode (provinsi '35', kab/kota,
-- kecamatan, posyandu), period_type (bulan, tahun) and period_start: posyandu-months reported,
-- D and S for D/S, posyandu known to the unit and the months of the reporting window.
-- D (children weighed) per posyandu-month comes from state_prevalensi_agregat (stunting domain,
-- same build): children whose measurement of the month there has a weight. S is the KES01
-- sasaran of tmp_kualitas_sasaran, where the SPM data has one.
CREATE OR REPLACE TEMP TABLE tmp_kualitas_posyandu AS
WITH pos_bulan AS (
    SELECT a.kode AS posyandu_key, a.kode_kabkota, a.kode_kecamatan, a.period_start AS bulan,
           a.n_weighed AS d, s.sasaran AS s
    FROM state_prevalensi_agregat AS a
    LEFT JOIN tmp_kualitas_sasaran AS s ON s.posyandu_key = a.kode AND s.bulan = a.period_start
    WHERE a.level = 'posyandu' AND a.period_type = 'bulan'
),
pos_rollup AS (
    SELECT
        CASE WHEN bulan IS NOT NULL THEN 'bulan' ELSE 'tahun' END AS period_type,
        coalesce(bulan, date_trunc('year', tahun)::DATE) AS period_start,
        area_kode(grouping(kode_kabkota, kode_kecamatan, posyandu_key), kode_kabkota,
                  kode_kecamatan, posyandu_key) AS kode,
        count(*) AS n_posyandu_bulan,                 -- posyandu-months with data
        sum(d) FILTER (WHERE s IS NOT NULL) AS n_d_with_s,
        sum(s) AS n_s
    FROM (SELECT *, date_trunc('year', bulan)::DATE AS tahun FROM pos_bulan)
    GROUP BY GROUPING SETS (
        (bulan), (bulan, kode_kabkota), (bulan, kode_kabkota, kode_kecamatan),
        (bulan, kode_kabkota, kode_kecamatan, posyandu_key),
        (tahun), (tahun, kode_kabkota), (tahun, kode_kabkota, kode_kecamatan),
        (tahun, kode_kabkota, kode_kecamatan, posyandu_key)
    )
),
-- posyandu known to a unit: every posyandu that ever reported in it (no register exists)
known AS (
    SELECT
        area_kode(grouping(kode_kabkota, kode_kecamatan, posyandu_key), kode_kabkota,
                  kode_kecamatan, posyandu_key) AS kode,
        count(DISTINCT posyandu_key) AS n_posyandu_known
    FROM pos_bulan
    GROUP BY GROUPING SETS ((), (kode_kabkota), (kode_kabkota, kode_kecamatan),
                            (kode_kabkota, kode_kecamatan, posyandu_key))
),
-- reporting window: every month from the first to the last month with data
window_months AS (
    SELECT unnest(generate_series(min(bulan), max(bulan), INTERVAL 1 MONTH))::DATE AS bulan
    FROM pos_bulan
),
window_per_period AS (
    SELECT 'bulan' AS period_type, bulan AS period_start, 1 AS n_months FROM window_months
    UNION ALL
    SELECT 'tahun', date_trunc('year', bulan)::DATE, count(*) FROM window_months GROUP BY 2
)
SELECT
    p.kode, p.period_type, p.period_start,
    p.n_posyandu_bulan, p.n_d_with_s::BIGINT AS n_d_with_s, p.n_s::BIGINT AS n_s,
    k.n_posyandu_known, w.n_months
FROM pos_rollup AS p
LEFT JOIN known AS k USING (kode)
LEFT JOIN window_per_period AS w USING (period_type, period_start);
