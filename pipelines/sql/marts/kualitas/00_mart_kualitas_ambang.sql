-- reads: (nothing)
-- grain: mart_kualitas_ambang one row per data-quality metric and class: the thresholds (as data)
-- that mart_kualitas_data uses to classify a unit, with their points and source. A value v is in
-- a class when batas_bawah <= v < batas_atas (batas_atas NULL = no upper bound). The plausibility
-- score is the sum of the points of the five metrics; its class comes from the metric 'skor'.
-- Indicators follow WHO/UNICEF (2019) "Recommendations for data collection, analysis and reporting
-- on anthropometric indicators in children under 5 years old" (data quality: flagged z-scores
-- under WHO flags, SD of HAZ/WAZ/WHZ, terminal-digit preference of height and weight, heaping of
-- age/birth dates, missing data). That report does not fix cut-offs for most of them; the cut-offs
-- and points below are the SMART plausibility check's (ENA for SMART; SMART Initiative 2017, as
-- coded in the R package mwana R/quality-raters.R) except where `sumber` says otherwise.
CREATE OR REPLACE TABLE mart_kualitas_ambang AS
SELECT * FROM (VALUES
    -- % of z-scores flagged under the WHO limits (worst of HAZ, WAZ, WHZ); SMART's cut-offs for
    -- WHO-flag based indices (0.01 / 0.015 / 0.02).
    ('pct_flag', 1, 'sangat baik', 0.0, 1.0, 0, 'SMART 2017 (flags, WHO-flag indices); WHO/UNICEF 2019 indicator'),
    ('pct_flag', 2, 'baik', 1.0, 1.5, 5, 'SMART 2017 (flags, WHO-flag indices); WHO/UNICEF 2019 indicator'),
    ('pct_flag', 3, 'cukup', 1.5, 2.0, 10, 'SMART 2017 (flags, WHO-flag indices); WHO/UNICEF 2019 indicator'),
    ('pct_flag', 4, 'bermasalah', 2.0, NULL, 20, 'SMART 2017 (flags, WHO-flag indices); WHO/UNICEF 2019 indicator'),
    -- |SD - 1| of the unflagged z-scores (worst of HAZ, WAZ, WHZ): SD 0.9-1.1 / 0.85-1.15 /
    -- 0.8-1.2 / outside. Strict for routine data: DHS surveys show SD(HAZ) 1.35-1.95 (Mei &
    -- Grummer-Strawn 2007), so read this class beside the SD values themselves.
    ('sd_dev', 1, 'sangat baik', 0.0, 0.10, 0, 'SMART 2017 (SD of z-scores); WHO/UNICEF 2019 indicator'),
    ('sd_dev', 2, 'baik', 0.10, 0.15, 5, 'SMART 2017 (SD of z-scores); WHO/UNICEF 2019 indicator'),
    ('sd_dev', 3, 'cukup', 0.15, 0.20, 10, 'SMART 2017 (SD of z-scores); WHO/UNICEF 2019 indicator'),
    ('sd_dev', 4, 'bermasalah', 0.20, NULL, 20, 'SMART 2017 (SD of z-scores); WHO/UNICEF 2019 indicator'),
    -- digit preference score of the decimal digit (worst of height, weight), rounded to an
    -- integer as SMART reports it: 0-7 / 8-12 / 13-20 / > 20.
    ('dps', 1, 'sangat baik', 0.0, 8.0, 0, 'SMART 2017 (digit preference score); WHO/UNICEF 2019 indicator'),
    ('dps', 2, 'baik', 8.0, 13.0, 2, 'SMART 2017 (digit preference score); WHO/UNICEF 2019 indicator'),
    ('dps', 3, 'cukup', 13.0, 21.0, 4, 'SMART 2017 (digit preference score); WHO/UNICEF 2019 indicator'),
    ('dps', 4, 'bermasalah', 21.0, NULL, 10, 'SMART 2017 (digit preference score); WHO/UNICEF 2019 indicator'),
    -- birth-date heaping index: 100 x share of birth dates on day 1 or 15 / expected share
    -- (24 / 365.25); 100 = no heaping. Classes after the UN Whipple-index bands (< 110 fairly
    -- accurate, 110-125 approximate, 125-175 rough, >= 175 very rough); points as SMART's age test.
    ('heaping', 1, 'sangat baik', 0.0, 110.0, 0, 'tumbuh, after UN Whipple index bands; WHO/UNICEF 2019 indicator (age heaping)'),
    ('heaping', 2, 'baik', 110.0, 125.0, 2, 'tumbuh, after UN Whipple index bands; WHO/UNICEF 2019 indicator (age heaping)'),
    ('heaping', 3, 'cukup', 125.0, 175.0, 4, 'tumbuh, after UN Whipple index bands; WHO/UNICEF 2019 indicator (age heaping)'),
    ('heaping', 4, 'bermasalah', 175.0, NULL, 10, 'tumbuh, after UN Whipple index bands; WHO/UNICEF 2019 indicator (age heaping)'),
    -- % of measurements missing the weight, or with a height but no measuring position
    ('pct_missing', 1, 'sangat baik', 0.0, 1.0, 0, 'tumbuh (WHO/UNICEF 2019 asks for missing data to be reported, no cut-off)'),
    ('pct_missing', 2, 'baik', 1.0, 5.0, 2, 'tumbuh (WHO/UNICEF 2019 asks for missing data to be reported, no cut-off)'),
    ('pct_missing', 3, 'cukup', 5.0, 10.0, 4, 'tumbuh (WHO/UNICEF 2019 asks for missing data to be reported, no cut-off)'),
    ('pct_missing', 4, 'bermasalah', 10.0, NULL, 10, 'tumbuh (WHO/UNICEF 2019 asks for missing data to be reported, no cut-off)'),
    -- sum of the five metrics' points: SMART's overall bands 0-9 / 10-14 / 15-24 / >= 25
    ('skor', 1, 'sangat baik', 0.0, 10.0, NULL, 'SMART 2017 (overall plausibility score)'),
    ('skor', 2, 'baik', 10.0, 15.0, NULL, 'SMART 2017 (overall plausibility score)'),
    ('skor', 3, 'cukup', 15.0, 25.0, NULL, 'SMART 2017 (overall plausibility score)'),
    ('skor', 4, 'bermasalah', 25.0, NULL, NULL, 'SMART 2017 (overall plausibility score)')
) AS t(metric, urutan, kelas, batas_bawah, batas_atas, poin, sumber);
