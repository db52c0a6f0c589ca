-- audit: one staged value per area, day and activity (the first report wins)
SELECT tanggal, kode_kabkota, kode_kecamatan, activity, count(*) AS n
FROM stg_intervensi
GROUP BY ALL
HAVING count(*) > 1
