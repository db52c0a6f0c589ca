-- The stg_pengukuran read here is the view the loader scopes to the months of this batch's
-- parsed rows (a duplicate has the same measurement date, so the same month).
-- Duplicates: the same child and measurement date as a row already staged (an earlier load), or
-- as an earlier row of this batch (an earlier file, or this file). Only rows that passed every
-- other check compete; row_key orders the batch by file, then row.
CREATE OR REPLACE TEMP TABLE pos_duplicates AS
WITH ranked AS (
    SELECT row_key, file_seq, child_key, measurement_date,
           first_value(file_seq) OVER w AS first_seq,
           first_value(file_name) OVER w AS first_file,
           first_value(row_number) OVER w AS first_row,
           row_number() OVER w AS nth
    FROM pos_parsed
    WHERE reason IS NULL
    WINDOW w AS (PARTITION BY child_key, measurement_date ORDER BY row_key)
)
SELECT r.row_key,
       duplicate_message('same child and measurement date', f.file_name, s.row_number,
                         r.first_file, r.first_row, r.first_seq = r.file_seq) AS message
FROM ranked AS r
LEFT JOIN stg_pengukuran AS s
    ON s.child_key = r.child_key AND s.measurement_date = r.measurement_date
LEFT JOIN load_files AS f ON f.file_sha256 = s.file_sha256
WHERE r.nth > 1 OR s.file_sha256 IS NOT NULL;

UPDATE pos_parsed SET reason = 'duplicate'
WHERE row_key IN (SELECT row_key FROM pos_duplicates);
