-- grain: one row per row of the source relation; adds WHO 2006 z-scores, flags and Permenkes 2/2020 categories
-- REFERENCE ONLY: the straightforward version of pipelines/who/zscore.sql before it was tuned for
-- speed, kept so that tests/pipelines/who/test_who_zscore_fast.py can check that the fast one gives exactly
-- the same output. Reads the plain tables who_lms_age and who_lms_len.
-- Rules: who-zscore-rules.md of the shared docs (R `anthro` 1.1.0 behaviour). Needs the tables of
-- pipelines/who/tables.py. Input columns: sex (1/2), age_days, weight_kg, lenhei_cm, measure.
-- Internal columns start with _who_ and are dropped at the end. Measurements stay DOUBLE
-- throughout: DECIMAL arithmetic would lose the 103.1 cm artefact that R has (rules 5.4).
WITH prep AS (
    SELECT
        src.*,
        -- sex 1/2 only (a 1.5 must not round to 2); anything else gets no z-score
        CAST(CASE TRY_CAST(src.sex AS DOUBLE) WHEN 1 THEN 1 WHEN 2 THEN 2 END AS TINYINT)
            AS _who_sex,
        -- NaN is an unknown age, as NA in R
        CASE WHEN NOT isnan(CAST(src.age_days AS DOUBLE)) THEN CAST(src.age_days AS DOUBLE) END
            AS _who_age,
        CASE
            WHEN isfinite(CAST(src.weight_kg AS DOUBLE)) AND CAST(src.weight_kg AS DOUBLE) > 0
                THEN CAST(src.weight_kg AS DOUBLE)
        END AS _who_w,
        CASE
            WHEN isfinite(CAST(src.lenhei_cm AS DOUBLE)) AND CAST(src.lenhei_cm AS DOUBLE) > 0
                THEN CAST(src.lenhei_cm AS DOUBLE)
        END AS _who_lh,
        CASE lower(trim(CAST(src.measure AS VARCHAR))) WHEN 'l' THEN 'l' WHEN 'h' THEN 'h' END
            AS _who_pos
    FROM {source} AS src
),

aged AS (
    SELECT
        *,
        -- rounded half up; NULL for an unknown or negative age (negative ages never reach here
        -- in the pipeline; R stops on them)
        CASE WHEN _who_age >= 0 AND isfinite(_who_age) THEN floor(_who_age + 0.5) END AS _who_age_d,
        -- months from the unrounded age; all four z-scores need age_m < 60 (1826 days)
        _who_age / 30.4375::DOUBLE AS _who_age_m
    FROM prep
),

positioned AS (
    SELECT
        *,
        -- age state: 'ok' (0..1826 d), 'unknown' (NULL), 'invalid' (negative, >= 60 months)
        CASE
            WHEN _who_age IS NULL THEN 'unknown'
            WHEN _who_age_d IS NOT NULL AND _who_age_m < 60 THEN 'ok'
            ELSE 'invalid'
        END AS _who_age_state,
        -- standing before 9 months is ignored (position becomes unknown, no +0.7)
        CAST(
            coalesce(_who_pos = 'h' AND _who_age_d IS NOT NULL AND _who_age_m < 9, false)
            AS TINYINT
        ) AS _who_c9mo
    FROM aged
),

cleaned AS (
    SELECT
        *,
        CASE WHEN _who_c9mo = 1 THEN NULL ELSE _who_pos END AS _who_cpos
    FROM positioned
),

adjusted AS (
    SELECT
        *,
        CASE
            WHEN _who_age_d < 731 AND _who_cpos = 'h' THEN _who_lh + 0.7::DOUBLE
            WHEN _who_age_d >= 731 AND _who_cpos = 'l' THEN _who_lh - 0.7::DOUBLE
            ELSE _who_lh
        END AS _who_clen_raw
    FROM cleaned
),

measured AS (
    SELECT
        *,
        -- clen <= 0 (possible after -0.7) counts as missing, like R's measure <= 0 rule
        CASE WHEN _who_clen_raw > 0 THEN _who_clen_raw END AS _who_clen
    FROM adjusted
),

wfl_choice AS (
    SELECT
        *,
        -- WHZ table by age; only an unknown age falls back to position, then clen < 87
        CASE
            WHEN _who_age_state = 'ok' THEN CASE WHEN _who_age_d < 731 THEN 'wfl' ELSE 'wfh' END
            WHEN _who_age_state = 'unknown' THEN
                CASE
                    WHEN _who_cpos = 'l' THEN 'wfl'
                    WHEN _who_cpos = 'h' THEN 'wfh'
                    WHEN _who_clen < 87 THEN 'wfl'
                    WHEN _who_clen >= 87 THEN 'wfh'
                END
        END AS _who_tbl_any
    FROM measured
),

keyed AS (
    SELECT
        *,
        CASE WHEN _who_age_state = 'ok' THEN CAST(_who_age_d AS INTEGER) END AS _who_age_key,
        -- inclusive range check on clen; outside -> no WHZ (never clamp, never switch tables)
        CASE
            WHEN _who_tbl_any = 'wfl' AND _who_clen >= 45 AND _who_clen <= 110 THEN 'wfl'
            WHEN _who_tbl_any = 'wfh' AND _who_clen >= 65 AND _who_clen <= 120 THEN 'wfh'
        END AS _who_tbl
    FROM wfl_choice
),

len_keyed AS (
    SELECT
        *,
        -- lower key trunc(10 clen), upper key trunc(10 clen + 1): computed like R, which
        -- reproduces its 103.1 cm artefact (rules 5.4)
        CASE WHEN _who_tbl IS NOT NULL THEN CAST(trunc(_who_clen * 10) AS INTEGER) END
            AS _who_lo_mm,
        CASE WHEN _who_tbl IS NOT NULL THEN CAST(trunc(_who_clen * 10 + 1) AS INTEGER) END
            AS _who_hi_mm
    FROM keyed
),

joined AS (
    SELECT
        k.*,
        a.lhfa_l AS _who_lhfa_l, a.lhfa_m AS _who_lhfa_m, a.lhfa_s AS _who_lhfa_s,
        a.wfa_l AS _who_wfa_l, a.wfa_m AS _who_wfa_m, a.wfa_s AS _who_wfa_s,
        a.bmi_l AS _who_bmi_l, a.bmi_m AS _who_bmi_m, a.bmi_s AS _who_bmi_s,
        lo.l AS _who_lo_l, lo.m AS _who_lo_m, lo.s AS _who_lo_s,
        hi.l AS _who_hi_l, hi.m AS _who_hi_m, hi.s AS _who_hi_s,
        (k._who_clen - CAST(k._who_lo_mm AS DOUBLE) / 10) / 0.1::DOUBLE AS _who_f
    FROM len_keyed AS k
    LEFT JOIN who_lms_age AS a
        ON a.sex = k._who_sex AND a.age_days = k._who_age_key
    LEFT JOIN who_lms_len AS lo
        ON lo.tbl = k._who_tbl AND lo.sex = k._who_sex AND lo.len_mm = k._who_lo_mm
    LEFT JOIN who_lms_len AS hi
        ON hi.tbl = k._who_tbl AND hi.sex = k._who_sex AND hi.len_mm = k._who_hi_mm
),

lms AS (
    SELECT
        *,
        -- linear interpolation between 0.1 cm rows; f = 0 uses the lower row as it is
        CASE WHEN _who_f > 0 THEN _who_lo_l + _who_f * (_who_hi_l - _who_lo_l) ELSE _who_lo_l END
            AS _who_wfl_l,
        CASE WHEN _who_f > 0 THEN _who_lo_m + _who_f * (_who_hi_m - _who_lo_m) ELSE _who_lo_m END
            AS _who_wfl_m,
        CASE WHEN _who_f > 0 THEN _who_lo_s + _who_f * (_who_hi_s - _who_lo_s) ELSE _who_lo_s END
            AS _who_wfl_s,
        _who_w / ((_who_clen / 100) * (_who_clen / 100)) AS _who_bmi
    FROM joined
),

raw_z AS (
    SELECT
        *,
        -- plain LMS z = ((y / M)^L - 1) / (S L)
        (pow(_who_clen / _who_lhfa_m, _who_lhfa_l) - 1) / (_who_lhfa_s * _who_lhfa_l) AS _who_zlen_u,
        (pow(_who_w / _who_wfa_m, _who_wfa_l) - 1) / (_who_wfa_s * _who_wfa_l) AS _who_zwei_p,
        (pow(_who_w / _who_wfl_m, _who_wfl_l) - 1) / (_who_wfl_s * _who_wfl_l) AS _who_zwfl_p,
        (pow(_who_bmi / _who_bmi_m, _who_bmi_l) - 1) / (_who_bmi_s * _who_bmi_l) AS _who_zbmi_p
    FROM lms
),

restricted AS (
    SELECT
        *,
        -- WHO restricted rule beyond +-3 SD, SD(k) = M (1 + L S k)^(1/L):
        -- z > 3: 3 + (y - SD3) / (SD3 - SD2); z < -3: -3 + (y - SD-3) / (SD-2 - SD-3)
        -- Rounded to 2 decimals; "+ 0" turns -0.00 into 0.00.
        round(_who_zlen_u, 2) + 0 AS _who_zlen,
        round(CASE
            WHEN _who_zwei_p > 3 THEN 3 + (_who_w - _who_wfa_m * pow(1 + _who_wfa_l * _who_wfa_s * 3, 1 / _who_wfa_l))
                / (_who_wfa_m * pow(1 + _who_wfa_l * _who_wfa_s * 3, 1 / _who_wfa_l)
                   - _who_wfa_m * pow(1 + _who_wfa_l * _who_wfa_s * 2, 1 / _who_wfa_l))
            WHEN _who_zwei_p < -3 THEN -3 + (_who_w - _who_wfa_m * pow(1 + _who_wfa_l * _who_wfa_s * -3, 1 / _who_wfa_l))
                / (_who_wfa_m * pow(1 + _who_wfa_l * _who_wfa_s * -2, 1 / _who_wfa_l)
                   - _who_wfa_m * pow(1 + _who_wfa_l * _who_wfa_s * -3, 1 / _who_wfa_l))
            ELSE _who_zwei_p
        END, 2) + 0 AS _who_zwei,
        round(CASE
            WHEN _who_zwfl_p > 3 THEN 3 + (_who_w - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * 3, 1 / _who_wfl_l))
                / (_who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * 3, 1 / _who_wfl_l)
                   - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * 2, 1 / _who_wfl_l))
            WHEN _who_zwfl_p < -3 THEN -3 + (_who_w - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * -3, 1 / _who_wfl_l))
                / (_who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * -2, 1 / _who_wfl_l)
                   - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * -3, 1 / _who_wfl_l))
            ELSE _who_zwfl_p
        END, 2) + 0 AS _who_zwfl,
        round(CASE
            WHEN _who_zbmi_p > 3 THEN 3 + (_who_bmi - _who_bmi_m * pow(1 + _who_bmi_l * _who_bmi_s * 3, 1 / _who_bmi_l))
                / (_who_bmi_m * pow(1 + _who_bmi_l * _who_bmi_s * 3, 1 / _who_bmi_l)
                   - _who_bmi_m * pow(1 + _who_bmi_l * _who_bmi_s * 2, 1 / _who_bmi_l))
            WHEN _who_zbmi_p < -3 THEN -3 + (_who_bmi - _who_bmi_m * pow(1 + _who_bmi_l * _who_bmi_s * -3, 1 / _who_bmi_l))
                / (_who_bmi_m * pow(1 + _who_bmi_l * _who_bmi_s * -2, 1 / _who_bmi_l)
                   - _who_bmi_m * pow(1 + _who_bmi_l * _who_bmi_s * -3, 1 / _who_bmi_l))
            ELSE _who_zbmi_p
        END, 2) + 0 AS _who_zbmi
    FROM raw_z
),

flagged AS (
    SELECT
        *,
        -- flags from the rounded z, strict limits; NULL when the z-score is NULL
        CAST(_who_zlen < -6 OR _who_zlen > 6 AS TINYINT) AS _who_flen,
        CAST(_who_zwei < -6 OR _who_zwei > 5 AS TINYINT) AS _who_fwei,
        CAST(_who_zwfl < -5 OR _who_zwfl > 5 AS TINYINT) AS _who_fwfl,
        CAST(_who_zbmi < -5 OR _who_zbmi > 5 AS TINYINT) AS _who_fbmi
    FROM restricted
)

SELECT
    -- input columns as given; any stale output columns of an earlier run are replaced
    COLUMNS(lambda c: NOT starts_with(c, '_who_') AND NOT list_contains([
        'clen', 'c9mo_flag', 'zlen', 'zwei', 'zwfl', 'zbmi', 'flen', 'fwei', 'fwfl', 'fbmi',
        'kat_tbu', 'kat_bbu', 'kat_bbtb', 'kat_imtu'], c)),
    _who_clen AS clen,
    _who_c9mo AS c9mo_flag,
    _who_zlen AS zlen,
    _who_zwei AS zwei,
    _who_zwfl AS zwfl,
    _who_zbmi AS zbmi,
    _who_flen AS flen,
    _who_fwei AS fwei,
    _who_fwfl AS fwfl,
    _who_fbmi AS fbmi,
    -- Permenkes 2/2020 categories on the rounded z; none when flagged or empty
    CASE WHEN _who_flen = 0 THEN
        CASE
            WHEN _who_zlen < -3 THEN 'Sangat Pendek'
            WHEN _who_zlen < -2 THEN 'Pendek'
            WHEN _who_zlen <= 3 THEN 'Normal'
            ELSE 'Tinggi'
        END
    END AS kat_tbu,
    CASE WHEN _who_fwei = 0 THEN
        CASE
            WHEN _who_zwei < -3 THEN 'Sangat Kurang'
            WHEN _who_zwei < -2 THEN 'Kurang'
            WHEN _who_zwei <= 1 THEN 'Normal'
            ELSE 'Risiko Lebih'
        END
    END AS kat_bbu,
    CASE WHEN _who_fwfl = 0 THEN
        CASE
            WHEN _who_zwfl < -3 THEN 'Gizi Buruk'
            WHEN _who_zwfl < -2 THEN 'Gizi Kurang'
            WHEN _who_zwfl <= 1 THEN 'Gizi Baik'
            WHEN _who_zwfl <= 2 THEN 'Risiko Gizi Lebih'
            WHEN _who_zwfl <= 3 THEN 'Gizi Lebih'
            ELSE 'Obesitas'
        END
    END AS kat_bbtb,
    CASE WHEN _who_fbmi = 0 THEN
        CASE
            WHEN _who_zbmi < -3 THEN 'Gizi Buruk'
            WHEN _who_zbmi < -2 THEN 'Gizi Kurang'
            WHEN _who_zbmi <= 1 THEN 'Gizi Baik'
            WHEN _who_zbmi <= 2 THEN 'Risiko Gizi Lebih'
            WHEN _who_zbmi <= 3 THEN 'Gizi Lebih'
            ELSE 'Obesitas'
        END
    END AS kat_imtu
FROM flagged
