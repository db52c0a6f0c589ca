-- Served <= target unless the data says otherwise, and then it is flagged, not hidden: staged
-- records with dilayani > sasaran missing from mart_spm_pkk_flags, and coverage rows whose
-- over-target flag or count disagrees with the records under them.
SELECT 'unflagged record' AS problem, s.posyandu_key AS kode, strftime(s.bulan, '%Y-%m') AS period,
       s.kode_indikator
FROM stg_spm AS s
LEFT JOIN mart_spm_pkk_flags AS f
    ON f.source = 'spm' AND f.flag = 'over_target' AND f.file_sha256 = s.file_sha256
    AND f.row_number = s.row_number
WHERE s.dilayani > s.sasaran AND f.file_sha256 IS NULL
UNION ALL
SELECT 'coverage flag', c.kode, c.period, c.kode_indikator
FROM mart_spm_coverage AS c
WHERE c.over_target IS DISTINCT FROM (c.dilayani > c.sasaran)
   OR (c.level = 'posyandu' AND c.period_type = 'bulan' AND c.n_over_target <> CAST(c.over_target AS INTEGER))
UNION ALL
SELECT 'provincial count', c.kode, c.period, c.kode_indikator
FROM mart_spm_coverage AS c
WHERE c.level = 'provinsi' AND c.period_type = 'bulan'
  AND c.n_over_target <> (SELECT count(*) FROM stg_spm AS s
                          WHERE strftime(s.bulan, '%Y-%m') = c.period
                            AND s.kode_indikator = c.kode_indikator AND s.dilayani > s.sasaran)
