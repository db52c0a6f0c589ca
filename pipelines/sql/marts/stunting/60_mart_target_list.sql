-- reads: mart_prevalensi_kabkota, ref_kabkota
-- grain: mart_target_list one row per reference ('ssgi_2024', 'admin') and kab/kota: the value on
-- that reference, the provincial value it is compared with, whether it is above (strictly), and
-- its rank within that reference (1 = highest; survey and administrative never ranked together).
--   ssgi_2024: ref_kabkota.stunting_ssgi_2024 vs config `ssgi_2024_provincial` (14.7), compared
--              at the published precision of 1 decimal: exactly 19 kab/kota are above.
--   admin:     mart_prevalensi_kabkota in the latest bulan timbang period (else the latest year)
--              vs the provincial value of that period (`arah` = 'di atas'), with its exact
--              class against the province (`signif`) and the class against the
--              over-dispersion-adjusted limits (`signif_adj`); NULL for the survey rows, which
--              have no sample sizes here.
-- `selected` marks the reference chosen in config `target_list.reference`; the intervention
-- configuration reads the rows WHERE selected AND above.
CREATE OR REPLACE TABLE mart_target_list AS
WITH admin_period AS (
    SELECT period_type, period_start
    FROM mart_prevalensi_kabkota
    WHERE period_type IN ('bulan_timbang', 'tahun')
    ORDER BY period_type = 'bulan_timbang' DESC, period_start DESC
    LIMIT 1
),
candidates AS (
    SELECT
        'ssgi_2024' AS reference,
        kode AS kode_kabkota,
        nama,
        CAST(NULL AS VARCHAR) AS period_type,
        CAST(NULL AS VARCHAR) AS period,
        stunting_ssgi_2024 AS value,
        getvariable('ssgi_2024_provincial')::DOUBLE AS provincial_value,
        round(stunting_ssgi_2024, 1) > round(getvariable('ssgi_2024_provincial'), 1) AS above,
        CAST(NULL AS VARCHAR) AS signif,
        CAST(NULL AS VARCHAR) AS signif_adj
    FROM ref_kabkota
    UNION ALL
    SELECT
        'admin', m.kode_kabkota, m.nama, m.period_type, m.period,
        m.pct_stunted, m.prov_pct_stunted,
        CASE WHEN m.pct_stunted IS NOT NULL THEN m.arah = 'di atas' END,
        m.signif, m.signif_adj
    FROM mart_prevalensi_kabkota AS m
    JOIN admin_period USING (period_type, period_start)
)
SELECT
    kode_kabkota,
    nama,
    reference,
    period_type,
    period,
    value,
    provincial_value,
    above,
    signif,
    signif_adj,
    CASE WHEN value IS NOT NULL
         THEN rank() OVER (PARTITION BY reference ORDER BY value DESC NULLS LAST) END AS rank,
    reference = CASE WHEN getvariable('target_reference') IN ('ssgi_2024', 'admin')
                     THEN getvariable('target_reference')
                     ELSE error('config target_list.reference must be "ssgi_2024" or "admin"') END
        AS selected
FROM candidates
ORDER BY reference, rank NULLS LAST, kode_kabkota;
