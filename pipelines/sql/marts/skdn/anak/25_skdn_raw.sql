-- grain: tmp_skdn_raw (temp) one row per raw export row behind a weighing of tmp_skdn_anak: its
-- sheet, the export's `No` and K (the export's KIA column says the child has a Buku KIA / KMS;
-- NULL where the row has no KIA answer: the column is optional).
-- A semi join: the raw rows (scope_skdn_raw, every row of the loads that staged these months,
-- tens of millions after a province build) are only scanned; the weighings are the hash table.
CREATE OR REPLACE TEMP TABLE tmp_skdn_raw AS
SELECT
    r.file_sha256, r.row_number, r.sheet, r.no,
    CASE WHEN nullif(trim(r.kia), '') IS NOT NULL
         THEN lower(trim(r.kia)) IN ('ya', 'y', 'ada', 'punya', 'yes', '1', 'true') END AS k
FROM scope_skdn_raw AS r
SEMI JOIN tmp_skdn_anak AS a ON a.file_sha256 = r.file_sha256 AND a.row_number = r.row_number;
