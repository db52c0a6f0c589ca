-- PKK and SPM loads whose row accounting does not hold: rows read = staged + rejected, each
-- count matches what is in raw, staging and rejects for that file, and no staged row lacks its file.
WITH f AS (
    SELECT l.file_sha256, l.source, l.file_name, l.rows_read, l.rows_staged, l.rows_rejected,
           (SELECT count(*) FROM raw_pkk AS r WHERE r.file_sha256 = l.file_sha256)
         + (SELECT count(*) FROM raw_spm AS r WHERE r.file_sha256 = l.file_sha256) AS n_raw,
           (SELECT count(*) FROM stg_pkk AS s WHERE s.file_sha256 = l.file_sha256)
         + (SELECT count(*) FROM stg_spm AS s WHERE s.file_sha256 = l.file_sha256) AS n_staged,
           (SELECT count(*) FROM rejects AS j WHERE j.file_sha256 = l.file_sha256) AS n_rejected
    FROM load_files AS l
    WHERE l.source IN ('pkk', 'spm')
)
SELECT *
FROM f
WHERE rows_read <> rows_staged + rows_rejected
   OR n_raw <> rows_read OR n_staged <> rows_staged OR n_rejected <> rows_rejected
UNION ALL
SELECT o.file_sha256, o.source, NULL, NULL, NULL, NULL, NULL, o.n, NULL
FROM (SELECT file_sha256, 'pkk' AS source, count(*) AS n FROM stg_pkk GROUP BY ALL
      UNION ALL
      SELECT file_sha256, 'spm', count(*) FROM stg_spm GROUP BY ALL) AS o
WHERE o.file_sha256 NOT IN (SELECT file_sha256 FROM load_files WHERE source = o.source)
