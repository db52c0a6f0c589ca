-- audit: the SKDN marts carry no personal column: no name, NIK, birth date, address or child
-- key (the 2T list names a file and a row, never a child). Zero rows expected.
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_catalog = current_database()
  AND table_name IN ('mart_skdn', 'mart_skdn_2t', 'state_skdn_lokasi')
  AND regexp_matches(column_name, '(^|_)(nik|nama_anak|nama_balita|nama_ortu|nama_ibu|alamat|child_key|birth_date|tgl_lahir|no_kk)($|_)')
