-- audit: the person who filled a report (Pelapor) is never written to the warehouse
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_catalog = current_database()
  AND (table_name LIKE '%intervensi%' OR table_name LIKE 'ref_campaign%')
  AND column_name IN ('pelapor', 'nama_pelapor', 'petugas')
