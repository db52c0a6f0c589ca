-- reads: mart_prevalensi, ref_kabkota, ref_wilayah, stg_pkk
-- grain: mart_cakupan_pengukuran one row per level (provinsi, kabkota, kecamatan, desa), unit
-- kode, period_type (bulan, bulan_timbang, tahun) and period of mart_prevalensi: measurement
-- coverage = children measured ÷ sasaran balita, from the best denominator the data has there.
-- Denominators (decision D28, docs/marts_stunting.md "mart_cakupan_pengukuran"):
--   kab/kota  'referensi': ref_kabkota.jumlah_balita_6_59bln_2024 × 60/54 (0-59 months
--             estimated from the 6-59 months count), the same figure for every period;
--   provinsi  'referensi': the sum of the 38 kab/kota figures (NULL if one is missing);
--   desa      'pkk_dasawisma': balita_l + balita_p of the desa's PKK recap of that month (a
--             year: its latest recap of the year, as mart_pkk); NULL without a recap;
--   kecamatan 'pkk_dasawisma': the sum over its desa, only when every desa of ref_wilayah in
--             the kecamatan has a balita count for the period (a partial sum would inflate it).
-- pct_coverage is NULL where the children count is suppressed (it would give the count back)
-- or there is no denominator; a ratio above 100 % is kept and flagged (coverage_over_100).
-- Rebuilt whole when mart_prevalensi or stg_pkk changes (small: no posyandu rows).
CREATE OR REPLACE TABLE mart_cakupan_pengukuran AS
WITH prev AS (
    SELECT level, kode, nama, kode_kabkota, period_type, period, n_children, suppressed_anak,
           CASE WHEN period_type = 'tahun' THEN 'tahun' ELSE 'bulan' END AS pkk_period_type
    FROM mart_prevalensi
    WHERE level IN ('provinsi', 'kabkota', 'kecamatan', 'desa')
),
ref_kab AS (  -- balita 0-59 months estimated from the published 6-59 months count
    SELECT kode, CAST(round(jumlah_balita_6_59bln_2024 * 60.0 / 54) AS BIGINT) AS sasaran
    FROM ref_kabkota
    WHERE jumlah_balita_6_59bln_2024 IS NOT NULL
),
ref_level AS (
    SELECT 'kabkota' AS level, kode, sasaran FROM ref_kab
    UNION ALL
    SELECT 'provinsi', '35', sum(sasaran) FROM ref_kab
    HAVING count(*) = (SELECT count(*) FROM ref_wilayah WHERE tingkat = 'kabkota')
),
pkk_desa AS (  -- a desa's balita per recap month; a year takes its latest recap of the year
    SELECT kode_kecamatan, kode_desa, 'bulan' AS period_type, strftime(bulan, '%Y-%m') AS period,
           bulan, balita_l + balita_p AS balita
    FROM stg_pkk
    UNION ALL
    SELECT kode_kecamatan, kode_desa, 'tahun', CAST(year(bulan) AS VARCHAR), bulan,
           balita_l + balita_p
    FROM stg_pkk
    QUALIFY row_number() OVER (PARTITION BY kode_desa, year(bulan) ORDER BY bulan DESC) = 1
),
desa_ref AS (
    SELECT kode_induk AS kode_kecamatan, count(*) AS n_desa
    FROM ref_wilayah WHERE tingkat = 'desa_kelurahan' GROUP BY kode_induk
),
pkk_kec AS (
    SELECT kode_kecamatan AS kode, period_type, period, sum(balita) AS balita,
           count(balita) AS n_desa_pkk, max(bulan) FILTER (WHERE balita IS NOT NULL) AS bulan
    FROM pkk_desa GROUP BY ALL
),
pkk_level AS (
    SELECT 'desa' AS level, kode_desa AS kode, period_type, period, balita,
           CAST(balita IS NOT NULL AS BIGINT) AS n_desa_pkk, 1 AS n_desa, bulan
    FROM pkk_desa
    UNION ALL
    SELECT 'kecamatan', k.kode, k.period_type, k.period,
           CASE WHEN k.n_desa_pkk = d.n_desa THEN k.balita END, k.n_desa_pkk, d.n_desa, k.bulan
    FROM pkk_kec AS k
    JOIN desa_ref AS d ON d.kode_kecamatan = k.kode
),
joined AS (
    SELECT p.*,
           coalesce(r.sasaran, k.balita) AS sasaran_balita,
           CASE WHEN r.sasaran IS NOT NULL THEN 'referensi'
                WHEN k.balita IS NOT NULL THEN 'pkk_dasawisma' END AS coverage_source,
           CASE WHEN r.sasaran IS NOT NULL THEN '2024'
                WHEN k.balita IS NOT NULL THEN strftime(k.bulan, '%Y-%m') END AS sasaran_periode,
           CASE WHEN p.level = 'desa' THEN coalesce(k.n_desa_pkk, 0)
                WHEN p.level = 'kecamatan' THEN coalesce(k.n_desa_pkk, 0) END AS n_desa_pkk,
           CASE WHEN p.level = 'desa' THEN 1
                WHEN p.level = 'kecamatan' THEN dr.n_desa END AS n_desa
    FROM prev AS p
    LEFT JOIN ref_level AS r ON r.level = p.level AND r.kode = p.kode
    LEFT JOIN pkk_level AS k
        ON k.level = p.level AND k.kode = p.kode AND k.period_type = p.pkk_period_type
       AND k.period = p.period
    LEFT JOIN desa_ref AS dr ON p.level = 'kecamatan' AND dr.kode_kecamatan = p.kode
)
SELECT level, kode, nama, kode_kabkota, period_type, period, n_children, suppressed_anak,
       CAST(sasaran_balita AS BIGINT) AS sasaran_balita, sasaran_periode, coverage_source,
       CAST(n_desa_pkk AS BIGINT) AS n_desa_pkk, CAST(n_desa AS BIGINT) AS n_desa,
       CASE WHEN sasaran_balita > 0 THEN 100.0 * n_children / sasaran_balita END AS pct_coverage,
       CASE WHEN sasaran_balita > 0 AND n_children IS NOT NULL
            THEN 100.0 * n_children / sasaran_balita > 100 END AS coverage_over_100
FROM joined;
