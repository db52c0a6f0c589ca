-- SPM field names as written in exports -> the catalogue's spelling (temp macros only).

-- "KESEHATAN", "Bidang Kesehatan", "pekerjaan umum", "PU", "Trantib" ... ; anything else is NULL.
CREATE OR REPLACE TEMP MACRO bidang_nama(s) AS (
    CASE regexp_replace(regexp_replace(upper(coalesce(s, '')), '[^A-Z]', '', 'g'), '^BIDANG', '')
        WHEN 'KESEHATAN' THEN 'Kesehatan'
        WHEN 'PENDIDIKAN' THEN 'Pendidikan'
        WHEN 'SOSIAL' THEN 'Sosial'
        WHEN 'PEKERJAANUMUM' THEN 'Pekerjaan Umum' WHEN 'PU' THEN 'Pekerjaan Umum'
        WHEN 'PERUMAHANRAKYAT' THEN 'Perumahan Rakyat' WHEN 'PERUMAHAN' THEN 'Perumahan Rakyat'
        WHEN 'TRANTIBUMLINMAS' THEN 'Trantibumlinmas' WHEN 'TRANTIB' THEN 'Trantibumlinmas'
        WHEN 'KETENTERAMANDANKETERTIBANUMUMSERTAPELINDUNGANMASYARAKAT' THEN 'Trantibumlinmas'
    END
);

-- Indicator codes compare upper-cased without spaces, dots, dashes or underscores: "kes-01" = KES01.
CREATE OR REPLACE TEMP MACRO kode_indikator_key(s) AS (
    nullif(regexp_replace(upper(coalesce(s, '')), '[\s.\-_]', '', 'g'), '')
);
