-- grain: one row per row of the source relation; adds WHO 2006 z-scores, flags and Permenkes 2/2020 categories
-- Rules: who-zscore-rules.md of the shared docs (R `anthro` 1.1.0 behaviour). Needs the lookup tables
-- who_lookup_age and who_lookup_len of pipelines/who/tables.py (see there for their keys). Input
-- columns: sex (1/2), age_days, weight_kg, lenhei_cm, measure. Internal columns start with _who_ and
-- are dropped at the end. Measurements stay DOUBLE throughout: DECIMAL arithmetic would lose the
-- 103.1 cm artefact that R has (rules 5.4).
-- Written for speed, with exactly the results of the straightforward version (kept as
-- tests/pipelines/who/reference_zscore.sql): no string work after `prep`, one integer-keyed INNER join per
-- lookup table (every row finds a row, an all-NULL one when nothing applies, so DuckDB can use a
-- perfect hash join), no CASE where plain arithmetic gives the same numbers.
-- DuckDB orders NaN above every number: NaN >= x and NaN > x are true, NaN < x is false.
WITH prep AS (
    SELECT
        src.*,
        -- sex 1/2 only (a 1.5 must not round to 2); anything else gets no z-score
        CAST(CASE TRY_CAST(src.sex AS DOUBLE) WHEN 1 THEN 1 WHEN 2 THEN 2 END AS TINYINT)
            AS _who_sex,
        -- an unknown age (NULL, or NaN as NA in R) becomes NaN, so that no test below is NULL
        coalesce(CAST(src.age_days AS DOUBLE), 'NaN'::DOUBLE) AS _who_age,
        CASE
            WHEN isfinite(CAST(src.weight_kg AS DOUBLE)) AND CAST(src.weight_kg AS DOUBLE) > 0
                THEN CAST(src.weight_kg AS DOUBLE)
        END AS _who_w,
        CAST(src.lenhei_cm AS DOUBLE) AS _who_lh,
        -- position 1 lying, 2 standing, 0 unknown; trim/lower only for unusual spellings
        CASE CAST(src.measure AS VARCHAR)
            WHEN 'h' THEN 2
            WHEN 'l' THEN 1
            ELSE coalesce(
                CASE lower(trim(CAST(src.measure AS VARCHAR))) WHEN 'l' THEN 1 WHEN 'h' THEN 2 END, 0
            )
        END AS _who_pos
    FROM {source} AS src
),

aged AS (
    SELECT
        *,
        -- rounded half up (meaningless when the age is not valid: every use below checks that)
        floor(_who_age + 0.5) AS _who_age_d,
        -- months from the unrounded age; all four z-scores need age_m < 60 (1826 days)
        _who_age / 30.4375::DOUBLE AS _who_age_m
    FROM prep
),

positioned AS (
    SELECT
        *,
        -- a valid age under 60 months (false when unknown, negative or infinite)
        _who_age >= 0 AND _who_age_m < 60 AS _who_ok,
        -- standing before 9 months: the position counts as unknown (no +0.7)
        CAST(_who_pos = 2 AND _who_age >= 0 AND _who_age_m < 9 AS TINYINT) AS _who_c9mo,
        -- +0.7 standing under 731 days (not before 9 months), -0.7 lying from 731 days, else 0
        0.7::DOUBLE * (
            CAST(_who_pos = 2 AND _who_age_d < 731 AND _who_age_m >= 9 AS INTEGER)
            - CAST(_who_pos = 1 AND _who_age_d >= 731 AND isfinite(_who_age) AS INTEGER)
        ) AS _who_adj
    FROM aged
),

measured AS (
    SELECT
        *,
        -- clen; lenhei_cm missing, <= 0 or not finite, or clen <= 0, count as missing
        CASE
            WHEN _who_lh > 0 AND isfinite(_who_lh) AND _who_lh + _who_adj > 0
                THEN _who_lh + _who_adj
        END AS _who_clen
    FROM positioned
),

keyed AS (
    SELECT
        *,
        -- WHZ table by age (false length, true height); only an unknown age falls back to the
        -- position, then to clen < 87; an invalid age gets no table (NULL)
        CASE
            WHEN _who_ok THEN _who_age_d >= 731
            WHEN isnan(_who_age) THEN
                CASE _who_pos WHEN 1 THEN false WHEN 2 THEN true ELSE _who_clen >= 87 END
        END AS _who_on_h,
        CASE WHEN _who_ok AND _who_sex IS NOT NULL
            THEN (_who_sex - 1) * 1827 + CAST(_who_age_d AS INTEGER) ELSE -2
        END AS _who_age_key,
        -- interpolation weight between the 0.1 cm rows, computed like R (rules 5.4)
        (_who_clen - trunc(_who_clen * 10) / 10) / 0.1::DOUBLE AS _who_f
    FROM measured
),

len_keyed AS (
    SELECT
        *,
        -- who_lookup_len key: sex, table, lower key trunc(10 clen) clamped to 449..1201, and which
        -- upper row: 0 none (f <= 0), 1 or 2 mm above (R's upper key trunc(10 clen + 1), rules 5.4).
        -- This is also the inclusive range check: lower keys outside a table are empty rows, and so
        -- is its last row with an upper row (e.g. 110.05 cm: f > 0). No sex or no table: -2.
        coalesce(CAST(((_who_sex - 1) * 2 + _who_on_h::INTEGER) * 2259
            + (least(greatest(trunc(_who_clen * 10), 449), 1201) - 449) * 3
            + (_who_f > 0)::INTEGER * (trunc(_who_clen * 10 + 1) - trunc(_who_clen * 10))
            AS INTEGER), -2) AS _who_len_key
    FROM keyed
),

joined AS (
    SELECT
        k.*,
        a.lhfa_l AS _who_lhfa_l, a.lhfa_m AS _who_lhfa_m, a.lhfa_s AS _who_lhfa_s,
        a.wfa_l AS _who_wfa_l, a.wfa_m AS _who_wfa_m, a.wfa_s AS _who_wfa_s,
        a.wfa_sd3 AS _who_wfa_sd3, a.wfa_sd23 AS _who_wfa_sd23,
        a.wfa_sdm3 AS _who_wfa_sdm3, a.wfa_sdm23 AS _who_wfa_sdm23,
        a.bmi_l AS _who_bmi_l, a.bmi_m AS _who_bmi_m, a.bmi_s AS _who_bmi_s,
        a.bmi_sd3 AS _who_bmi_sd3, a.bmi_sd23 AS _who_bmi_sd23,
        a.bmi_sdm3 AS _who_bmi_sdm3, a.bmi_sdm23 AS _who_bmi_sdm23,
        n.l AS _who_lo_l, n.m AS _who_lo_m, n.s AS _who_lo_s,
        n.dl AS _who_d_l, n.dm AS _who_d_m, n.ds AS _who_d_s
    FROM len_keyed AS k
    JOIN who_lookup_age AS a ON a.k = k._who_age_key
    JOIN who_lookup_len AS n ON n.k = k._who_len_key
),

lms AS (
    SELECT
        *,
        -- linear interpolation: lower + f (upper - lower); d = 0 when f <= 0 (the lower row as is)
        _who_lo_l + _who_f * _who_d_l AS _who_wfl_l,
        _who_lo_m + _who_f * _who_d_m AS _who_wfl_m,
        _who_lo_s + _who_f * _who_d_s AS _who_wfl_s,
        _who_w / ((_who_clen / 100) * (_who_clen / 100)) AS _who_bmi
    FROM joined
),

raw_z AS (
    SELECT
        *,
        -- plain LMS z = ((y / M)^L - 1) / (S L)
        (pow(_who_w / _who_wfa_m, _who_wfa_l) - 1) / (_who_wfa_s * _who_wfa_l) AS _who_zwei_p,
        (pow(_who_w / _who_wfl_m, _who_wfl_l) - 1) / (_who_wfl_s * _who_wfl_l) AS _who_zwfl_p,
        (pow(_who_bmi / _who_bmi_m, _who_bmi_l) - 1) / (_who_bmi_s * _who_bmi_l) AS _who_zbmi_p
    FROM lms
),

restricted AS (
    SELECT
        *,
        -- Rounded to 2 decimals: round(x * 100) / 100 is exactly DuckDB's round(x, 2) wherever
        -- x * 100 is finite (|z| <= 3 here; HAZ with L = 1 and clen < 1e290). "+ 0" makes -0.00 0.00.
        -- HAZ: plain LMS (L = 1 on every row of the table, so no pow is needed there).
        CASE
            WHEN _who_lhfa_l = 1 AND _who_clen < 1e290
                THEN round((_who_clen / _who_lhfa_m - 1) / _who_lhfa_s * 100) / 100
            ELSE round((pow(_who_clen / _who_lhfa_m, _who_lhfa_l) - 1) / (_who_lhfa_s * _who_lhfa_l), 2)
        END + 0 AS _who_zlen,
        -- WHO restricted rule beyond +-3 SD, SD(k) = M (1 + L S k)^(1/L) (the age tables carry
        -- SD(3), SD(3) - SD(2), SD(-3) and SD(-2) - SD(-3)):
        -- z > 3: 3 + (y - SD3) / (SD3 - SD2); z < -3: -3 + (y - SD-3) / (SD-2 - SD-3)
        CASE
            WHEN abs(_who_zwei_p) <= 3 THEN round(_who_zwei_p * 100) / 100
            WHEN _who_zwei_p > 3 THEN round(3 + (_who_w - _who_wfa_sd3) / _who_wfa_sd23, 2)
            WHEN _who_zwei_p < -3 THEN round(-3 + (_who_w - _who_wfa_sdm3) / _who_wfa_sdm23, 2)
        END + 0 AS _who_zwei,
        CASE
            WHEN abs(_who_zwfl_p) <= 3 THEN round(_who_zwfl_p * 100) / 100
            WHEN _who_zwfl_p > 3 THEN round(3
                + (_who_w - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * 3, 1 / _who_wfl_l))
                / (_who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * 3, 1 / _who_wfl_l)
                   - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * 2, 1 / _who_wfl_l)), 2)
            WHEN _who_zwfl_p < -3 THEN round(-3
                + (_who_w - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * -3, 1 / _who_wfl_l))
                / (_who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * -2, 1 / _who_wfl_l)
                   - _who_wfl_m * pow(1 + _who_wfl_l * _who_wfl_s * -3, 1 / _who_wfl_l)), 2)
        END + 0 AS _who_zwfl,
        CASE
            WHEN abs(_who_zbmi_p) <= 3 THEN round(_who_zbmi_p * 100) / 100
            WHEN _who_zbmi_p > 3 THEN round(3 + (_who_bmi - _who_bmi_sd3) / _who_bmi_sd23, 2)
            WHEN _who_zbmi_p < -3 THEN round(-3 + (_who_bmi - _who_bmi_sdm3) / _who_bmi_sdm23, 2)
        END + 0 AS _who_zbmi
    FROM raw_z
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
    -- flags from the rounded z, strict limits; NULL when the z-score is NULL (NaN is flagged)
    CAST(abs(_who_zlen) > 6 AS TINYINT) AS flen,
    CAST(_who_zwei < -6 OR _who_zwei > 5 AS TINYINT) AS fwei,
    CAST(abs(_who_zwfl) > 5 AS TINYINT) AS fwfl,
    CAST(abs(_who_zbmi) > 5 AS TINYINT) AS fbmi,
    -- Permenkes 2/2020 categories on the rounded z; none when flagged (outside the flag limits)
    -- or empty. Most rows are in the middle category: test that range first.
    CASE
        WHEN _who_zlen >= -2 THEN
            CASE WHEN _who_zlen <= 3 THEN 'Normal' WHEN _who_zlen <= 6 THEN 'Tinggi' END
        WHEN _who_zlen >= -3 THEN 'Pendek'
        WHEN _who_zlen >= -6 THEN 'Sangat Pendek'
    END AS kat_tbu,
    CASE
        WHEN _who_zwei >= -2 THEN
            CASE WHEN _who_zwei <= 1 THEN 'Normal' WHEN _who_zwei <= 5 THEN 'Risiko Lebih' END
        WHEN _who_zwei >= -3 THEN 'Kurang'
        WHEN _who_zwei >= -6 THEN 'Sangat Kurang'
    END AS kat_bbu,
    CASE
        WHEN _who_zwfl >= -2 THEN
            CASE
                WHEN _who_zwfl <= 1 THEN 'Gizi Baik'
                WHEN _who_zwfl <= 2 THEN 'Risiko Gizi Lebih'
                WHEN _who_zwfl <= 3 THEN 'Gizi Lebih'
                WHEN _who_zwfl <= 5 THEN 'Obesitas'
            END
        WHEN _who_zwfl >= -3 THEN 'Gizi Kurang'
        WHEN _who_zwfl >= -5 THEN 'Gizi Buruk'
    END AS kat_bbtb,
    CASE
        WHEN _who_zbmi >= -2 THEN
            CASE
                WHEN _who_zbmi <= 1 THEN 'Gizi Baik'
                WHEN _who_zbmi <= 2 THEN 'Risiko Gizi Lebih'
                WHEN _who_zbmi <= 3 THEN 'Gizi Lebih'
                WHEN _who_zbmi <= 5 THEN 'Obesitas'
            END
        WHEN _who_zbmi >= -3 THEN 'Gizi Kurang'
        WHEN _who_zbmi >= -5 THEN 'Gizi Buruk'
    END AS kat_imtu
FROM restricted
