"""mart_intervensi_progress and mart_intervensi_gaps, computed by hand on a fixture calendar:
3-16 November 2025, Monday to Friday, 5 November a holiday -> 9 working days (3, 4, 6, 7,
10-14 November). Two target kab/kota: Jember (35.09) reports, Banyuwangi (35.10) never does.
Targets: 90 balita re-measured (10 per working day), 18 kader trained."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pipelines.intervensi.conftest import audit_failures

CAMPAIGN = """
[[campaign]]
id = "uji"
name = "Kampanye uji"
start = 2025-11-03
end = 2025-11-16
working_days = ["senin", "selasa", "rabu", "kamis", "jumat"]
holidays = [2025-11-05]
targets_from = "none"
extra_targets = ["35.09", "35.10"]
on_track_tolerance = 0.10
[campaign.activity_targets]
remeasured = 90
kader_trained = 18
[campaign.outcome]
post_days = 3
"""


def D(day: int) -> dt.date:  # reads like a calendar: D(5) = 5 November
    return dt.date(2025, 11, day)


# Jember's re-measured balita per day: a kecamatan row beside the whole-kab/kota row on the 3rd
# (they add up), work on the holiday and on Saturday, an explicit 0 on the 6th, nothing on the
# 7th and 10th (gaps), and a report dated after the end that no campaign counts.
REPORTS = [
    (D(3), "35.09", None, "remeasured", 6),
    (D(3), "35.09", "35.09.01", "remeasured", 4),
    (D(4), "35.09", None, "remeasured", 10),
    (D(4), "35.09", None, "kader_trained", 18),
    (D(5), "35.09", None, "remeasured", 5),
    (D(6), "35.09", None, "remeasured", 0),
    (D(8), "35.09", None, "remeasured", 20),
    (D(11), "35.09", None, "remeasured", 5),
    (D(20), "35.09", None, "remeasured", 7),
]
COLUMNS = (
    "achieved_cum",
    "expected_cum",
    "status",
    "behind_by",
    "behind_by_pct",
    "days_left",
    "pace",
    "projected_end",
    "will_finish",
    "reported",
    "gap_days",
)


@pytest.fixture
def built(campaign_file, marts_db):
    def run(today=dt.date(2025, 12, 1), reports=REPORTS):
        return marts_db(campaign_file(CAMPAIGN), today, reports=reports)

    return run


def rows(con, kode="35.09", activity="remeasured"):
    got = con.execute(
        f"SELECT tanggal, {', '.join(COLUMNS)} FROM mart_intervensi_progress "
        "WHERE kode_kabkota = ? AND activity = ? ORDER BY tanggal",
        [kode, activity],
    ).fetchall()
    return {r[0]: dict(zip(COLUMNS, r[1:])) for r in got}


def test_pace_and_status_by_hand(built):
    got = rows(built())
    # 3 Nov, working day 1: 6 + 4 = 10 of an expected 90 x 1/9 = 10 -> on track; pace 10/day,
    # 8 working days left -> 10 + 80 = 90 = target: will finish.
    assert got[D(3)] == {
        "achieved_cum": 10,
        "expected_cum": 10.0,
        "status": "sesuai jadwal",
        "behind_by": 0.0,
        "behind_by_pct": 0.0,
        "days_left": 8,
        "pace": 10.0,
        "projected_end": 90.0,
        "will_finish": True,
        "reported": True,
        "gap_days": 0,
    }
    # 5 Nov, holiday: expected stays at 20 (2 working days); 25 > 20 x 1.1 -> ahead;
    # pace 25 / 2 = 12.5, 7 left -> 25 + 87.5.
    assert got[D(5)] == {
        "achieved_cum": 25,
        "expected_cum": 20.0,
        "status": "di depan",
        "behind_by": 0.0,
        "behind_by_pct": 0.0,
        "days_left": 7,
        "pace": 12.5,
        "projected_end": 112.5,
        "will_finish": True,
        "reported": True,
        "gap_days": 0,
    }
    # 6 Nov, working day 3: a report of 0 -> 25 of 30, under 30 x 0.9 = 27 -> behind by 5
    # (16.7 % of expected); pace 25 / 3, 6 left -> 25 + 50 = 75 < 90.
    assert got[D(6)] == {
        "achieved_cum": 25,
        "expected_cum": 30.0,
        "status": "tertinggal",
        "behind_by": 5.0,
        "behind_by_pct": 16.7,
        "days_left": 6,
        "pace": 8.33,
        "projected_end": 75.0,
        "will_finish": False,
        "reported": True,
        "gap_days": 0,
    }
    # 7 Nov, working day 4, no report: the first gap; behind by 15 of 40 (37.5 %).
    assert got[D(7)]["gap_days"] == 1 and got[D(7)]["reported"] is False
    assert (got[D(7)]["behind_by"], got[D(7)]["behind_by_pct"], got[D(7)]["status"]) == (
        15.0,
        37.5,
        "tertinggal",
    )
    # 8 Nov, Saturday: 20 more counts although the day is not a working day: 45 > 40 x 1.1 ->
    # ahead; pace 45 / 4 = 11.25, 5 left -> 101.25 (rounded 101.2 or 101.3, both finish).
    assert got[D(8)]["status"] == "di depan" and got[D(8)]["will_finish"] is True
    assert (got[D(8)]["expected_cum"], got[D(8)]["days_left"], got[D(8)]["pace"]) == (
        40.0,
        5,
        11.25,
    )
    # 9 Nov, Sunday, no report: not a gap.
    assert got[D(9)]["gap_days"] == 1
    # 10 Nov, working day 5, no report: 45 = exactly 50 x 0.9 -> still on track (inclusive).
    assert (got[D(10)]["status"], got[D(10)]["gap_days"], got[D(10)]["behind_by"]) == (
        "sesuai jadwal",
        2,
        5.0,
    )
    # 14 Nov, the last working day: 50 of 90; 12, 13, 14 were gaps too.
    assert (got[D(14)]["achieved_cum"], got[D(14)]["expected_cum"], got[D(14)]["days_left"]) == (
        50,
        90.0,
        0,
    )
    assert (got[D(14)]["status"], got[D(14)]["projected_end"], got[D(14)]["will_finish"]) == (
        "tertinggal",
        50.0,
        False,
    )
    assert got[D(14)]["gap_days"] == 5


def test_over_campaign_shows_final_figures_and_before_start_shows_not_started(built):
    got = rows(built())
    # 16 Nov is the last day; from the 17th on: "selesai" with the final figures. The report of
    # 20 Nov lies outside the window and does not count.
    for day in (D(17), D(18), D(19)):
        assert got[day] == {
            "achieved_cum": 50,
            "expected_cum": 90.0,
            "status": "selesai",
            "behind_by": 40.0,
            "behind_by_pct": 44.4,
            "days_left": 0,
            "pace": 5.56,
            "projected_end": 50.0,
            "will_finish": False,
            "reported": False,
            "gap_days": 5,
        }
    assert max(got) == D(19)  # post_days = 3 after the end
    assert min(got) == D(3) - dt.timedelta(days=7)
    before = got[D(2)]
    assert (
        before["status"],
        before["achieved_cum"],
        before["expected_cum"],
        before["days_left"],
    ) == ("belum mulai", 0, 0.0, 9)
    assert (
        before["pace"],
        before["projected_end"],
        before["will_finish"],
        before["behind_by"],
    ) == (None,) * 4


def test_target_with_no_reports_is_behind_every_day_and_will_not_finish(built):
    got = rows(built(), kode="35.10")
    window = [got[D(d)] for d in range(3, 17)]
    assert all(r["reported"] is False and r["achieved_cum"] == 0 for r in window)
    assert all(r["status"] == "tertinggal" and r["will_finish"] is False for r in window)
    assert [got[D(d)]["gap_days"] for d in (3, 4, 5, 7, 9, 14, 16)] == [1, 2, 2, 4, 4, 9, 9]
    assert got[D(7)]["behind_by"] == 40.0 and got[D(7)]["behind_by_pct"] == 100.0


def test_campaign_not_started_yet(built):
    con = built(today=dt.date(2025, 10, 20))
    statuses = con.execute("SELECT DISTINCT status FROM mart_intervensi_progress").fetchall()
    assert statuses == [("belum mulai",)]
    assert con.execute(
        "SELECT count(*) FROM mart_intervensi_progress WHERE will_finish IS NOT NULL "
        "OR behind_by IS NOT NULL"
    ).fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM mart_intervensi_gaps").fetchone() == (0,)


def test_days_after_today_are_not_judged(built):
    got = rows(built(today=D(6)))
    assert got[D(6)]["status"] == "tertinggal"
    assert got[D(7)]["status"] == "belum terjadi"
    assert (got[D(7)]["will_finish"], got[D(7)]["behind_by"], got[D(7)]["gap_days"]) == (
        None,
        None,
        0,
    )
    assert got[D(19)]["status"] == "belum terjadi"


def test_province_total_adds_up_the_targets(built):
    con = built()
    prov = rows(con, kode="35")
    # 3 Nov: 10 + 0 of 20 expected -> behind by 10 (50 %); 1 of 2 kab/kota reported
    assert (prov[D(3)]["achieved_cum"], prov[D(3)]["expected_cum"], prov[D(3)]["behind_by"]) == (
        10,
        20.0,
        10.0,
    )
    assert (prov[D(3)]["status"], prov[D(3)]["reported"], prov[D(3)]["gap_days"]) == (
        "tertinggal",
        False,
        1,
    )
    assert con.execute(
        "SELECT target, n_kabkota, n_kabkota_reported, nama FROM mart_intervensi_progress "
        "WHERE kode_kabkota = '35' AND activity = 'remeasured' AND tanggal = ?",
        [D(3)],
    ).fetchone() == (180, 2, 1, "Semua wilayah sasaran")
    kader = rows(con, activity="kader_trained")
    assert (kader[D(4)]["achieved_cum"], kader[D(4)]["status"], kader[D(4)]["will_finish"]) == (
        18,
        "di depan",
        True,
    )


def test_gaps_mart_lists_working_days_without_a_report(built):
    con = built()
    got = con.execute(
        "SELECT tanggal, gap_no, gap_streak, last_report, working_days_so_far, "
        "reported_days_so_far FROM mart_intervensi_gaps WHERE kode_kabkota = '35.09' "
        "ORDER BY tanggal"
    ).fetchall()
    assert got == [
        (D(7), 1, 1, D(6), 4, 3),
        (D(10), 2, 2, D(8), 5, 3),  # the Saturday report does not break a streak of working days
        (D(12), 3, 1, D(11), 7, 4),
        (D(13), 4, 2, D(11), 8, 4),
        (D(14), 5, 3, D(11), 9, 4),
    ]
    assert con.execute(
        "SELECT count(*), max(gap_streak) FROM mart_intervensi_gaps WHERE kode_kabkota = '35.10'"
    ).fetchone() == (9, 9)


def test_reports_no_campaign_counts_are_listed(built):
    con = built(reports=REPORTS + [(D(4), "35.78", None, "remeasured", 3)])  # Surabaya: no target
    got = con.execute(
        "SELECT tanggal, kode_kabkota, alasan, window_campaigns FROM mart_intervensi_unmatched "
        "ORDER BY tanggal"
    ).fetchall()
    assert got == [
        (D(4), "35.78", "bukan wilayah sasaran", "uji"),
        (D(20), "35.09", "di luar jadwal kampanye", None),
    ]


def test_marts_build_on_empty_staging_and_audits_pass(built):
    con = built(reports=[])
    assert con.execute(
        "SELECT count(*), count(DISTINCT tanggal) FROM mart_intervensi_progress"
    ).fetchone() == (3 * 2 * 24, 24)  # (2 kab/kota + province) x 2 activities x (7 + 14 + 3 days)
    assert con.execute("SELECT count(*) FROM mart_intervensi_outcome").fetchone() == (3 * 6,)
    assert audit_failures(con) == {}
    assert audit_failures(built()) == {}


def test_a_report_in_several_campaign_windows_names_them_sorted(campaign_file, marts_db):
    # two more campaigns over the same days, configured after it, whose ids sort before and
    # after it: the list is sorted, not in the order of the configuration or of the join
    def also(campaign_id: str) -> str:
        return CAMPAIGN.replace('id = "uji"', f'id = "{campaign_id}"').replace(
            'name = "Kampanye uji"', f'name = "Kampanye {campaign_id}"')

    con = marts_db(campaign_file(CAMPAIGN + also("zzz-ketiga") + also("aaa-kedua")),
                   dt.date(2025, 12, 1), reports=[(D(4), "35.78", None, "remeasured", 3)])
    assert con.execute("SELECT window_campaigns FROM mart_intervensi_unmatched").fetchall() == [
        ("aaa-kedua, uji, zzz-ketiga",)]
