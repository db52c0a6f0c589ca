"""mart_intervensi_outcome on a hand-made stg_pengukuran: two targeted posyandu in Jember
(T1, T2) and two comparison posyandu in Banyuwangi (C1, C2); every number below is worked out
by hand in the comments. Windows for a 10 Nov - 5 Dec 2025 campaign with pre_months 2 and
post_days 30: w0 = 10 Jul - 9 Sep, w1 (pre) = 10 Sep - 9 Nov, w2 = 10 Nov 2025 - 4 Jan 2026."""

from __future__ import annotations

import datetime as dt

import pytest

CAMPAIGN = """
[[campaign]]
id = "uji"
start = 2025-11-10
end = 2025-12-05
targets_from = "none"
extra_targets = ["35.09"]
[campaign.activity_targets]
remeasured = 250
[campaign.outcome]
pre_months = 2
post_days = 30
prevalence_bins = 1
size_bins = SIZE_BINS
"""
W0, W1_EARLY, W1, W2 = (
    dt.date(2025, 8, 15),
    dt.date(2025, 9, 20),
    dt.date(2025, 10, 15),
    dt.date(2025, 12, 1),
)
POS = {"T1": "35.09.01.2001", "T2": "35.09.01.2002", "C1": "35.10.01.2001", "C2": "35.10.01.2002"}


def m(child, pos, day, waz, kg=10.0, haz=-1.0):
    return {
        "child": child,
        "posyandu": pos,
        "kode_desa": POS[pos],
        "tanggal": day,
        "kg": kg,
        "waz": waz,
        "whz": 0.0,
        "haz": haz,
    }


MEASUREMENTS = [
    # T1: t1a, t1b from w0; t1c new in w1. t1a's early w1 value is not its last one: ignored.
    m("t1a", "T1", W0, -1.0),
    m("t1a", "T1", W1_EARLY, -3.0),
    m("t1a", "T1", W1, -0.8),
    m("t1a", "T1", W2, -0.4, kg=10.5),
    m("t1b", "T1", W0, -0.5),
    m("t1b", "T1", W1, -0.5),
    m("t1b", "T1", W2, -0.3),
    m("t1c", "T1", W1, -2.0, haz=-1.5),
    m("t1c", "T1", W2, -1.7, haz=-2.3),
    # T2: t2b is never seen again after w0
    m("t2a", "T2", W0, -1.2),
    m("t2a", "T2", W1, -1.0),
    m("t2a", "T2", W2, -0.6),
    m("t2b", "T2", W0, -0.7),
    # C1, C2: everyone back in w1, half of them in w2, no change on average
    m("c1a", "C1", W0, 0.0),
    m("c1a", "C1", W1, 0.1),
    m("c1a", "C1", W2, 0.1),
    m("c1b", "C1", W0, 0.0),
    m("c1b", "C1", W1, -0.1),
    m("c2a", "C2", W0, -1.0),
    m("c2a", "C2", W1, -0.9),
    m("c2a", "C2", W2, -0.9),
    m("c2b", "C2", W0, -1.0),
    m("c2b", "C2", W1, -1.1),
]
COLUMNS = (
    "n_strata",
    "n_posyandu_t",
    "n_posyandu_c",
    "n_t_pre",
    "n_t_post",
    "n_c_pre",
    "n_c_post",
    "t_pre",
    "t_post",
    "c_pre",
    "c_post",
    "t_change",
    "c_change",
    "did",
    "did_se",
    "did_lo95",
    "did_hi95",
)


def outcome(con, kode="35"):
    got = con.execute(
        f"SELECT metric, {', '.join(COLUMNS)}, catatan FROM mart_intervensi_outcome WHERE kode = ?",
        [kode],
    ).fetchall()
    return {r[0]: dict(zip((*COLUMNS, "catatan"), r[1:])) for r in got}


@pytest.fixture
def build(campaign_file, marts_db):
    # the hand-worked numbers are over 1-4 children: min_cell 1 shows them all
    def run(size_bins=1, measurements=MEASUREMENTS, min_cell=1):
        config = campaign_file(CAMPAIGN.replace("SIZE_BINS", str(size_bins)), min_cell)
        return marts_db(config, dt.date(2026, 2, 1), measurements=measurements)

    return run


def test_difference_in_differences_by_hand(build):
    got = outcome(build())
    # Re-measured. Targeted: pre T1 2/2 + T2 1/2 = 3/4 = 75 %, post T1 3/3 + T2 1/1 = 100 %.
    # Comparison: pre 4/4 = 100 %, post 2/4 = 50 %. DiD = +25 - (-50) = 75 points.
    # SE: targeted residuals y - 0.75x before: T1 +0.5, T2 -0.5, after: 0, 0; contributions
    # -/+0.5/4 = -/+0.125; 2/(2-1) x 2 x 0.125^2 = 0.0625; comparison residuals all 0.
    # SE = 0.25 = 25 points; 75 -/+ 1.96 x 25.
    assert got["remeasured"] == {
        "n_strata": 1,
        "n_posyandu_t": 2,
        "n_posyandu_c": 2,
        "n_t_pre": 4,
        "n_t_post": 4,
        "n_c_pre": 4,
        "n_c_post": 4,
        "t_pre": 75.0,
        "t_post": 100.0,
        "c_pre": 100.0,
        "c_post": 50.0,
        "t_change": 25.0,
        "c_change": -50.0,
        "did": 75.0,
        "did_se": 25.0,
        "did_lo95": 26.0,
        "did_hi95": 124.0,
        "catatan": None,
    }
    # WAZ change of children measured in both windows. Targeted before: t1a +0.2, t1b 0, t2a +0.2
    # -> 0.4/3; after: t1a +0.4, t1b +0.2, t1c +0.3, t2a +0.4 -> 1.3/4 = 0.325. Comparison 0 and 0.
    # DiD = 0.325 - 0.1333 = 0.1917. Contributions: T1 (-0.075/4) - (-1/15)/3 = 1/288, T2 -1/288;
    # variance 2 x 2/288^2 = 1/20736 -> SE 1/144 = 0.00694.
    waz = got["waz_change"]
    assert (waz["n_t_pre"], waz["n_t_post"], waz["n_c_pre"], waz["n_c_post"]) == (3, 4, 4, 2)
    assert (waz["t_pre"], waz["t_post"], waz["c_pre"], waz["c_post"]) == (0.133, 0.325, 0.0, 0.0)
    assert (waz["did"], waz["did_se"], waz["did_lo95"], waz["did_hi95"]) == (
        0.192,
        0.007,
        0.178,
        0.205,
    )
    # Weight up (N/D): only t1a gained (10 -> 10.5) of 4 targeted pairs after, 0 before, 0 in the
    # comparison -> 25 points. Residuals after: T1 1 - 0.25 x 3 = +0.25, T2 -0.25 -> +/-0.0625;
    # variance 2 x 2 x 0.0625^2 = 0.015625 -> SE 12.5 points.
    assert {
        k: got["weight_up"][k] for k in ("t_pre", "t_post", "did", "did_se", "did_lo95", "did_hi95")
    } == {
        "t_pre": 0.0,
        "t_post": 25.0,
        "did": 25.0,
        "did_se": 12.5,
        "did_lo95": 0.5,
        "did_hi95": 49.5,
    }
    # New stunting: t1c (HAZ -1.5 -> -2.3) of the 4 targeted children not stunted before.
    assert (got["new_stunting"]["did"], got["new_stunting"]["did_se"]) == (25.0, 12.5)
    # HAZ: t1c's -0.8 over 4 -> -0.2, shown with the fixed note.
    assert (got["haz_change"]["did"], got["haz_change"]["did_se"]) == (-0.2, 0.1)
    assert got["haz_change"]["catatan"] == (
        "26 hari tidak cukup untuk mengubah tinggi badan menurut "
        "umur; perubahan HAZ bukan hasil program"
    )


def test_rates_over_fewer_than_min_cell_children_are_suppressed(build):
    # 4 targeted children in each window of 'remeasured', 3 and 4 for the WAZ change; comparison 4
    # and 4 (2 for WAZ after): with min_cell 4, re-measured shows all, the WAZ row hides its
    # targeted rates (3 before) and its comparison rates (2 after), so its difference too
    got = outcome(build(min_cell=4))
    assert got["remeasured"]["did"] == 75.0 and got["remeasured"]["t_pre"] == 75.0
    waz = got["waz_change"]
    assert (waz["n_t_pre"], waz["n_t_post"], waz["n_c_pre"], waz["n_c_post"]) == (3, 4, 4, 2)
    assert [waz[k] for k in ("t_pre", "t_post", "t_change", "c_pre", "c_post", "c_change", "did",
                              "did_se", "did_lo95", "did_hi95")] == [None] * 10
    # the default threshold (10) hides every rate of this small example, keeps the counts
    con = build(min_cell=None)
    rows = con.execute("SELECT suppressed, n_t_pre, t_pre, c_pre, did FROM mart_intervensi_outcome "
                       "WHERE kode = '35' AND n_t_pre > 0").fetchall()
    assert rows and all(s and n > 0 and t is None and c is None and d is None
                        for s, n, t, c, d in rows)
    shown = con.execute("SELECT count(*) FROM mart_intervensi_outcome WHERE NOT suppressed AND "
                        "(t_pre IS NOT NULL OR did IS NOT NULL)").fetchall()[0][0]
    assert shown == 0


def test_one_target_kabkota_gives_the_same_numbers_as_all_targets(build):
    con = build()
    assert outcome(con, "35.09") == outcome(con, "35")
    assert con.execute(
        "SELECT DISTINCT nama FROM mart_intervensi_outcome WHERE kode = '35.09'"
    ).fetchall() == [("Kabupaten Jember",)]


def test_posyandu_without_a_comparable_one_is_left_out(build):
    # Size bins of children measured in w1: T2 (1) alone in the lower bin; T1 (3), C1, C2 (2 each)
    # above. Only T1 is compared: 100 % -> 100 %, comparison 100 % -> 50 %: DiD 50 points, and
    # with one targeted posyandu no standard error can be estimated.
    got = outcome(build(size_bins=2))["remeasured"]
    assert (got["n_posyandu_t"], got["n_posyandu_c"], got["t_pre"], got["t_post"]) == (
        1,
        2,
        100.0,
        100.0,
    )
    assert (got["did"], got["did_se"], got["did_lo95"]) == (50.0, None, None)


def test_no_measurements_gives_empty_estimates(build):
    got = outcome(build(measurements=[]))
    assert set(got) == {
        "remeasured",
        "weight_up",
        "waz_change",
        "whz_change",
        "new_stunting",
        "haz_change",
    }
    assert all(r["did"] is None and r["n_posyandu_t"] == 0 for r in got.values())
    assert got["haz_change"]["catatan"].startswith("26 hari tidak cukup")


def _window_picks(rows: list[tuple]) -> list[tuple]:
    """20_tmp_ivo_child.sql over these stg_pengukuran rows (child_key, posyandu_key,
    measurement_date, loaded_at, file_sha256, row_number, haz), in this physical order:
    (child_key, w, haz) of every pick."""
    import duckdb

    from pipelines.config import SQL_DIR

    con = duckdb.connect()
    con.execute("CREATE TABLE ref_campaign AS SELECT 'uji' AS campaign_id, DATE '2025-11-10' "
                "AS start_date, DATE '2025-12-05' AS end_date, 2 AS pre_months, 30 AS post_days")
    con.execute("CREATE TABLE stg_pengukuran_kampanye (child_key VARCHAR, posyandu_key VARCHAR, "
                "kode_kabkota VARCHAR, measurement_date DATE, loaded_at TIMESTAMP, "
                "file_sha256 VARCHAR, row_number BIGINT, weight_kg DOUBLE, zwei DOUBLE, "
                "zwfl DOUBLE, zlen DOUBLE, fwei INTEGER, fwfl INTEGER, flen INTEGER)")
    con.executemany("INSERT INTO stg_pengukuran_kampanye VALUES (?, ?, '35.09', ?, ?, ?, ?, "
                    "10.0, 0.0, 0.0, ?, 0, 0, 0)", rows)
    con.execute((SQL_DIR / "marts" / "intervensi" / "20_tmp_ivo_child.sql").read_text())
    return con.execute("SELECT child_key, w, haz FROM tmp_ivo_child ORDER BY ALL").fetchall()


def test_two_measurements_of_one_day_pick_the_later_load_in_any_order():
    # 300 children measured twice on the same pre-period day: by an earlier load (haz -1) and
    # a later one (-2.5); 300 more measured twice by one load, in two files (the greater file
    # hash wins: -3.5), and twice in one file (the later row wins: -0.5). Whatever order the rows
    # lie in, every child gets the later measurement.
    early, late = dt.datetime(2025, 11, 1, 8), dt.datetime(2025, 11, 2, 8)
    rows = []
    for i in range(300):
        rows += [(f"a{i}", "35.09.01.2001|P", W1, early, "f1", i, -1.0),
                 (f"a{i}", "35.09.01.2001|P", W1, late, "f2", i, -2.5),
                 (f"b{i}", "35.09.01.2001|P", W1, late, "f2", 1000 + i, -1.0),
                 (f"b{i}", "35.09.01.2001|P", W1, late, "f3", i, -3.5),
                 (f"c{i}", "35.09.01.2001|P", W1, late, "f4", 2 * i, -1.0),
                 (f"c{i}", "35.09.01.2001|P", W1, late, "f4", 2 * i + 1, -0.5)]
    expected = sorted([(f"a{i}", 1, -2.5) for i in range(300)]
                      + [(f"b{i}", 1, -3.5) for i in range(300)]
                      + [(f"c{i}", 1, -0.5) for i in range(300)])
    assert _window_picks(rows) == expected
    assert _window_picks(rows[::-1]) == expected
