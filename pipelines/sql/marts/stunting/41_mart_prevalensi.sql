-- reads: prevalensi_prev_start, tmp_prevalensi_agregat, tmp_prevalensi_baru, tmp_prevalensi_posyandu_nama, tmp_prevalensi_supresi
-- grain: mart_prevalensi one row per level (provinsi, kabkota, kecamatan, desa, posyandu), unit
-- kode, period_type (bulan, bulan_timbang, tahun) and period ('2025-08', '2025').
-- The published rows of the periods not recomputed, plus tmp_prevalensi_baru for those that
-- were (on a full rebuild: every period). Two columns look across periods: the change against
-- the previous period (prevalensi_prev_start) and against the same period a year earlier, from
-- the shown stunting rates (NULL when either side is suppressed or missing); and the posyandu
-- display name, which follows the latest measurement of any period (state_posyandu_nama).
-- docs/marts_stunting.md gives every formula.
-- Only the rows these can change are rewritten (a load of one month rewrote the whole mart
-- before, 1.6 M rows at province scale): the rows of the recomputed periods and of the periods
-- that compare with one (the next period, the same period a year later), and the posyandu rows
-- whose display name changed. The rest are left as published.
CREATE TABLE IF NOT EXISTS mart_prevalensi AS SELECT * FROM tmp_prevalensi_baru WHERE false;
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_dihitung AS
SELECT DISTINCT period_type, period_start FROM tmp_prevalensi_agregat;
-- the periods whose rows are rewritten: recomputed, or comparing with one that was
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_ubah AS
SELECT DISTINCT period_type, period_start
FROM (SELECT DISTINCT period_type, period_start FROM mart_prevalensi
      UNION ALL
      SELECT period_type, period_start FROM tmp_prevalensi_dihitung) AS p
WHERE (period_type, period_start) IN (SELECT period_type, period_start FROM tmp_prevalensi_dihitung)
   OR (period_type, prevalensi_prev_start(period_type, period_start))
      IN (SELECT period_type, period_start FROM tmp_prevalensi_dihitung)
   OR (period_type, CAST(period_start - INTERVAL 1 YEAR AS DATE))
      IN (SELECT period_type, period_start FROM tmp_prevalensi_dihitung);
-- their rows and the rows they compare with, as they are after this build
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_semua AS
WITH dibaca AS (
    SELECT period_type, period_start FROM tmp_prevalensi_ubah
    UNION
    SELECT period_type, prevalensi_prev_start(period_type, period_start) FROM tmp_prevalensi_ubah
    UNION
    SELECT period_type, CAST(period_start - INTERVAL 1 YEAR AS DATE) FROM tmp_prevalensi_ubah
)
SELECT * FROM mart_prevalensi
WHERE (period_type, period_start) IN (SELECT period_type, period_start FROM dibaca)
  AND (period_type, period_start)
      NOT IN (SELECT period_type, period_start FROM tmp_prevalensi_dihitung)
UNION ALL
SELECT * FROM tmp_prevalensi_baru;
-- posyandu whose display name changed since their rows were written
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_nama_ubah AS
SELECT DISTINCT m.kode
FROM mart_prevalensi AS m
JOIN tmp_prevalensi_posyandu_nama AS pn ON pn.posyandu_key = m.kode
WHERE m.level = 'posyandu' AND m.nama IS DISTINCT FROM pn.posyandu_nama;
CREATE OR REPLACE TEMP TABLE tmp_prevalensi_tulis AS
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
   AND yoy.period_start = CAST(m.period_start - INTERVAL 1 YEAR AS DATE)
WHERE (m.period_type, m.period_start) IN (SELECT period_type, period_start FROM tmp_prevalensi_ubah)
UNION ALL
-- a renamed posyandu's rows in the periods left as they are: only the name changes
SELECT m.* REPLACE (pn.posyandu_nama AS nama)
FROM mart_prevalensi AS m
JOIN tmp_prevalensi_posyandu_nama AS pn ON pn.posyandu_key = m.kode
WHERE m.level = 'posyandu' AND m.kode IN (SELECT kode FROM tmp_prevalensi_nama_ubah)
  AND (m.period_type, m.period_start)
      NOT IN (SELECT period_type, period_start FROM tmp_prevalensi_ubah);
DELETE FROM mart_prevalensi
WHERE (period_type, period_start) IN (SELECT period_type, period_start FROM tmp_prevalensi_ubah)
   OR (level = 'posyandu' AND kode IN (SELECT kode FROM tmp_prevalensi_nama_ubah));
INSERT INTO mart_prevalensi BY NAME SELECT * FROM tmp_prevalensi_tulis;
DROP TABLE tmp_prevalensi_tulis;
DROP TABLE tmp_prevalensi_nama_ubah;
DROP TABLE tmp_prevalensi_semua;
DROP TABLE tmp_prevalensi_ubah;
DROP TABLE tmp_prevalensi_dihitung;
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
