-- audit: every staged intervention value comes from a raw row of a loaded file
SELECT s.file_sha256, s.row_number
FROM stg_intervensi AS s
LEFT JOIN raw_intervensi AS r USING (file_sha256, row_number)
LEFT JOIN load_files AS f USING (file_sha256)
WHERE r.row_number IS NULL OR f.file_sha256 IS NULL
