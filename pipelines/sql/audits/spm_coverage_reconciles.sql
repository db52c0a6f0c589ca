-- Every level of mart_spm_coverage sums to the staged records, and mart_spm_field pools exactly
-- the indicator rows of its unit and field.
WITH stg AS (
    SELECT strftime(bulan, '%Y-%m') AS period, kode_indikator,
           sum(sasaran) AS sasaran, sum(dilayani) AS dilayani, count(*) AS n
    FROM stg_spm GROUP BY ALL
),
levels AS (
    SELECT level, period, kode_indikator, sum(sasaran) AS sasaran, sum(dilayani) AS dilayani,
           sum(n_posyandu_reporting) AS n
    FROM mart_spm_coverage WHERE period_type = 'bulan' GROUP BY ALL
),
field_vs_indicators AS (
    SELECT f.level, f.kode, f.period_type, f.period, f.bidang, f.sasaran, f.dilayani,
           sum(c.sasaran) AS c_sasaran, sum(c.dilayani) AS c_dilayani
    FROM mart_spm_field AS f
    JOIN mart_spm_coverage AS c USING (level, kode, period_type, period, bidang)
    GROUP BY ALL
)
SELECT 'level ' || l.level AS problem, l.period, l.kode_indikator
FROM levels AS l
LEFT JOIN stg AS s USING (period, kode_indikator)
WHERE s.sasaran IS DISTINCT FROM l.sasaran OR s.dilayani IS DISTINCT FROM l.dilayani
   OR s.n IS DISTINCT FROM l.n
UNION ALL
SELECT 'field ' || level || ' ' || kode, period, bidang
FROM field_vs_indicators
WHERE sasaran <> c_sasaran OR dilayani <> c_dilayani
