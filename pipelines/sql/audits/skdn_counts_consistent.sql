-- audit: the SKDN counts add up as domain.md 1.6 defines them: D = N + T + O + B, 2T within T,
-- BGM within D, K within the weighings that answer KIA, agreement within the N/T compared, every
-- rate in [0, 100] except D/S (children from outside the area are weighed too), one row per
-- grain. Zero rows expected.
SELECT level, kode, period, 'counts' AS problem
FROM mart_skdn
WHERE n_d <> n_n + n_t + n_o + n_b OR n_2t > n_t OR n_bgm > n_d OR n_k > n_k_diisi
   OR n_k_diisi > n_d OR n_naik_bb_sama > n_naik_bb_banding
   OR n_naik_bb_banding > n_n + n_t OR n_naik_bb_kosong > n_d
   OR least(n_d, n_n, n_t, n_o, n_b, n_2t, n_bgm, n_k_diisi, n_naik_bb_banding, n_s) < 0
   OR greatest(pct_nd, pct_nd_dinilai, pct_td, pct_2td, pct_bgmd, pct_naik_bb_sama) > 100
   OR (suppressed AND coalesce(n_d, n_n, n_t, n_o, n_b, n_2t, n_bgm, n_k, pct_nd, pct_ds)
                      IS NOT NULL)
UNION ALL
SELECT level, kode, period, 'grain'
FROM mart_skdn GROUP BY ALL HAVING count(*) > 1
