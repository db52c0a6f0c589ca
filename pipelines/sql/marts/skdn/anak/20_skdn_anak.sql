-- grain: tmp_skdn_anak (temp) one row per child weighed in a month being recomputed
-- (tmp_skdn_bulan): its SKDN status (domain.md 1.6) and what the follow-up list shows.
--   N / T  weighed in the previous calendar month too: N when the gain, in whole grams, is at
--          least the KBM of the child's completed months of age at this weighing (ref_kbm,
--          Buku KIA), T when it is below (flat, down, or under KBM);
--   B      no weighing in any earlier month (tmp_skdn_pertama: the first month the child was
--          weighed in the stored data, so every child is B in the first month loaded);
--   O      weighed before, but not in the previous calendar month (the gain cannot be judged);
--   2T     T this month and T the month before (which needs weighings in the two months
--          before: scope_skdn holds them); BGM as a flag (K, from the raw row of the
--          weighing, is joined on in 25_skdn_raw.sql).
-- D = N + T + O + B by construction.

-- Each weighing with the previous calendar month's (N/T needs both) and the KBM of its age: a
-- statement of its own, as with every join below in one query DuckDB pinned all their hash
-- tables at once and ran out of memory on a month of the province (2.2 million weighings).
CREATE OR REPLACE TEMP TABLE tmp_skdn_nilai AS
SELECT
    c.*,
    p.weight_kg AS berat_lalu_kg,
    CAST(round((c.weight_kg - p.weight_kg) * 1000) AS INTEGER) AS naik_g,
    k.kbm_gram AS kbm_g,
    CASE WHEN p.child_key IS NULL THEN NULL
         WHEN round((c.weight_kg - p.weight_kg) * 1000) >= k.kbm_gram THEN 'N'
         ELSE 'T' END AS nt
FROM tmp_skdn_timbang AS c
LEFT JOIN tmp_skdn_timbang AS p
    ON p.child_key = c.child_key AND p.bulan = (c.bulan - INTERVAL 1 MONTH)::DATE
LEFT JOIN ref_kbm AS k ON k.umur_bulan = c.age_months;

CREATE OR REPLACE TEMP TABLE tmp_skdn_anak AS
SELECT
    n.child_key, n.bulan, n.lokasi, n.file_sha256, n.row_number, n.measurement_date,
    n.age_months, n.weight_kg, n.berat_lalu_kg, l.berat_lalu_kg AS berat_lalu_2_kg,
    n.naik_g, n.kbm_g, l.naik_g AS naik_lalu_g, l.kbm_g AS kbm_lalu_g,
    coalesce(n.nt, CASE WHEN f.bulan_pertama = n.bulan THEN 'B' ELSE 'O' END) AS status,
    coalesce(n.nt = 'T' AND l.nt = 'T', false) AS t2,
    n.bgm,
    n.naik_bb
FROM tmp_skdn_nilai AS n
LEFT JOIN tmp_skdn_nilai AS l
    ON l.child_key = n.child_key AND l.bulan = (n.bulan - INTERVAL 1 MONTH)::DATE
LEFT JOIN tmp_skdn_pertama AS f ON f.child_key = n.child_key
WHERE n.bulan IN (SELECT bulan FROM tmp_skdn_bulan);
