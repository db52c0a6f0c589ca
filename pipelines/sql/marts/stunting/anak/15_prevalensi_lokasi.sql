-- grain: tmp_prevalensi_lokasi (temp, appended once per recomputed period) one row per
-- period_type ('bulan' or 'tahun'), period_start and area (lokasi): the children counted there
-- by class, from tmp_periode_anak (a view of tmp_anak_bulan or tmp_anak_tahun with the period
-- set by the runner). Class 0 (flagged) is left to a child whose every value of that index in
-- the period is flagged: counted in n_flag_*, never in a denominator.
-- Counts are additive, so every level is rolled up from these rows (20_prevalensi_agregat.sql).
INSERT INTO tmp_prevalensi_lokasi BY NAME
SELECT
    period_type, period_start, lokasi,
    count(*) AS n_children,
    count(*) FILTER (WHERE kelas_haz >= 1) AS n_haz,
    count(*) FILTER (WHERE kelas_haz >= 2) AS n_stunted,
    count(*) FILTER (WHERE kelas_haz = 3) AS n_severe,
    count(*) FILTER (WHERE kelas_haz = 0) AS n_flag_haz,
    count(*) FILTER (WHERE kelas_whz >= 1) AS n_whz,
    count(*) FILTER (WHERE kelas_whz = 2) AS n_wasted,
    count(*) FILTER (WHERE kelas_whz = 3) AS n_overweight,
    count(*) FILTER (WHERE kelas_whz = 0) AS n_flag_whz,
    count(*) FILTER (WHERE kelas_waz >= 1) AS n_waz,
    count(*) FILTER (WHERE kelas_waz = 2) AS n_underweight,
    count(*) FILTER (WHERE kelas_waz = 0) AS n_flag_waz,
    count(kelas_waz) AS n_weighed           -- any weight recorded (flagged or not)
FROM (
    SELECT period_type, period_start, lokasi,
           CAST(kunci_haz & 3 AS TINYINT) AS kelas_haz,
           CAST(kunci_waz & 3 AS TINYINT) AS kelas_waz,
           CAST(kunci_whz & 3 AS TINYINT) AS kelas_whz
    FROM tmp_periode_anak
)
GROUP BY ALL;
