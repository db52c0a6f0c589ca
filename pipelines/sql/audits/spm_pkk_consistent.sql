-- Staged PKK recaps holding a count that cannot exceed its whole (such rows are rejected as
-- `inconsistent`), and mart_pkk rows that are not a proper ratio.
SELECT 'stg_pkk' AS tbl, kode_desa AS kode, strftime(bulan, '%Y-%m') AS period
FROM stg_pkk
WHERE jml_krt IS NULL OR jml_krt <= 0
   OR greatest(sehat_layak_huni, tidak_sehat_layak_huni, tempat_sampah, spal, jamban_septic,
               air_pdam, air_sumur, air_sungai, air_lainnya, makanan_beras, makanan_non_beras,
               sehat_layak_huni + tidak_sehat_layak_huni) > jml_krt
   OR balita_l > total_l OR balita_p > total_p
   OR greatest(ibu_hamil, ibu_menyusui, wus) > total_p
UNION ALL
SELECT 'mart_pkk', kode, period
FROM mart_pkk
WHERE denominator <= 0 OR numerator < 0 OR value IS NULL
   OR n_desa_reporting > n_desa_known
