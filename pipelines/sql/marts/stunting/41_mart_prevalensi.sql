-- reads: prevalensi_prev_start, tmp_prevalensi_agregat, tmp_prevalensi_baru, tmp_prevalensi_posyandu_nama, tmp_prevalensi_supresi
-- grain: mart_prevalensi one row per level (provinsi, kabkota, kecamatan, desa, posyandu), unit
-- kode, period_type (bulan, bulan_timbang, tahun) and period ('2025-08', '2025').
-- The published rows of the periods not recomputed, plus tmp_prevalensi_baru for those that
-- were (on a full rebuild: every period). Two columns look across periods and are set here over
-- the whole mart: the change against the previous period (prevalensi_prev_start) and against
-- the same period a year earlier, from the shown stunting rates (NULL when either side is
-- suppressed or missing); and the posyandu display name, which follows the latest measurement
-- of any period (state_posyandu_nama). docs/marts_stunting.md gives every formula.
CREATE TABLE IF NOT EXISTS mart_prevalensi AS SELECT * FROM tmp_prevalensi_baru WHERE false;
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_semua AS
SELECT * FROM mart_prevalensi
WHERE (period_type, period_start) NOT IN (SELECT period_type, period_start FROM tmp_prevalensi_agregat)
UNION ALL
SELECT * FROM tmp_prevalensi_baru;
CREATE OR REPLACE TABLE mart_prevalensi AS
SELECT
    m.* REPLACE (
        CASE WHEN m.level = 'posyandu' THEN pn.posyandu_nama ELSE m.nama END AS nama,
        m.pct_stunted - prev.pct_stunted AS chg_prev_pts,
        m.pct_stunted - yoy.pct_stunted AS chg_yoy_pts
    )
FROM tmp_prevalensi_semua AS m
LEFT JOIN tmp_prevalensi_posyandu_nama AS pn ON m.level = 'posyandu' AND pn.posyandu_key = m.kode
LEFT JOIN tmp_prevalensi_semua AS prev
    ON prev.level = m.level AND prev.kode = m.kode AND prev.period_type = m.period_type
   AND prev.period_start = prevalensi_prev_start(m.period_type, m.period_start)
LEFT JOIN tmp_prevalensi_semua AS yoy
    ON yoy.level = m.level AND yoy.kode = m.kode AND yoy.period_type = m.period_type
   AND yoy.period_start = (m.period_start - INTERVAL 1 YEAR)::DATE;
DROP TABLE tmp_prevalensi_semua;
-- grain: state_prevalensi_agregat (catalog table, kept between builds) tmp_prevalensi_agregat of
-- every period with its suppression flags (tmp_prevalensi_supresi): the unsuppressed counts the
-- quality mart reads (children weighed per posyandu and month, children per unit) and which of
-- them it must hide
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_agregat_state AS
SELECT a.*, s.sup_anak, s.sup_haz, s.sup_whz, s.sup_waz
FROM tmp_prevalensi_agregat AS a
JOIN tmp_prevalensi_supresi AS s USING (level, kode, period_type, period_start);
CREATE TABLE IF NOT EXISTS state_prevalensi_agregat AS
SELECT * FROM tmp_prevalensi_agregat_state WHERE false;
DELETE FROM state_prevalensi_agregat
WHERE (period_type, period_start) IN (SELECT period_type, period_start FROM tmp_prevalensi_agregat);
INSERT INTO state_prevalensi_agregat SELECT * FROM tmp_prevalensi_agregat_state;
DROP TABLE tmp_prevalensi_agregat_state;
