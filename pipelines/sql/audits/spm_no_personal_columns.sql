-- Personal columns (household head, NIK, kader, address) must never reach the PKK/SPM tables.
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_name IN ('raw_pkk', 'raw_spm', 'stg_pkk', 'stg_spm', 'mart_pkk', 'mart_spm_coverage',
                     'mart_spm_field', 'mart_spm_completeness', 'mart_spm_pkk_flags',
                     'mart_stunting_spm_pkk')
  AND column_name IN ('nama_krt', 'nik', 'nama_kader', 'alamat')
