-- reads: (nothing)
-- grain: macro round_stable(x, k): x rounded to k decimals for display, after rounding it to 9.
-- For values built by summing doubles (a mean, a difference of means): the sum's last bits
-- depend on the order rows are added in (a load vs a rebuild, DuckDB vs Spark), and a value at a
-- half (-0.0125 computed as -0.012499999999999999) would otherwise round either way (D38).
CREATE OR REPLACE TEMP MACRO round_stable(x, k) AS round(round(x, 9), k);
