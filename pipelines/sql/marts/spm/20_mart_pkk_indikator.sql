-- reads: ref_pkk_indikator
-- grain: one row per PKK indicator: how it is computed from stg_pkk (numerator and denominator
-- columns, summed where joined by '+'), its labels, and the SPM field and stunting risk factor
-- it measures (domain.md 4.4). Kept as data: pipelines/reference/pkk_indikator.csv.
CREATE OR REPLACE TABLE mart_pkk_indikator AS
SELECT kode, urutan, numerator, denominator, satuan, label_id, label_en, pokja, bidang_spm,
       kaitan_spm, faktor_risiko, risk_factor, direction, source
FROM ref_pkk_indikator
ORDER BY urutan;
