"""Campaign config (config/campaigns.toml): loading, checks with clear errors, the calendar,
the target list, and the ref_campaign* tables the marts read."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.campaigns import (
    ACTIVITIES,
    DEFAULT_PATH,
    CampaignConfigError,
    configured_campaigns,
    load_campaigns,
)
from pipelines.ingest.intervensi import SPEC
from tests.pipelines.intervensi.conftest import config_with_campaigns

MINIMAL = """
[[campaign]]
id = "uji"
start = 2025-11-03
end = 2025-11-16
holidays = ["2025-11-05"]
targets_from = "none"
extra_targets = ["35.09", "35.10"]
[campaign.activity_targets]
remeasured = 90
kader_trained = 18
"""


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_campaign_is_the_announced_window_with_20_working_days():
    [c] = load_campaigns(DEFAULT_PATH)
    assert (c.id, c.start, c.end) == ("jatim-2025-11", dt.date(2025, 11, 10), dt.date(2025, 12, 5))
    cal = c.calendar()
    assert len(cal) == 26 and c.n_working_days == 20  # Mon-Fri, no holiday in the window
    assert not c.holidays
    assert c.extra_targets == ("35.11",) and c.targets_from == "ssgi_2024_above_provincial"
    assert c.activity_targets["remeasured"] == 250 and c.activity_targets["kader_trained"] == 20
    assert set(c.activity_targets) == set(ACTIVITIES)


def test_calendar_skips_weekends_and_holidays(tmp_path):
    [c] = load_campaigns(write(tmp_path, MINIMAL))
    cal = {d.tanggal.day: d for d in c.calendar()}
    assert c.n_working_days == 9  # 3, 4, 6, 7, 10-14 November; the 5th is a holiday
    assert (cal[5].is_holiday, cal[5].is_working_day, cal[5].working_day_no) == (True, False, 2)
    assert (cal[8].is_working_day, cal[9].is_working_day) == (False, False)
    assert [cal[d].working_day_no for d in (3, 4, 6, 7, 10, 14, 16)] == [1, 2, 3, 4, 5, 9, 9]


def test_target_list_rule_extras_and_exclusions(tmp_path):
    text = MINIMAL.replace('targets_from = "none"', 'targets_from = "ssgi_2024_above_provincial"')
    text = text.replace(
        'extra_targets = ["35.09", "35.10"]',
        'extra_targets = ["35.11", "35.09"]\nexclude_targets = ["35.79"]',
    )
    [c] = load_campaigns(write(tmp_path, text))
    got = c.target_kabkota(["35.09", "35.79", "35.05"])
    assert got == {"35.05": "ssgi_2024", "35.09": "ssgi_2024", "35.11": "extra"}


def test_overrides_replace_the_default_target_per_kabkota(tmp_path):
    text = MINIMAL + '[campaign.target_overrides."35.10"]\nremeasured = 40\n'
    [c] = load_campaigns(write(tmp_path, text))
    assert (c.target_for("35.09", "remeasured"), c.target_for("35.10", "remeasured")) == (90, 40)
    assert c.target_for("35.10", "kader_trained") == 18
    assert c.target_for("35.10", "home_visits") is None


def test_several_campaigns_coexist(tmp_path):
    second = MINIMAL.replace('id = "uji"', 'id = "uji-2026"').replace("2025-11", "2026-11")
    campaigns = load_campaigns(write(tmp_path, MINIMAL + second))
    assert [c.id for c in campaigns] == ["uji", "uji-2026"]


@pytest.mark.parametrize(
    "change, message",
    [
        (("end = 2025-11-16", "end = 2025-11-01"), "end 2025-11-01 is before start 2025-11-03"),
        (('"35.10"]', '"35.99"]'), "extra_targets: '35.99' is not a kab/kota code of Jawa Timur"),
        (("kader_trained = 18", "kader_dilatih = 18"), "unknown activity 'kader_dilatih'"),
        (
            ("kader_trained = 18", "kader_trained = -3"),
            "kader_trained -3 must be a whole number above 0",
        ),
        (("start = 2025-11-03", 'start = "3 Nov"'), "start '3 Nov' is not a date"),
        (('targets_from = "none"', 'targets_from = "semua"'), "targets_from 'semua' is not one of"),
        (('id = "uji"', 'id = "uji"\nworking_days = ["senin", "libur"]'), "working_days ['libur']"),
        (('id = "uji"', 'id = "uji"\nwindow = 3'), "unknown key(s) ['window']"),
    ],
)
def test_mistakes_are_refused_with_a_message_naming_the_campaign(tmp_path, change, message):
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(CampaignConfigError) as err:
        load_campaigns(path)
    assert f"{path}, campaign 'uji': " in str(err.value)
    assert message in str(err.value)


def test_duplicate_ids_and_broken_toml_are_refused(tmp_path):
    with pytest.raises(CampaignConfigError, match=r"campaign id\(s\) used twice: \['uji'\]"):
        load_campaigns(write(tmp_path, MINIMAL + MINIMAL))
    with pytest.raises(CampaignConfigError, match="not valid TOML"):
        load_campaigns(write(tmp_path, "[[campaign]\nid ="))


def test_configured_path_must_exist(tmp_path):
    with pytest.raises(CampaignConfigError, match="names a file that does not exist"):
        configured_campaigns(config_with_campaigns(tmp_path / "missing.toml"))


def test_report_columns_are_the_campaign_activities():
    labels = {c.name: c.label for c in SPEC.columns if c.name in ACTIVITIES}
    assert labels == ACTIVITIES


def test_ref_tables_hold_calendar_targets_and_the_ssgi_list(campaign_file, marts_db):
    text = MINIMAL.replace('targets_from = "none"', 'targets_from = "ssgi_2024_above_provincial"')
    con = marts_db(campaign_file(text), dt.date(2026, 1, 1))
    kab = con.execute("SELECT kode_kabkota, alasan FROM ref_campaign_kabkota ORDER BY 1").fetchall()
    # the 19 kab/kota above SSGI 2024 14.7 % (reference README), plus the two extras
    ssgi = [k for k, why in kab if why == "ssgi_2024"]
    assert len(ssgi) == 19 and "35.04" not in ssgi  # Tulungagung 13.6 % stays out
    assert {"35.09": "ssgi_2024", "35.10": "ssgi_2024"} == {
        k: w for k, w in kab if k in ("35.09", "35.10")
    }
    assert len(kab) == 19  # Jember and Banyuwangi are above the line already
    assert con.execute(
        "SELECT count(*), sum(target) FROM ref_campaign_target WHERE activity = 'remeasured'"
    ).fetchone() == (19, 19 * 90)
    assert con.execute(
        "SELECT n_days, n_working_days, working_weekdays FROM ref_campaign"
    ).fetchone() == (14, 9, "senin,selasa,rabu,kamis,jumat")
    assert con.execute(
        "SELECT count(*) FILTER (WHERE is_working_day), count(*) FILTER (WHERE is_holiday) "
        "FROM ref_campaign_day"
    ).fetchone() == (9, 1)


def fake_target_list(con):
    """A mart_target_list as the stunting domain builds it: SSGI says Jember and Lumajang, the
    administrative data (selected in this fake) say Jember and Kota Batu."""
    con.execute(
        "CREATE TABLE mart_target_list AS SELECT * FROM (VALUES "
        "('35.09', 'ssgi_2024', true, false), ('35.08', 'ssgi_2024', true, false), "
        "('35.10', 'ssgi_2024', false, false), ('35.09', 'admin', true, true), "
        "('35.79', 'admin', true, true)) AS t(kode_kabkota, reference, above, selected)"
    )


@pytest.mark.parametrize(
    "rule, expected",
    [
        (
            "ssgi_2024_above_provincial",
            [("35.08", "ssgi_2024"), ("35.09", "ssgi_2024"), ("35.10", "extra")],
        ),
        ("target_list", [("35.09", "target_list"), ("35.10", "extra"), ("35.79", "target_list")]),
    ],
)
def test_target_list_mart_is_read_when_the_stunting_marts_built_it(
    campaign_file, marts_db, rule, expected
):
    text = MINIMAL.replace('targets_from = "none"', f'targets_from = "{rule}"')
    con = marts_db(campaign_file(text), dt.date(2026, 1, 1), before=fake_target_list)
    assert (
        con.execute("SELECT kode_kabkota, alasan FROM ref_campaign_kabkota ORDER BY 1").fetchall()
        == expected
    )


def test_target_list_rule_needs_the_mart(campaign_file, marts_db):
    text = MINIMAL.replace('targets_from = "none"', 'targets_from = "target_list"')
    with pytest.raises(CampaignConfigError, match="needs mart_target_list"):
        marts_db(campaign_file(text), dt.date(2026, 1, 1))
