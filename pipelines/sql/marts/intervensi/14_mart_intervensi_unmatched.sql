-- reads: load_files, ref_campaign, ref_campaign_kabkota, ref_wilayah, stg_intervensi
-- grain: one row per staged report row (an area and a day) that no campaign counts: dated
-- outside every campaign window, or inside a window for a kab/kota that is not its target.
-- Such rows are staged, not rejected, so a later change of the campaign config picks them up.
CREATE OR REPLACE TABLE mart_intervensi_unmatched AS
WITH report AS (
    SELECT s.file_sha256, s.row_number, s.tanggal, s.kode_kabkota, s.kode_kecamatan,
           count(*) AS n_activities, sum(s.jumlah) AS jumlah_total
    FROM stg_intervensi AS s
    GROUP BY ALL
),
matched AS (
    SELECT r.file_sha256, r.row_number,
           string_agg(DISTINCT c.campaign_id, ', ' ORDER BY c.campaign_id) AS window_campaigns,
           count(k.kode_kabkota) > 0 AS counted
    FROM report AS r
    LEFT JOIN ref_campaign AS c ON r.tanggal BETWEEN c.start_date AND c.end_date
    LEFT JOIN ref_campaign_kabkota AS k
        ON k.campaign_id = c.campaign_id AND k.kode_kabkota = r.kode_kabkota
    GROUP BY ALL
)
SELECT r.tanggal, r.kode_kabkota, w.nama, r.kode_kecamatan, f.file_name, r.row_number,
       r.n_activities, r.jumlah_total,
       CASE WHEN m.window_campaigns IS NULL THEN 'di luar jadwal kampanye'
            ELSE 'bukan wilayah sasaran' END AS alasan,
       m.window_campaigns
FROM report AS r
JOIN matched AS m USING (file_sha256, row_number)
LEFT JOIN ref_wilayah AS w ON w.kode = r.kode_kabkota
LEFT JOIN load_files AS f ON f.file_sha256 = r.file_sha256
WHERE NOT m.counted;
