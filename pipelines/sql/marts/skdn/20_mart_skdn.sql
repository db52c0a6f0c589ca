-- reads: area_kode, area_level, mart_cakupan_pengukuran, over_min_cell, ref_wilayah, state_posyandu_nama, state_prevalensi_agregat, state_skdn_lokasi, tmp_kualitas_sasaran
-- grain: mart_skdn one row per level (provinsi, kabkota, kecamatan, desa, posyandu), unit kode
-- and month (period_type 'bulan', period 'YYYY-MM'): the SKDN growth-monitoring counts of
-- domain.md 1.6 and their ratios, rolled up from state_skdn_lokasi (each child once, in the area
-- of its weighing of the month). S is the best sasaran balita the data has there, named in
-- s_sumber: a posyandu its SPM record of KES01 "Balita ditimbang" ('spm_kes01'); the other
-- levels the denominator of mart_cakupan_pengukuran (decision D28: 'referensi' for the province
-- and kab/kota, 'pkk_dasawisma' for a desa and a fully reporting kecamatan); NULL without one.
-- K counts weighed children whose export row says they have a Buku KIA / KMS (NULL where no row
-- answers KIA), so K <= D and K/S is not a coverage of book holders. A unit whose children
-- mart_prevalensi hides (or that has no mart_prevalensi row) is suppressed: every count and
-- ratio NULL, S kept (it is a published denominator); a ratio whose own denominator is under
-- min_cell is NULL too (over_min_cell, the rule every mart shares).
CREATE OR REPLACE TEMP MACRO skdn_ratio(suppressed, part, whole) AS
    CASE WHEN NOT suppressed THEN over_min_cell(100.0 * part / whole, whole) END;

CREATE OR REPLACE TABLE mart_skdn AS
WITH coded AS (
    -- kab/kota and kecamatan codes are prefixes of the desa code (contracts 2.2); lokasi is
    -- posyandu_key ('<kode_desa>|NAME') or the bare desa code
    SELECT *, left(lokasi, 5) AS kode_kabkota, left(lokasi, 8) AS kode_kecamatan,
           split_part(lokasi, '|', 1) AS kode_desa,
           CASE WHEN contains(lokasi, '|') THEN lokasi END AS posyandu_key
    FROM state_skdn_lokasi
),
counts AS (
    SELECT
        bulan,
        area_level(grouping(kode_kabkota, kode_kecamatan, kode_desa), 'desa') AS level,
        area_kode(grouping(kode_kabkota, kode_kecamatan, kode_desa), kode_kabkota,
                  kode_kecamatan, kode_desa) AS kode,
        kode_kabkota, kode_kecamatan,
        sum(COLUMNS('^n_'))::BIGINT
    FROM coded
    GROUP BY GROUPING SETS ((bulan), (bulan, kode_kabkota), (bulan, kode_kabkota, kode_kecamatan),
                            (bulan, kode_kabkota, kode_kecamatan, kode_desa))
    UNION ALL BY NAME
    SELECT bulan, 'posyandu' AS level, posyandu_key AS kode, kode_kabkota, kode_kecamatan,
           COLUMNS('^n_')::BIGINT
    FROM coded
    WHERE posyandu_key IS NOT NULL
),
sasaran AS (
    SELECT c.*,
           CASE WHEN c.level = 'posyandu' THEN s.sasaran ELSE cp.sasaran_balita END AS n_s,
           CASE WHEN c.level = 'posyandu' THEN CASE WHEN s.sasaran IS NOT NULL THEN 'spm_kes01' END
                ELSE cp.coverage_source END AS s_sumber,
           CASE WHEN c.level = 'posyandu' THEN CASE WHEN s.sasaran IS NOT NULL
                                                    THEN strftime(c.bulan, '%Y-%m') END
                ELSE cp.sasaran_periode END AS s_periode,
           coalesce(a.sup_anak, true) AS suppressed
    FROM counts AS c
    LEFT JOIN tmp_kualitas_sasaran AS s
        ON c.level = 'posyandu' AND s.posyandu_key = c.kode AND s.bulan = c.bulan
    LEFT JOIN (SELECT level, kode, CAST(period || '-01' AS DATE) AS bulan, sasaran_balita,
                      coverage_source, sasaran_periode
               FROM mart_cakupan_pengukuran WHERE period_type = 'bulan') AS cp
        ON cp.level = c.level AND cp.kode = c.kode AND cp.bulan = c.bulan
    LEFT JOIN (SELECT level, kode, period_start, sup_anak
               FROM state_prevalensi_agregat WHERE period_type = 'bulan') AS a
        ON a.level = c.level AND a.kode = c.kode AND a.period_start = c.bulan
)
SELECT
    s.level, s.kode,
    CASE s.level WHEN 'provinsi' THEN 'Jawa Timur' WHEN 'posyandu' THEN pn.posyandu_nama
        ELSE w.nama END AS nama,
    s.kode_kabkota, s.kode_kecamatan,
    'bulan' AS period_type, strftime(s.bulan, '%Y-%m') AS period, s.bulan AS period_start,
    s.suppressed,
    CAST(s.n_s AS BIGINT) AS n_s, s.s_sumber, s.s_periode,
    CASE WHEN NOT s.suppressed THEN COLUMNS(lambda c: c IN (
        'n_k_diisi', 'n_d', 'n_n', 'n_t', 'n_o', 'n_b', 'n_2t', 'n_bgm',
        'n_naik_bb_banding', 'n_naik_bb_sama', 'n_naik_bb_kosong')) END,
    CASE WHEN NOT s.suppressed AND s.n_k_diisi = 0 THEN NULL
         WHEN NOT s.suppressed THEN s.n_k END AS n_k,
    CASE WHEN NOT s.suppressed AND s.n_s > 0 THEN 100.0 * s.n_d / s.n_s END AS pct_ds,
    CASE WHEN NOT s.suppressed AND s.n_s > 0 THEN 100.0 * s.n_d / s.n_s > 100 END AS ds_over_100,
    -- a ratio over fewer than min_cell weighings (its own denominator) is not shown, even where
    -- the unit's children are: D can be below the children measured (a measurement without a
    -- weight), and N+T or the export's own N/T answers below D
    skdn_ratio(s.suppressed, s.n_n, s.n_d) AS pct_nd,
    -- the stricter variant: O and B cannot gain, so N over the children whose gain was judged
    skdn_ratio(s.suppressed, s.n_n, s.n_n + s.n_t) AS pct_nd_dinilai,
    skdn_ratio(s.suppressed, s.n_t, s.n_d) AS pct_td,
    skdn_ratio(s.suppressed, s.n_2t, s.n_d) AS pct_2td,
    skdn_ratio(s.suppressed, s.n_bgm, s.n_d) AS pct_bgmd,
    skdn_ratio(s.suppressed, s.n_naik_bb_sama, s.n_naik_bb_banding) AS pct_naik_bb_sama
FROM sasaran AS s
LEFT JOIN ref_wilayah AS w ON w.kode = s.kode
LEFT JOIN state_posyandu_nama AS pn ON s.level = 'posyandu' AND pn.posyandu_key = s.kode;
