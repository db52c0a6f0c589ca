-- Staged SPM records whose indicator is not in the catalogue under the same field.
SELECT s.file_sha256, s.row_number, s.bidang, s.kode_indikator
FROM stg_spm AS s
LEFT JOIN ref_spm_indikator AS r ON r.kode = s.kode_indikator AND r.bidang = s.bidang
WHERE r.kode IS NULL
