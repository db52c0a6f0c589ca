-- audit: one row per grain in every stunting mart. Zero rows expected.
SELECT 'mart_prevalensi' AS mart, level || ' ' || kode || ' ' || period_type || ' ' || period AS k
FROM mart_prevalensi GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'mart_survey_vs_admin', kode_kabkota || ' ' || period_type || ' ' || period
FROM mart_survey_vs_admin GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'mart_target_list', reference || ' ' || kode_kabkota
FROM mart_target_list GROUP BY ALL HAVING count(*) > 1
