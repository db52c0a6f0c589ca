-- reads: area_kode, area_level, ref_wilayah, tmp_prevalensi_lokasi
-- grain: tmp_prevalensi_agregat (temp) one row per level (provinsi, kabkota, kecamatan, desa,
-- posyandu), unit kode, period_type (bulan, bulan_timbang, tahun) and period_start: the counts
-- before suppression. Every kab/kota of ref_wilayah has a row in every period that has data
-- (zero counts where it has no children). Bulan timbang periods are the months listed in config
-- `bulan_timbang`, with the same children as that month. Only the periods being recomputed are
-- here (the runner's tmp_prevalensi_lokasi): every level is rolled up from the per-area counts.
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_agregat AS
WITH per_lokasi AS (
    SELECT * FROM tmp_prevalensi_lokasi
),
coded AS (
    -- kab/kota and kecamatan codes are prefixes of the desa code (contracts 2.2: 35.09.01.2001);
    -- lokasi is posyandu_key ('<kode_desa>|NAME') or the bare desa code
    SELECT
        *,
        left(lokasi, 5) AS kode_kabkota,
        left(lokasi, 8) AS kode_kecamatan,
        split_part(lokasi, '|', 1) AS kode_desa,
        CASE WHEN contains(lokasi, '|') THEN lokasi END AS posyandu_key
    FROM per_lokasi
),
counts AS (
    SELECT
        period_type, period_start,
        area_level(grouping(kode_kabkota, kode_kecamatan, kode_desa), 'desa') AS level,
        area_kode(grouping(kode_kabkota, kode_kecamatan, kode_desa), kode_kabkota,
                  kode_kecamatan, kode_desa) AS kode,
        -- the peer group for ranks: the parent unit (all 38 kab/kota share '35')
        CASE grouping(kode_kabkota, kode_kecamatan, kode_desa)
            WHEN 7 THEN NULL WHEN 3 THEN '35' WHEN 1 THEN kode_kabkota
            ELSE kode_kecamatan END AS kode_induk,
        kode_kabkota, kode_kecamatan, kode_desa,
        sum(COLUMNS('^n_'))::BIGINT
    FROM coded
    GROUP BY GROUPING SETS (
        (period_type, period_start),
        (period_type, period_start, kode_kabkota),
        (period_type, period_start, kode_kabkota, kode_kecamatan),
        (period_type, period_start, kode_kabkota, kode_kecamatan, kode_desa)
    )
    UNION ALL BY NAME
    -- a posyandu is one area: its rows are the per_lokasi rows themselves, nothing to sum
    SELECT
        period_type, period_start, 'posyandu' AS level, posyandu_key AS kode,
        kode_desa AS kode_induk, kode_kabkota, kode_kecamatan, kode_desa,
        COLUMNS('^n_')::BIGINT
    FROM coded
    WHERE posyandu_key IS NOT NULL
),
periods AS (
    SELECT period_type, period_start FROM counts WHERE level = 'provinsi'
),
kabkota_grid AS (
    SELECT 'kabkota' AS level, w.kode, p.period_type, p.period_start
    FROM ref_wilayah AS w CROSS JOIN periods AS p
    WHERE w.tingkat = 'kabkota'
),
complete AS (
    SELECT * FROM counts
    WHERE level <> 'kabkota'
    UNION ALL BY NAME
    -- USING merges the join keys, so a kab/kota without children keeps its kode and period
    SELECT * REPLACE ('35' AS kode_induk, kode AS kode_kabkota)
    FROM (SELECT * FROM counts WHERE level = 'kabkota') AS c
    FULL JOIN kabkota_grid AS g USING (level, kode, period_type, period_start)
)
SELECT COLUMNS(lambda c: NOT starts_with(c, 'n_')), coalesce(COLUMNS('^n_'), 0)
FROM (
    SELECT * FROM complete
    UNION ALL
    SELECT * REPLACE ('bulan_timbang' AS period_type)
    FROM complete
    WHERE period_type = 'bulan'
      AND list_contains(getvariable('bulan_timbang'), month(period_start))
);
