-- grain: tmp_skdn_timbang (temp) one row per child and month of the months read (the builder's
-- view scope_skdn holds the staged rows of the months being recomputed and of the two months
-- before each): the child's weighing of the month, the latest staged measurement of a balita
-- (0-59 completed months) with a weight, ordered by measurement date, load time, file and row as
-- the stunting child step orders them. Several weighings in a month count once (SKDN counts
-- children); a flagged weight still counts as weighed (D), its BB/U z-score is not used for BGM.
CREATE OR REPLACE TEMP TABLE tmp_skdn_timbang AS
SELECT
    child_key,
    date_trunc('month', measurement_date)::DATE AS bulan,
    measurement_date,
    age_months,
    weight_kg,
    -- BGM: below the red line of the KMS, WAZ < -3 (domain.md 1.6) from tumbuh's own z-score
    coalesce(fwei = 0 AND NOT isnan(zwei) AND zwei < -3, false) AS bgm,
    naik_bb,
    coalesce(posyandu_key, kode_desa) AS lokasi,
    file_sha256,
    row_number
FROM scope_skdn
WHERE age_months < 60 AND weight_kg IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY child_key, date_trunc('month', measurement_date)
    ORDER BY measurement_date DESC, loaded_at DESC, file_sha256 DESC, row_number DESC) = 1;
