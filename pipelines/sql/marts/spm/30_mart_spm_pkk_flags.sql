-- reads: load_files, stg_pkk, stg_spm
-- grain: one row per staged SPM or PKK record and flag: values the data states that are possible
-- but surprising, kept (not rejected) and shown here with their file row so they can be checked.
CREATE OR REPLACE TABLE mart_spm_pkk_flags AS
WITH spm AS (
    SELECT 'spm' AS source, 'over_target' AS flag, s.file_sha256, s.row_number,
           s.kode_kabkota, s.kode_kecamatan, s.kode_desa, s.posyandu_key, s.bulan, s.kode_indikator,
           'Dilayani ' || s.dilayani || ' > Sasaran ' || s.sasaran AS detail
    FROM stg_spm AS s
    WHERE s.dilayani > s.sasaran
),
pkk_checks AS (
    SELECT p.*, unnest([
        {'flag': 'kk_kurang_dari_krt', 'hit': p.jml_kk < p.jml_krt,
         'detail': 'Jml KK ' || p.jml_kk || ' < Jml KRT ' || p.jml_krt},
        {'flag': 'rumah_belum_dinilai', 'hit': p.sehat_layak_huni + p.tidak_sehat_layak_huni < p.jml_krt,
         'detail': 'Sehat + Tidak Sehat Layak Huni ' || (p.sehat_layak_huni + p.tidak_sehat_layak_huni) || ' < Jml KRT ' || p.jml_krt},
        {'flag': 'sumber_air_lebih_dari_krt',
         'hit': coalesce(p.air_pdam, 0) + coalesce(p.air_sumur, 0) + coalesce(p.air_sungai, 0) + coalesce(p.air_lainnya, 0) > p.jml_krt,
         'detail': 'PDAM + Sumur + Sungai + DLL ' || (coalesce(p.air_pdam, 0) + coalesce(p.air_sumur, 0) + coalesce(p.air_sungai, 0) + coalesce(p.air_lainnya, 0)) || ' > Jml KRT ' || p.jml_krt},
        {'flag': 'makanan_pokok_lebih_dari_krt', 'hit': p.makanan_beras + p.makanan_non_beras > p.jml_krt,
         'detail': 'Beras + Non Beras ' || (p.makanan_beras + p.makanan_non_beras) || ' > Jml KRT ' || p.jml_krt},
        {'flag': 'kegiatan_lebih_dari_krt',
         'hit': greatest(p.up2k, p.pemanfaatan_pekarangan, p.industri_rumah_tangga, p.kesehatan_lingkungan, p.stiker_p4k) > p.jml_krt,
         'detail': 'a household activity count (UP2K, Pekarangan, Industri RT, Kesehatan Lingkungan, Stiker P4K) > Jml KRT ' || p.jml_krt},
        {'flag': 'pus_lebih_dari_wus', 'hit': p.pus > p.wus,
         'detail': 'PUS ' || p.pus || ' > WUS ' || p.wus}
    ]) AS c
    FROM stg_pkk AS p
),
pkk AS (
    SELECT 'pkk' AS source, c.flag, file_sha256, row_number, kode_kabkota, kode_kecamatan, kode_desa,
           CAST(NULL AS VARCHAR) AS posyandu_key, bulan, CAST(NULL AS VARCHAR) AS kode_indikator,
           c.detail
    FROM pkk_checks
    WHERE c.hit
)
SELECT x.*, f.file_name
FROM (SELECT * FROM spm UNION ALL SELECT * FROM pkk) AS x
LEFT JOIN load_files AS f USING (file_sha256)
ORDER BY x.source, x.flag, x.kode_desa, x.bulan, x.row_number;
