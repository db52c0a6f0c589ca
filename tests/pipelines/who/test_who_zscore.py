"""WHO 2006 z-scores in SQL against the rules of who-zscore-rules.md (R `anthro` 1.1.0)."""

from __future__ import annotations

import math

import pytest

from pipelines.who.zscore import OUTPUT_COLUMNS, zscore_select

Z_COLS = ("zlen", "zwei", "zwfl", "zbmi")
F_COLS = ("flen", "fwei", "fwfl", "fbmi")
K_COLS = ("kat_tbu", "kat_bbu", "kat_bbtb", "kat_imtu")

N = "Normal"
GB = "Gizi Baik"
# rules §13 (R anthro 1.1.0 output) plus the two cases from anthro's own tests:
# input (sex, age_days, kg, cm, measure), clen, c9mo, z (len, wei, wfl, bmi),
# flags (len, wei, wfl, bmi), categories (TB/U, BB/U, BB/TB, IMT/U). None = empty.
# fmt: off
EXAMPLES = [
    ((1, 500, 9.2, 76.4, "l"), 76.4, 0, (-1.63, -1.29, -0.75, -0.42), (0, 0, 0, 0), (N, N, GB, GB)),
    ((1, 500, 9.2, 76.4, "h"), 77.1, 0, (-1.36, -1.29, -0.91, -0.66), (0, 0, 0, 0), (N, N, GB, GB)),
    ((2, 1000, 11.8, 88.3, "l"), 87.6, 0, (-1.42, -0.93, -0.23, -0.06), (0, 0, 0, 0), (N, N, GB, GB)),
    ((2, 1000, 11.8, 88.3, None), 88.3, 0, (-1.23, -0.93, -0.40, -0.25), (0, 0, 0, 0),
     (N, N, GB, GB)),
    ((1, 200, 7.0, 65.0, "h"), 65.0, 1, (-1.63, -1.38, -0.46, -0.56), (0, 0, 0, 0), (N, N, GB, GB)),
    ((2, 730, 10.0, 82.0, "h"), 82.7, 0, (-1.15, -1.13, -0.74, -0.62), (0, 0, 0, 0), (N, N, GB, GB)),
    ((2, 731, 10.0, 82.0, "h"), 82.0, 0, (-1.16, -1.14, -0.74, -0.64), (0, 0, 0, 0), (N, N, GB, GB)),
    ((1, 1200, 25.0, 92.0, "h"), 92.0, 0, (-1.63, 4.29, 8.51, 8.97), (0, 0, 1, 1),
     (N, "Risiko Lebih", None, None)),
    ((2, 300, 4.2, 70.0, "l"), 70.0, 0, (-0.53, -5.35, -6.83, -6.86), (0, 0, 1, 1),
     (N, "Sangat Kurang", None, None)),
    ((1, 600, 10.5, 80.37, "l"), 80.37, 0, (-1.27, -0.65, -0.02, 0.20), (0, 0, 0, 0),
     (N, N, GB, GB)),
    ((1, 1826, 17.0, 108.0, "h"), 108.0, 0, (-0.42, -0.56, -0.55, -0.48), (0, 0, 0, 0),
     (N, N, GB, GB)),
    ((1, 1827, 17.0, 108.0, "h"), 108.0, 0, (None,) * 4, (None,) * 4, (None,) * 4),
    ((1, 1500, 15.5, 103.1, "l"), 102.4, 0, (-0.39, -0.52, -0.44, -0.43), (0, 0, 0, 0),
     (N, N, GB, GB)),
    ((2, 800, 9.0, 64.5, "h"), 64.5, 0, (-6.93, -2.38, None, 3.58), (1, 0, None, 0),
     (None, "Kurang", None, "Obesitas")),
    ((1, 650, 19.0, 109.6, "h"), 110.3, 0, (8.58, 4.55, None, -0.22), (1, 0, None, 0),
     (None, "Risiko Lebih", None, GB)),
    # anthro tests: zlen -6.09 flagged; 730.5 d (24 months given in months) counts as 731 d
    ((1, 987, None, 72.86, "l"), 72.16, 0, (-6.09, None, None, None), (1, None, None, None),
     (None,) * 4),
    ((2, 730.5, None, 77.5, None), 77.5, 0, (-2.55, None, None, None), (0, None, None, None),
     ("Pendek", None, None, None)),
]
# fmt: on


def _assert_z(out: dict, expected: tuple) -> None:
    for col, want in zip(Z_COLS, expected):
        if want is None:
            assert out[col] is None, col
        else:
            assert out[col] is not None, col
            assert abs(out[col] - want) < 0.005, (col, out[col], want)


@pytest.mark.parametrize(("row", "clen", "c9mo", "z", "flags", "kat"), EXAMPLES)
def test_worked_examples(run_row, row, clen, c9mo, z, flags, kat):
    out = run_row(row)
    assert out["clen"] == pytest.approx(clen, abs=1e-9)
    assert out["c9mo_flag"] == c9mo
    _assert_z(out, z)
    # 2 decimals exactly as R rounds them
    assert all(out[c] is None or out[c] == round(out[c], 2) for c in Z_COLS)
    assert tuple(out[c] for c in F_COLS) == flags
    assert tuple(out[c] for c in K_COLS) == kat


def test_all_examples_in_one_batch(run_rows):
    # the same answers when every example runs through one query (joins shared across rows)
    outs = run_rows([e[0] for e in EXAMPLES])
    for out, (_, _, _, z, flags, _) in zip(outs, EXAMPLES):
        _assert_z(out, z)
        assert tuple(out[c] for c in F_COLS) == flags


def test_float_artefact_at_103_1_cm(run_row):
    out = run_row((1, 1500, 15.5, 103.1, "l"))
    assert out["clen"] == 103.1 - 0.7 != 102.4  # kept in binary floating point, as R
    assert out["zwfl"] == -0.44  # lower key + 0.1 would give -0.42


def test_decimal_input_keeps_the_double_artefact(who_con):
    # a DECIMAL measurement is cast to DOUBLE before the -0.7, so the artefact survives
    sql = zscore_select(
        "(SELECT 1 AS sex, 1500 AS age_days, 15.5 AS weight_kg, 103.1 AS lenhei_cm, 'l' AS measure)"
    )
    assert who_con.execute(f"SELECT zwfl FROM ({sql})").fetchone() == (-0.44,)


# -- ages ---------------------------------------------------------------------------------


def test_age_0(run_row, lms):
    _, m_len, _ = lms("lhfa", 1, 0)
    _, m_wei, _ = lms("wfa", 1, 0)
    out = run_row((1, 0, m_wei, m_len, "l"))
    assert (out["zlen"], out["zwei"]) == (0.0, 0.0)
    assert out["zwfl"] is not None and out["zbmi"] is not None


def test_age_730_is_length_side_and_731_height_side(run_row, lms):
    _, m730, _ = lms("lhfa", 1, 730)
    _, m731, _ = lms("lhfa", 1, 731)
    lying_730 = run_row((1, 730, None, m730, "l"))
    standing_730 = run_row((1, 730, None, m730 - 0.7, "h"))
    standing_731 = run_row((1, 731, None, m731, "h"))
    lying_731 = run_row((1, 731, None, m731 + 0.7, "l"))
    assert lying_730["clen"] == m730 and lying_730["zlen"] == 0.0
    assert standing_730["clen"] == pytest.approx(m730) and standing_730["zlen"] == 0.0
    assert standing_731["clen"] == m731 and standing_731["zlen"] == 0.0
    assert lying_731["clen"] == pytest.approx(m731) and lying_731["zlen"] == 0.0


def test_whz_table_follows_age_not_position(run_row, lms):
    # at 80.0 cm both tables have a row; a weight at one table's median gives 0.00 there only
    _, m_wfl, _ = lms("wfl", 1, 800)
    _, m_wfh, _ = lms("wfh", 1, 800)
    assert m_wfl != m_wfh
    assert run_row((1, 730, m_wfl, 80.0, "l"))["zwfl"] == 0.0
    assert run_row((1, 730, m_wfh, 80.0, "l"))["zwfl"] != 0.0
    assert run_row((1, 731, m_wfh, 80.0, "h"))["zwfl"] == 0.0
    # standing before 24 months is +0.7 but still the length table
    assert run_row((1, 600, m_wfl, 79.3, "h"))["zwfl"] == 0.0


def test_age_1826_is_last_valid_day(run_row, lms):
    _, m, _ = lms("lhfa", 2, 1826)
    out = run_row((2, 1826, 18.0, m, "h"))
    assert out["zlen"] == 0.0
    assert None not in (out["zwei"], out["zwfl"], out["zbmi"])


@pytest.mark.parametrize("age", [1827, 1856, 1857, 2500, 1826.25, 1826.4])
def test_age_60_months_and_over_is_all_empty(run_row, age):
    out = run_row((1, age, 17.0, 108.0, "l"))
    assert all(out[c] is None for c in Z_COLS + F_COLS + K_COLS)
    # the row is kept with its adjusted length
    assert out["clen"] == pytest.approx(107.3) and out["c9mo_flag"] == 0


def test_fractional_age_rounds_half_up_for_the_table(run_row, lms):
    # 1826.2 d: table day 1826 and 59.998 months, still valid
    _, m, _ = lms("lhfa", 1, 1826)
    assert run_row((1, 1826.2, None, m, "h"))["zlen"] == 0.0
    # 100.5 d uses day 101; 100.4 d uses day 100
    _, m101, _ = lms("lhfa", 1, 101)
    _, m100, _ = lms("lhfa", 1, 100)
    assert run_row((1, 100.5, None, m101, "l"))["zlen"] == 0.0
    assert run_row((1, 100.4, None, m100, "l"))["zlen"] == 0.0


def test_negative_age_gives_nothing(run_row):
    out = run_row((1, -3, 9.0, 75.0, "l"))
    assert all(out[c] is None for c in Z_COLS + F_COLS + K_COLS)


def test_integer_age_column(who_con):
    sql = zscore_select(
        "(SELECT CAST(1 AS TINYINT) AS sex, CAST(500 AS INTEGER) AS age_days, "
        "CAST(9.2 AS DOUBLE) AS weight_kg, CAST(76.4 AS DOUBLE) AS lenhei_cm, "
        "CAST(NULL AS VARCHAR) AS measure)"
    )
    assert who_con.execute(f"SELECT zlen, zwei FROM ({sql})").fetchone() == (-1.63, -1.29)


# -- position -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "measure", "clen", "c9mo"),
    [
        (500, "h", 77.1, 0),
        (500, "H", 77.1, 0),
        (500, " h ", 77.1, 0),
        (500, "l", 76.4, 0),
        (1000, "l", 75.7, 0),
        (1000, "L", 75.7, 0),
        (1000, "h", 76.4, 0),
        (1000, None, 76.4, 0),
        (1000, "x", 76.4, 0),  # anything else is unknown: no adjustment
        (500, "", 76.4, 0),
        (273, "h", 76.4, 1),  # 8.97 months standing: ignored, no +0.7
        (274, "h", 77.1, 0),  # 9.002 months
        (273, "l", 76.4, 0),
        (None, "h", 76.4, 0),  # unknown age: no adjustment either way
        (None, "l", 76.4, 0),
    ],
)
def test_position_rules(run_row, age, measure, clen, c9mo):
    out = run_row((1, age, 9.0, 76.4, measure))
    assert out["clen"] == pytest.approx(clen, abs=1e-9)
    assert out["c9mo_flag"] == c9mo


def test_adjusted_length_feeds_haz_whz_and_baz(run_row):
    lying = run_row((1, 500, 9.2, 77.1, "l"))
    standing = run_row((1, 500, 9.2, 76.4, "h"))
    for col in ("zlen", "zwfl", "zbmi"):
        assert lying[col] == standing[col]


# -- unknown age: WHZ only, table by position then by 87 cm --------------------------------


def test_unknown_age_whz_table(run_row, lms):
    _, m_wfl_800, _ = lms("wfl", 1, 800)
    _, m_wfh_800, _ = lms("wfh", 1, 800)
    _, m_wfl_869, _ = lms("wfl", 1, 869)
    _, m_wfh_870, _ = lms("wfh", 1, 870)
    assert run_row((1, None, m_wfl_800, 80.0, "l"))["zwfl"] == 0.0
    assert run_row((1, None, m_wfh_800, 80.0, "h"))["zwfl"] == 0.0
    assert run_row((1, None, m_wfl_869, 86.9, None))["zwfl"] == 0.0
    assert run_row((1, None, m_wfh_870, 87.0, None))["zwfl"] == 0.0
    out = run_row((1, None, m_wfl_800, 80.0, None))
    assert out["zwfl"] == 0.0
    assert (out["zlen"], out["zwei"], out["zbmi"]) == (None, None, None)
    assert out["fwfl"] == 0 and (out["flen"], out["fwei"], out["fbmi"]) == (None, None, None)
    # standing at 50 cm with unknown age: height table, out of range, no fallback
    assert run_row((1, None, 3.0, 50.0, "h"))["zwfl"] is None
    assert run_row((1, None, 3.0, 50.0, None))["zwfl"] is not None


# -- WHZ range and interpolation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "measure", "cm", "has_whz"),
    [
        (500, "l", 45.0, True),
        (500, "l", 44.99, False),
        (500, "l", 110.0, True),
        (500, "l", 110.01, False),
        (500, "h", 109.3, True),  # clen 110.0 after +0.7
        (500, "h", 109.31, False),
        (1000, "h", 65.0, True),
        (1000, "h", 64.99, False),
        (1000, "h", 120.0, True),
        (1000, "h", 120.01, False),
        (1000, "h", 50.0, False),  # length-table range but height side: no fallback
        (500, "l", 115.0, False),
    ],
)
def test_whz_range_is_inclusive_and_never_clamped(run_row, age, measure, cm, has_whz):
    out = run_row((2, age, 10.0, cm, measure))
    assert (out["zwfl"] is not None) == has_whz
    assert (out["fwfl"] is not None) == has_whz
    assert out["zlen"] is not None and out["zbmi"] is not None  # HAZ and BAZ regardless


def test_whz_interpolates_linearly_between_rows(run_row, lms):
    lo, hi = lms("wfl", 1, 803), lms("wfl", 1, 804)
    f = (80.37 - 80.3) / 0.1
    L, M, S = (a + f * (b - a) for a, b in zip(lo, hi))
    w = 10.9
    expected = ((w / M) ** L - 1) / (S * L)
    assert run_row((1, 600, w, 80.37, "l"))["zwfl"] == round(expected, 2)
    # differs from both neighbouring rows' z-scores
    z_lo = ((w / lo[1]) ** lo[0] - 1) / (lo[2] * lo[0])
    z_hi = ((w / hi[1]) ** hi[0] - 1) / (hi[2] * hi[0])
    assert round(z_hi, 2) < round(expected, 2) < round(z_lo, 2)


# -- restricted LMS --------------------------------------------------------------------------


def _plain_z(y: float, L: float, M: float, S: float) -> float:
    return ((y / M) ** L - 1) / (S * L)


def test_restricted_rule_above_3(run_row, lms):
    out = run_row((1, 1200, 25.0, 92.0, "h"))
    assert round(_plain_z(25.0, *lms("wfa", 1, 1200)), 2) == 4.11
    assert out["zwei"] == 4.29  # the restricted value, not 4.11
    assert out["zwfl"] == 8.51 and out["zbmi"] == 8.97


def test_restricted_rule_below_minus_3(run_row, lms):
    out = run_row((2, 300, 4.2, 70.0, "l"))
    assert round(_plain_z(4.2, *lms("wfa", 2, 300)), 2) == -6.06
    assert out["zwei"] == -5.35 and out["fwei"] == 0  # plain -6.06 would be flagged


def test_haz_is_plain_lms(run_row, lms):
    L, M, S = lms("lhfa", 2, 800)
    out = run_row((2, 800, None, 64.5, "h"))
    assert out["zlen"] == round(_plain_z(64.5, L, M, S), 2) == -6.93


# -- flags and categories from the rounded z ----------------------------------------------------


def _y_for_z(L: float, M: float, S: float, z: float, restricted: bool) -> float:
    """The measurement whose (restricted) z-score is z: the inverse of rules §5.1."""

    def sd(k: float) -> float:
        return M * (1 + L * S * k) ** (1 / L)

    if restricted and z > 3:
        return sd(3) + (z - 3) * (sd(3) - sd(2))
    if restricted and z < -3:
        return sd(-3) + (z + 3) * (sd(-2) - sd(-3))
    return sd(z)


def _row_for_z(lms, indicator: str, z: float) -> tuple:
    """An input row (boy, 500 days, lying at 80.0 cm) whose `indicator` z-score is z."""
    if indicator == "zlen":
        return (1, 500, None, _y_for_z(*lms("lhfa", 1, 500), z, restricted=False), "l")
    if indicator == "zwei":
        return (1, 500, _y_for_z(*lms("wfa", 1, 500), z, restricted=True), None, None)
    if indicator == "zwfl":
        return (1, 500, _y_for_z(*lms("wfl", 1, 800), z, restricted=True), 80.0, "l")
    bmi = _y_for_z(*lms("bmi", 1, 500), z, restricted=True)
    return (1, 500, bmi * (0.8 * 0.8), 80.0, "l")


# fmt: off
FLAG_CASES = [
    # (z column, target z, rounded z, flag)
    ("zlen", 6.004, 6.00, 0), ("zlen", 6.006, 6.01, 1),
    ("zlen", -6.004, -6.00, 0), ("zlen", -6.006, -6.01, 1),
    ("zwei", 5.004, 5.00, 0), ("zwei", 5.006, 5.01, 1),
    ("zwei", -6.004, -6.00, 0), ("zwei", -6.006, -6.01, 1), ("zwei", -5.5, -5.50, 0),
    ("zwfl", 4.996, 5.00, 0), ("zwfl", 5.004, 5.00, 0), ("zwfl", 5.006, 5.01, 1),
    ("zwfl", -5.004, -5.00, 0), ("zwfl", -5.006, -5.01, 1),
    ("zbmi", 5.004, 5.00, 0), ("zbmi", 5.006, 5.01, 1),
    ("zbmi", -5.004, -5.00, 0), ("zbmi", -5.006, -5.01, 1),
]
# fmt: on


@pytest.mark.parametrize(("col", "target", "rounded", "flag"), FLAG_CASES)
def test_flag_limits_are_strict_on_the_rounded_z(run_row, lms, col, target, rounded, flag):
    out = run_row(_row_for_z(lms, col, target))
    assert out[col] == rounded
    f_col = F_COLS[Z_COLS.index(col)]
    k_col = K_COLS[Z_COLS.index(col)]
    assert out[f_col] == flag
    assert (out[k_col] is None) == (flag == 1)  # flagged values get no category


TBU = ["Sangat Pendek", "Pendek", "Pendek", "Normal", "Normal", "Normal", "Normal", "Tinggi"]
BBU = [
    "Sangat Kurang",
    "Kurang",
    "Kurang",
    "Normal",
    "Normal",
    "Risiko Lebih",
    "Risiko Lebih",
    "Risiko Lebih",
]
SIX = [
    "Gizi Buruk",
    "Gizi Kurang",
    "Gizi Kurang",
    "Gizi Baik",
    "Gizi Baik",
    "Risiko Gizi Lebih",
    "Gizi Lebih",
    "Obesitas",
]
# targets and their 2-decimal values: -3.01, -3.00, -2.01, -2.00, 1.00, 1.01, 2.01, 3.01
TARGETS = [-3.006, -3.004, -2.006, -2.004, 1.004, 1.006, 2.006, 3.006]
EDGE_TARGETS = [
    (3.004, {"zlen": "Normal", "zwfl": "Gizi Lebih", "zbmi": "Gizi Lebih"}),
    (2.004, {"zwfl": "Risiko Gizi Lebih", "zbmi": "Risiko Gizi Lebih"}),
    (-2.0, {"zlen": "Normal", "zwei": "Normal", "zwfl": "Gizi Baik"}),
]


@pytest.mark.parametrize(
    ("col", "target", "label"),
    [
        (c, t, lab)
        for c, labels in (("zlen", TBU), ("zwei", BBU), ("zwfl", SIX), ("zbmi", SIX))
        for t, lab in zip(TARGETS, labels)
    ]
    + [(c, t, lab) for t, d in EDGE_TARGETS for c, lab in d.items()],
)
def test_categories_at_exact_boundaries(run_row, lms, col, target, label):
    out = run_row(_row_for_z(lms, col, target))
    assert out[col] == round(target, 2)
    assert out[K_COLS[Z_COLS.index(col)]] == label


def test_negative_zero_is_written_as_zero(run_row, lms):
    _, m, _ = lms("wfa", 1, 500)
    out = run_row((1, 500, m * 0.9999, None, None))
    assert out["zwei"] == 0.0 and math.copysign(1.0, out["zwei"]) == 1.0


# -- missing and invalid inputs ------------------------------------------------------------------


@pytest.mark.parametrize("weight", [0.0, -1.0, None, float("nan"), float("inf")])
def test_weight_not_positive_or_missing(run_row, weight):
    out = run_row((1, 500, weight, 76.4, "l"))
    assert (out["zwei"], out["zwfl"], out["zbmi"]) == (None, None, None)
    assert (out["fwei"], out["fwfl"], out["fbmi"]) == (None, None, None)
    assert (out["kat_bbu"], out["kat_bbtb"], out["kat_imtu"]) == (None, None, None)
    assert out["zlen"] == -1.63 and out["flen"] == 0


@pytest.mark.parametrize(("cm", "measure"), [(0.0, "l"), (-5.0, "l"), (None, "l"), (0.5, "l")])
def test_length_not_positive_or_missing(run_row, cm, measure):
    # 0.5 cm lying at 1000 days becomes -0.2 cm after the 0.7 cm rule: missing as well
    out = run_row((1, 1000, 12.0, cm, measure))
    assert out["clen"] is None
    assert (out["zlen"], out["zwfl"], out["zbmi"]) == (None, None, None)
    assert out["zwei"] is not None


@pytest.mark.parametrize("sex", [None, 0, 3])
def test_invalid_sex_gives_nothing(run_row, sex):
    out = run_row((sex, 500, 9.2, 76.4, "l"))
    assert all(out[c] is None for c in Z_COLS + F_COLS + K_COLS)


def test_output_columns_and_passthrough(who_con):
    sql = zscore_select(
        "(SELECT 'x' AS child, 2 AS sex, 1000.0 AS age_days, 11.8::DOUBLE AS weight_kg, "
        "88.3::DOUBLE AS lenhei_cm, 'l' AS measure, 99.0 AS zlen)"
    )
    cur = who_con.execute(sql)
    names = [d[0] for d in cur.description]
    row = dict(zip(names, cur.fetchone()))
    assert names == [
        "child",
        "sex",
        "age_days",
        "weight_kg",
        "lenhei_cm",
        "measure",
        *OUTPUT_COLUMNS,
    ]
    assert row["child"] == "x" and row["zlen"] == -1.42  # a stale zlen is replaced


def test_template_substitutes_source_once():
    sql = zscore_select("my_rows")
    assert "my_rows" in sql and "{source}" not in sql
    assert sql.startswith("-- grain:")


def test_sex_must_be_exactly_1_or_2(who_con):
    sql = zscore_select(
        "(SELECT * FROM (VALUES (0, 1.5::DOUBLE), (1, 2.0::DOUBLE)) AS t(id, sex), "
        "(SELECT 500.0::DOUBLE AS age_days, 9.2::DOUBLE AS weight_kg, 76.4::DOUBLE AS lenhei_cm, "
        "'l' AS measure))"
    )
    rows = who_con.execute(f"SELECT id, zwei FROM ({sql}) ORDER BY id").fetchall()
    assert rows[0] == (0, None) and rows[1][1] is not None
    text_sex = zscore_select(
        "(SELECT '2' AS sex, 1000 AS age_days, 11.8::DOUBLE AS weight_kg, "
        "88.3::DOUBLE AS lenhei_cm, 'l' AS measure)"
    )
    assert who_con.execute(f"SELECT zlen FROM ({text_sex})").fetchone() == (-1.42,)


def test_nan_age_is_an_unknown_age(who_con):
    sql = zscore_select(
        "(SELECT 2 AS sex, 'nan'::DOUBLE AS age_days, 11.8::DOUBLE AS weight_kg, "
        "88.3::DOUBLE AS lenhei_cm, NULL AS measure)"
    )
    assert who_con.execute(f"SELECT zlen, zwei, zwfl FROM ({sql})").fetchone() == (
        None,
        None,
        -0.40,
    )
