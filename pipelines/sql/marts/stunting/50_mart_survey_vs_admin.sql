-- reads: mart_prevalensi_kabkota, ref_kabkota
-- grain: mart_survey_vs_admin one row per kab/kota and administrative period (period_type,
-- period): the kab/kota's administrative (e-PPGBM) stunting prevalence beside the published
-- survey values SSGI 2022 and SSGI 2024 (ref_kabkota, from ../shared/reference/README.md), with
-- the ratio administrative / survey. The two sources are never ranked together: this mart has no
-- rank column on purpose (domain.md 6.3).
CREATE OR REPLACE TABLE mart_survey_vs_admin AS
SELECT
    m.kode_kabkota,
    m.nama,
    m.period_type,
    m.period,
    m.period_start,
    m.period_end,
    m.suppressed,
    m.n_haz AS admin_n_haz,
    m.pct_stunted AS admin_pct_stunted,
    m.pct_stunted_lo95 AS admin_pct_stunted_lo95,
    m.pct_stunted_hi95 AS admin_pct_stunted_hi95,
    k.stunting_ssgi_2022 AS ssgi_2022,
    k.stunting_ssgi_2024 AS ssgi_2024,
    m.pct_stunted / nullif(k.stunting_ssgi_2022, 0) AS ratio_ssgi_2022,
    m.pct_stunted / nullif(k.stunting_ssgi_2024, 0) AS ratio_ssgi_2024,
    'SSGI 2022: databoks 2023-02-14 / IDN Times (BKKBN Jatim); SSGI 2024: '
        || 'mohathoillah/nutrition-dashboard (Kemenkes), Kota Malang 22.7 per Dinkes Kota Malang'
        AS sumber_survei
FROM mart_prevalensi_kabkota AS m
LEFT JOIN ref_kabkota AS k ON k.kode = m.kode_kabkota
ORDER BY m.period_type, m.period_start, m.kode_kabkota;
