-- Staged records that occur more than once: one SPM record per posyandu, month and indicator;
-- one PKK recap per desa and month.
SELECT 'stg_spm' AS tbl, posyandu_key || ' ' || bulan || ' ' || kode_indikator AS record, count(*) AS n
FROM stg_spm GROUP BY posyandu_key, bulan, kode_indikator HAVING count(*) > 1
UNION ALL
SELECT 'stg_pkk', kode_desa || ' ' || bulan, count(*)
FROM stg_pkk GROUP BY kode_desa, bulan HAVING count(*) > 1
