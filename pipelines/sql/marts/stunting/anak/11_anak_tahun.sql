-- grain: tmp_anak_tahun (temp) one row per child and year: the year's state (latest area and
-- latest key of each index over the year) merged from the previous state of the years being
-- updated (tmp_anak_tahun_lama) and the months just recomputed (tmp_anak_bulan). Re-merging a
-- month already in the state changes nothing: every column is a max.
CREATE OR REPLACE TEMP TABLE tmp_anak_tahun AS
SELECT
    child_key, tahun,
    max(urutan) AS urutan,
    arg_max(lokasi, urutan) AS lokasi,
    max(kunci_haz) AS kunci_haz,
    max(kunci_waz) AS kunci_waz,
    max(kunci_whz) AS kunci_whz
FROM (
    SELECT child_key, tahun, urutan, lokasi, kunci_haz, kunci_waz, kunci_whz
    FROM tmp_anak_tahun_lama
    UNION ALL
    SELECT child_key, date_trunc('year', bulan)::DATE, urutan, lokasi,
           kunci_haz, kunci_waz, kunci_whz
    FROM tmp_anak_bulan
)
GROUP BY child_key, tahun;
