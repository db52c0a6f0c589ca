-- reads: mart_kualitas_ambang, over_min_cell, ref_wilayah, state_posyandu_nama, state_prevalensi_agregat, tmp_kualitas_agregat, tmp_kualitas_penolakan, tmp_kualitas_posyandu
-- grain: mart_kualitas_data one row per level (provinsi, kabkota, kecamatan, posyandu), unit kode,
-- period_type (bulan, tahun) and period: data quality of the staged measurements of balita
-- (0-59 months), after WHO/UNICEF 2019: % flagged z-scores, SD of unflagged HAZ/WAZ/WHZ, terminal
-- digit preference of height and weight, birth-date heaping, missing fields, e-PPGBM/tumbuh label
-- disagreement, rejected rows (kab/kota and province), D/S participation and reporting
-- completeness; classes from mart_kualitas_ambang and their sum as the plausibility class.
-- Units whose children mart_prevalensi hides (fewer than min_cell, or hidden so that no hidden
-- cell can be recovered by subtraction) are suppressed (every metric NULL); in a unit shown, a
-- percentage, SD or digit score over fewer than min_cell of its own denominator (z-scores
-- scored, heights, weights, label pairs compared) is NULL and adds no points (over_min_cell).
CREATE OR REPLACE TABLE mart_kualitas_data AS
WITH metrics AS (
    SELECT
        a.level, a.kode, a.kode_kabkota, a.kode_kecamatan,
        a.period_type, a.period_start,
        -- children (and suppression, complementary suppression included) as in
        -- mart_prevalensi: each child once, in the area of its latest measurement of the period
        c.sup_anak AS suppressed,
        a.n_measurements::BIGINT AS n_measurements, c.n_children,
        a.n_flag_haz::BIGINT AS n_flag_haz,
        over_min_cell(100 * a.n_flag_haz / a.n_haz_scored, a.n_haz_scored) AS pct_flag_haz,
        a.n_flag_waz::BIGINT AS n_flag_waz,
        over_min_cell(100 * a.n_flag_waz / a.n_waz_scored, a.n_waz_scored) AS pct_flag_waz,
        a.n_flag_whz::BIGINT AS n_flag_whz,
        over_min_cell(100 * a.n_flag_whz / a.n_whz_scored, a.n_whz_scored) AS pct_flag_whz,
        -- sample SD of the unflagged z-scores from n, sum and sum of squares
        over_min_cell(CASE WHEN a.n_haz_ok > 1
                           THEN sqrt(greatest(0, (a.ss_haz - a.s_haz ^ 2 / a.n_haz_ok)
                                                 / (a.n_haz_ok - 1))) END, a.n_haz_ok) AS sd_haz,
        over_min_cell(CASE WHEN a.n_waz_ok > 1
                           THEN sqrt(greatest(0, (a.ss_waz - a.s_waz ^ 2 / a.n_waz_ok)
                                                 / (a.n_waz_ok - 1))) END, a.n_waz_ok) AS sd_waz,
        over_min_cell(CASE WHEN a.n_whz_ok > 1
                           THEN sqrt(greatest(0, (a.ss_whz - a.s_whz ^ 2 / a.n_whz_ok)
                                                 / (a.n_whz_ok - 1))) END, a.n_whz_ok) AS sd_whz,
        over_min_cell(100 * (a.t0 + a.t5) / a.n_tinggi, a.n_tinggi) AS pct_height_digit_05,
        over_min_cell(100 * (a.b0 + a.b5) / a.n_berat, a.n_berat) AS pct_weight_digit_05,
        -- digit preference score = 100 sqrt(chi2 / (N (10 - 1))); over the 10 digits with
        -- expected N / 10 each, chi2 = sum(O^2) / (N / 10) - N
        over_min_cell(100 * sqrt(greatest(0, a.ss_tinggi / (a.n_tinggi / 10) - a.n_tinggi)
                                 / (a.n_tinggi * 9)), a.n_tinggi) AS dps_height,
        over_min_cell(100 * sqrt(greatest(0, a.ss_berat / (a.n_berat / 10) - a.n_berat)
                                 / (a.n_berat * 9)), a.n_berat) AS dps_weight,
        -- birth dates on day 1 or 15 against the 24 such days in 365.25
        100 * (a.n_lahir_tgl_1_15 / a.n_measurements) / (24 / 365.25) AS heaping_index,
        100 * a.n_missing_weight / a.n_measurements AS pct_missing_weight,
        100 * a.n_missing_height / a.n_measurements AS pct_missing_height,
        over_min_cell(100 * a.n_missing_measure / (a.n_measurements - a.n_missing_height),
                      a.n_measurements - a.n_missing_height) AS pct_missing_measure,
        100 * a.n_missing_key / a.n_measurements AS pct_missing,
        over_min_cell(100 * a.n_kat_disagree / a.n_kat_compared, a.n_kat_compared)
            AS pct_kat_tbu_disagree,
        r.n_rows_read::BIGINT AS n_rows_read, r.n_rows_rejected::BIGINT AS n_rows_rejected,
        100 * r.n_rows_rejected / nullif(r.n_rows_read, 0) AS pct_rejected,
        CASE WHEN a.period_type = 'bulan' THEN c.n_weighed END AS n_d,
        p.n_d_with_s, p.n_s,
        100 * p.n_d_with_s / nullif(p.n_s, 0) AS pct_ds,
        p.n_posyandu_known,
        p.n_posyandu_bulan,
        100 * p.n_posyandu_bulan / (p.n_posyandu_known * p.n_months) AS pct_reporting
    FROM (
        -- N and the sum of squares of the 10 digit counts, as HUGEINT like list_sum would give
        SELECT *,
               CAST(t0 AS HUGEINT) + t1 + t2 + t3 + t4 + t5 + t6 + t7 + t8 + t9 AS n_tinggi,
               CAST(t0 * t0 AS HUGEINT) + t1 * t1 + t2 * t2 + t3 * t3 + t4 * t4 + t5 * t5
                   + t6 * t6 + t7 * t7 + t8 * t8 + t9 * t9 AS ss_tinggi,
               CAST(b0 AS HUGEINT) + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 AS n_berat,
               CAST(b0 * b0 AS HUGEINT) + b1 * b1 + b2 * b2 + b3 * b3 + b4 * b4 + b5 * b5
                   + b6 * b6 + b7 * b7 + b8 * b8 + b9 * b9 AS ss_berat
        FROM tmp_kualitas_agregat
    ) AS a
    JOIN state_prevalensi_agregat AS c USING (level, kode, period_type, period_start)
    LEFT JOIN tmp_kualitas_penolakan AS r USING (level, kode, period_type, period_start)
    LEFT JOIN tmp_kualitas_posyandu AS p USING (kode, period_type, period_start)
    WHERE a.kode IS NOT NULL
),
classed AS (
    SELECT
        m.*,
        greatest(m.pct_flag_haz, m.pct_flag_waz, m.pct_flag_whz) AS v_pct_flag,
        greatest(abs(m.sd_haz - 1), abs(m.sd_waz - 1), abs(m.sd_whz - 1)) AS v_sd_dev,
        round(greatest(m.dps_height, m.dps_weight)) AS v_dps,
        m.heaping_index AS v_heaping,
        m.pct_missing AS v_pct_missing
    FROM metrics AS m
),
scored AS (
    -- each metric's class: the threshold row with batas_bawah <= v < batas_atas (the bands of
    -- a metric do not overlap, so at most one row matches; none when v is NULL)
    SELECT
        c.*,
        {'kelas': kf.kelas, 'poin': kf.poin} AS k_flag,
        {'kelas': ks.kelas, 'poin': ks.poin} AS k_sd,
        {'kelas': kd.kelas, 'poin': kd.poin} AS k_dps,
        {'kelas': kh.kelas, 'poin': kh.poin} AS k_heaping,
        {'kelas': km.kelas, 'poin': km.poin} AS k_missing
    FROM classed AS c
    LEFT JOIN mart_kualitas_ambang AS kf
        ON kf.metric = 'pct_flag' AND c.v_pct_flag >= kf.batas_bawah
       AND (kf.batas_atas IS NULL OR c.v_pct_flag < kf.batas_atas)
    LEFT JOIN mart_kualitas_ambang AS ks
        ON ks.metric = 'sd_dev' AND c.v_sd_dev >= ks.batas_bawah
       AND (ks.batas_atas IS NULL OR c.v_sd_dev < ks.batas_atas)
    LEFT JOIN mart_kualitas_ambang AS kd
        ON kd.metric = 'dps' AND c.v_dps >= kd.batas_bawah
       AND (kd.batas_atas IS NULL OR c.v_dps < kd.batas_atas)
    LEFT JOIN mart_kualitas_ambang AS kh
        ON kh.metric = 'heaping' AND c.v_heaping >= kh.batas_bawah
       AND (kh.batas_atas IS NULL OR c.v_heaping < kh.batas_atas)
    LEFT JOIN mart_kualitas_ambang AS km
        ON km.metric = 'pct_missing' AND c.v_pct_missing >= km.batas_bawah
       AND (km.batas_atas IS NULL OR c.v_pct_missing < km.batas_atas)
),
final AS (
    SELECT
        s.*,
        -- a metric that cannot be computed (no z-score, no height ...) adds no points
        coalesce(s.k_flag.poin, 0) + coalesce(s.k_sd.poin, 0) + coalesce(s.k_dps.poin, 0)
            + coalesce(s.k_heaping.poin, 0) + coalesce(s.k_missing.poin, 0) AS skor
    FROM scored AS s
)
SELECT
    f.level,
    f.kode,
    CASE f.level WHEN 'provinsi' THEN 'Jawa Timur' WHEN 'posyandu' THEN pn.posyandu_nama
        ELSE w.nama END AS nama,
    f.kode_kabkota,
    f.kode_kecamatan,
    f.period_type,
    CASE f.period_type WHEN 'tahun' THEN strftime(f.period_start, '%Y')
        ELSE strftime(f.period_start, '%Y-%m') END AS period,
    f.period_start,
    f.suppressed,
    CASE WHEN NOT f.suppressed THEN COLUMNS(lambda c: c IN (
        'n_measurements', 'n_children', 'n_flag_haz', 'pct_flag_haz', 'n_flag_waz',
        'pct_flag_waz', 'n_flag_whz', 'pct_flag_whz', 'sd_haz', 'sd_waz', 'sd_whz',
        'pct_height_digit_05', 'pct_weight_digit_05', 'dps_height', 'dps_weight',
        'heaping_index', 'pct_missing_weight', 'pct_missing_height', 'pct_missing_measure',
        'pct_missing', 'pct_kat_tbu_disagree', 'n_rows_read', 'n_rows_rejected', 'pct_rejected',
        'n_d', 'n_d_with_s', 'n_s', 'pct_ds', 'n_posyandu_known', 'n_posyandu_bulan',
        'pct_reporting', 'skor')) END,
    CASE WHEN NOT f.suppressed THEN f.k_flag.kelas END AS kelas_flag,
    CASE WHEN NOT f.suppressed THEN f.k_sd.kelas END AS kelas_sd,
    CASE WHEN NOT f.suppressed THEN f.k_dps.kelas END AS kelas_dps,
    CASE WHEN NOT f.suppressed THEN f.k_heaping.kelas END AS kelas_heaping,
    CASE WHEN NOT f.suppressed THEN f.k_missing.kelas END AS kelas_missing,
    CASE WHEN NOT f.suppressed THEN ksk.kelas END AS kelas_plausibilitas
FROM final AS f
LEFT JOIN mart_kualitas_ambang AS ksk
    ON ksk.metric = 'skor' AND f.skor >= ksk.batas_bawah
   AND (ksk.batas_atas IS NULL OR f.skor < ksk.batas_atas)
LEFT JOIN ref_wilayah AS w ON w.kode = f.kode
LEFT JOIN state_posyandu_nama AS pn ON f.level = 'posyandu' AND pn.posyandu_key = f.kode;
