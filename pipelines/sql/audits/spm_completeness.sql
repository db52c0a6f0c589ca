-- mart_spm_completeness marks exactly the posyandu-months that have staged SPM records.
SELECT c.posyandu_key, c.period
FROM mart_spm_completeness AS c
LEFT JOIN (SELECT DISTINCT posyandu_key, bulan FROM stg_spm) AS s USING (posyandu_key, bulan)
WHERE c.reported <> (s.posyandu_key IS NOT NULL)
UNION ALL
SELECT s.posyandu_key, strftime(s.bulan, '%Y-%m')
FROM (SELECT DISTINCT posyandu_key, bulan FROM stg_spm) AS s
LEFT JOIN mart_spm_completeness AS c USING (posyandu_key, bulan)
WHERE c.posyandu_key IS NULL
