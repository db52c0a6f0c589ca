-- reads: (nothing)
-- grain: macro over_min_cell(value, n): `value` (a rate, SD or score) where its own denominator
-- n holds at least min_cell, else NULL: no figure is shown over fewer (issue 14). The marts
-- whose units follow mart_prevalensi's suppression of children use it for their own rates.
CREATE OR REPLACE TEMP MACRO over_min_cell(value, n) AS
    CASE WHEN n >= getvariable('min_cell') THEN value END;
