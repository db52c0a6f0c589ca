-- audit: ranks are 1..n_peers and inside their interval; ranked units are the unsuppressed ones
-- with a valid HAZ. Zero rows expected.
SELECT level, kode, period_type, period
FROM mart_prevalensi
WHERE NOT (1 <= rank_lo AND rank_lo <= rank AND rank <= rank_hi AND rank_hi <= n_peers)
   OR (rank IS NULL) <> (level = 'provinsi' OR suppressed OR coalesce(n_haz, 0) = 0)
