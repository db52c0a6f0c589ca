-- reads: mart_pkk, mart_pkk_indikator, mart_spm_field, spm_stunting_source
-- grain: one row per level (kabkota, kecamatan), unit kode, period (bulan 'YYYY-MM' | tahun
-- 'YYYY') and indicator (an SPM field from mart_spm_field or a PKK indicator from mart_pkk), with
-- the unit's stunting prevalence for the same period beside it (NULL where none was measured).
-- SPM values are posyandu service coverage (served ÷ posyandu sasaran), not official SPM achievement.
CREATE OR REPLACE TABLE mart_stunting_spm_pkk AS
WITH spm AS (
    SELECT level, kode, nama, kode_kabkota, period_type, period,
           'spm' AS sumber, bidang AS kode_indikator,
           'Cakupan layanan posyandu: ' || bidang AS label_id,
           'Posyandu service coverage: ' || bidang AS label_en,
           bidang AS bidang_spm, CAST(NULL AS VARCHAR) AS risk_factor, 'higher_better' AS direction,
           '% sasaran' AS satuan, dilayani AS numerator, sasaran AS denominator,
           pct_coverage_pooled AS value
    FROM mart_spm_field
    WHERE level IN ('kabkota', 'kecamatan')
),
pkk AS (
    SELECT p.level, p.kode, p.nama, p.kode_kabkota, p.period_type, p.period,
           'pkk' AS sumber, p.kode_indikator, i.label_id, i.label_en,
           i.bidang_spm, i.risk_factor, i.direction, i.satuan,
           p.numerator, p.denominator, p.value
    FROM mart_pkk AS p
    JOIN mart_pkk_indikator AS i ON i.kode = p.kode_indikator
    WHERE p.level IN ('kabkota', 'kecamatan')
)
SELECT x.*, s.n_haz, s.n_stunted, s.pct_stunted, s.suppressed
FROM (SELECT * FROM spm UNION ALL SELECT * FROM pkk) AS x
LEFT JOIN spm_stunting_source AS s
    ON s.level = x.level AND s.kode = x.kode AND s.period_type = x.period_type AND s.period = x.period;
