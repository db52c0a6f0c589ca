"""A cohort, not independent rows: the same children come back month after month, grow (never
shrink), gain weight plausibly, stay on their own HAZ track, are born and age out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demo import lms
from tests.demo import demo_files as D


@pytest.fixture(scope="module")
def kids(clean_rows) -> pd.DataFrame:
    """Clean rows of children with a usable NIK, typed, sorted by child and date."""
    m = D.staged_measurements(clean_rows)
    m["file"] = clean_rows.file
    m["zs_tbu"] = D._mapped(clean_rows["ZS TB/U"], D.parse_num)
    m = m[clean_rows.NIK.map(D.clean_nik).notna()]
    return m.sort_values(["child", "meas"]).reset_index(drop=True)


def test_children_come_back_with_the_same_birth_date_and_sex(kids):
    per_child = kids.groupby("child").agg(n=("meas", "size"), births=("birth", "nunique"), sexes=("sex", "nunique"))
    assert (per_child.births == 1).all() and (per_child.sexes == 1).all()
    assert per_child.n.median() >= 8  # most children are weighed in most months
    months = kids.meas.dt.to_period("M")
    assert not pd.DataFrame({"c": kids.child, "m": months}).duplicated().any()  # once a month


def test_ages_stay_within_0_to_59_months_and_children_age_out(kids):
    assert (kids.age_days >= 0).all() and (kids.age_days <= 1826).all()
    assert (kids.birth < kids.meas).all()
    first = kids.groupby("child").agg(birth=("birth", "first"), start=("meas", "min"), end=("meas", "max"),
                                      age_end=("age_days", "max"))
    born_in_window = first.birth >= "2024-01-01"
    assert born_in_window.mean() > 0.2  # births during the two years
    aged_out = (first.age_end > 1790) & (first.end < "2025-12-01")
    assert aged_out.sum() > 50  # older children leave before the window ends


def test_length_never_decreases(kids):
    # on the lying scale: standing height + 0.7 cm, so the switch at 24 months is no drop
    eq = kids.lenhei_cm + np.where(kids.measure == "h", 0.7, 0.0)
    same = kids.child.eq(kids.child.shift())
    drop = (eq.diff() < -1e-9) & same
    assert not drop.any()


def test_weight_changes_are_plausible(kids):
    same = kids.child.eq(kids.child.shift()) & (kids.meas.diff().dt.days < 40)
    dw = kids.weight_kg.diff()[same]
    assert dw.abs().max() <= 2.0
    assert 0.05 <= dw.median() <= 0.35  # gaining, on average
    assert 0.1 < (dw <= 0).mean() < 0.45  # some months flat or down (T)


def test_a_stunted_child_stays_stunted_most_months(kids):
    sex, age = kids.sex.astype(int).to_numpy(), kids.age_days.astype(int).to_numpy()
    z = lms.haz(sex, age, kids.lenhei_cm.to_numpy(), kids.measure.fillna("").to_numpy())
    k = kids.assign(stunted=z < -2, year=kids.meas.dt.year)
    last = k.groupby(["child", "year"]).tail(1)
    ever = last[last.stunted][["child", "year"]]
    rows = k.merge(ever, on=["child", "year"])
    share = rows.groupby(["child", "year"]).stunted.mean()
    assert len(share) > 30 and share.mean() > 0.75
    # and a child who is not stunted at the end of the year rarely was during it
    never = last[~last.stunted][["child", "year"]]
    assert k.merge(never, on=["child", "year"]).stunted.mean() < 0.05


def test_weighing_peaks_in_february_and_august(kids):
    per_month = kids.groupby(kids.meas.dt.to_period("M")).size()
    for year in (2024, 2025):
        m = per_month[per_month.index.year == year]
        peak = m[m.index.month.isin([2, 8])].mean()
        usual = m[~m.index.month.isin([2, 6, 8])].mean()
        assert peak > 1.08 * usual


def test_eppgbm_own_zscores_match_the_who_rules(kids):
    sex, age = kids.sex.astype(int).to_numpy(), kids.age_days.astype(int).to_numpy()
    z = lms.haz(sex, age, kids.lenhei_cm.to_numpy(), kids.measure.fillna("").to_numpy())
    written = kids.zs_tbu.astype(float).to_numpy()
    filled = ~np.isnan(written)
    assert 0.9 < filled.mean() < 1.0  # a small share left blank
    np.testing.assert_allclose(written[filled], z[filled], atol=1e-9)
