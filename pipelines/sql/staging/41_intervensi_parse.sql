-- grain: int_cells (temp) one row per activity cell with a value of the reports being loaded;
-- int_parsed (temp) one row per data row (an area and a day): typed date, wilayah codes, the
-- first bad activity cell, and the first reject reason that applies (NULL = to be staged).
-- Input: src_norm (a batch of files, with each row's file_seq, row_key, file and extraction_date),
-- wil_resolved (kab/kota and kecamatan only), int_activity(activity, label, ord). Variables: today.
CREATE OR REPLACE TEMP TABLE int_cells AS
SELECT u.row_key, u.activity, a.label, a.ord, trim(u.cell) AS cell,
       parse_count(u.cell) AS n, bad_count(u.cell) AS bad
FROM (
    UNPIVOT (SELECT row_key, remeasured, confirmed, referred, pmt_days, home_visits,
                    kader_trained, kelas_ibu_balita FROM src_norm)
    ON remeasured, confirmed, referred, pmt_days, home_visits, kader_trained, kelas_ibu_balita
    INTO NAME activity VALUE cell
) AS u
JOIN int_activity AS a USING (activity)
WHERE NOT is_blank(u.cell);

CREATE OR REPLACE TEMP TABLE int_parsed AS
WITH cells AS (
    SELECT row_key,
           count(*) AS n_values,
           arg_min(label, ord) FILTER (WHERE bad) AS bad_label,
           arg_min(cell, ord) FILTER (WHERE bad) AS bad_cell
    FROM int_cells
    GROUP BY row_key
),
typed AS (
    SELECT
        s.row_key, s.file_seq, s.file_sha256, s.file_name, s.row_number, s.extraction_date,
        s.tanggal, s.kab_kota, s.kec,
        parse_date(s.tanggal) AS tanggal_date,
        w.kab_n, w.kode_kabkota,
        CASE WHEN NOT is_blank(s.kec) THEN w.kode_kecamatan END AS kode_kecamatan,
        coalesce(c.n_values, 0) AS n_values, c.bad_label, c.bad_cell
    FROM src_norm AS s
    JOIN wil_resolved AS w USING (row_key)
    LEFT JOIN cells AS c USING (row_key)
)
SELECT
    t.*,
    CASE
        WHEN t.tanggal_date IS NULL THEN 'tanggal'
        WHEN t.tanggal_date > coalesce(t.extraction_date, getvariable('today')) THEN 'future_date'
        WHEN t.kode_kabkota IS NULL THEN 'kabkota'
        WHEN NOT is_blank(t.kec) AND t.kode_kecamatan IS NULL THEN 'kecamatan'
        WHEN t.bad_label IS NOT NULL THEN 'bad_number'
        WHEN t.n_values = 0 THEN 'no_value'
    END AS reason
FROM typed AS t;

-- Duplicates: the same area (kab/kota, or kecamatan) and day as a report already staged (an
-- earlier load) or an earlier row of this batch (an earlier file, or this file); the first report
-- wins. A whole-kab/kota row and kecamatan rows of the same day are different areas and are all
-- counted.
CREATE OR REPLACE TEMP TABLE int_duplicates AS
WITH ranked AS (
    SELECT row_key, file_seq, tanggal_date, kode_kabkota, kode_kecamatan,
           first_value(file_seq) OVER w AS first_seq,
           first_value(file_name) OVER w AS first_file,
           first_value(row_number) OVER w AS first_row,
           row_number() OVER w AS nth
    FROM int_parsed
    WHERE reason IS NULL
    WINDOW w AS (PARTITION BY tanggal_date, kode_kabkota, coalesce(kode_kecamatan, '') ORDER BY row_key)
),
staged AS (
    SELECT tanggal, kode_kabkota, kode_kecamatan,
           any_value(file_sha256) AS file_sha256, min(row_number) AS row_number
    FROM stg_intervensi
    GROUP BY ALL
)
SELECT r.row_key,
       duplicate_message('same area and day', f.file_name, s.row_number, r.first_file,
                         r.first_row, r.first_seq = r.file_seq) || '; the first report wins' AS message
FROM ranked AS r
LEFT JOIN staged AS s
    ON s.tanggal = r.tanggal_date AND s.kode_kabkota = r.kode_kabkota
   AND s.kode_kecamatan IS NOT DISTINCT FROM r.kode_kecamatan
LEFT JOIN load_files AS f ON f.file_sha256 = s.file_sha256
WHERE r.nth > 1 OR s.file_sha256 IS NOT NULL;

UPDATE int_parsed SET reason = 'duplicate'
WHERE row_key IN (SELECT row_key FROM int_duplicates);
