"""Golden rows of mart_prevalensi / mart_prevalensi_kabkota, computed by hand from the fixture
(tests/pipelines/marts/fixture.py lists every child and the counts it gives). Counts of the small units are
checked on the fixture built with min_cell = 1 (`con_all`): with min_cell = 10 every kecamatan,
desa and posyandu of the fixture is hidden, the small ones and their complements."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest
from scipy.stats import binom

Z95 = 1.959963984540054


def row(
    con: duckdb.DuckDBPyConnection,
    level: str,
    kode: str,
    period_type: str,
    period: str,
    table: str = "mart_prevalensi",
) -> dict:
    df = con.execute(
        f"SELECT * FROM {table} WHERE level = ? AND kode = ? AND period_type = ? AND period = ?",
        [level, kode, period_type, period],
    ).df()
    assert len(df) == 1, (level, kode, period_type, period, len(df))
    return df.iloc[0].to_dict()


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson score interval, written out from Wilson (1927), in percent."""
    p = x / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


COUNTS = [
    # level, kode, period_type, period, n_children, n_haz, n_stunted, n_severe, n_flag_haz
    ("posyandu", "35.09.01.2001|MAWAR", "bulan", "2025-07", 12, 11, 5, 1, 1),
    ("posyandu", "35.09.01.2001|MAWAR", "bulan", "2025-08", 12, 11, 3, 1, 0),
    ("posyandu", "35.09.01.2001|MAWAR", "tahun", "2025", 13, 13, 5, 1, 0),
    ("desa", "35.09.01.2001", "bulan", "2025-08", 12, 11, 3, 1, 0),
    ("kecamatan", "35.09.01", "tahun", "2025", 13, 13, 5, 1, 0),
    ("kabkota", "35.09", "bulan", "2025-07", 16, 15, 6, 1, 1),
    ("kabkota", "35.09", "bulan", "2025-08", 15, 14, 4, 1, 0),
    ("kabkota", "35.09", "bulan_timbang", "2025-08", 15, 14, 4, 1, 0),
    ("kabkota", "35.09", "tahun", "2025", 16, 16, 6, 1, 0),
    ("kabkota", "35.10", "bulan", "2025-07", 14, 14, 5, 1, 0),
    ("kabkota", "35.10", "tahun", "2025", 14, 14, 5, 1, 0),
    ("provinsi", "35", "bulan", "2025-07", 30, 29, 11, 2, 1),
    ("provinsi", "35", "bulan", "2025-08", 29, 28, 9, 2, 0),
    ("provinsi", "35", "tahun", "2025", 30, 30, 11, 2, 0),
]


@pytest.mark.parametrize("level,kode,ptype,period,n,n_haz,n_st,n_sev,n_flag", COUNTS)
def test_golden_counts_and_rates(con_all, level, kode, ptype, period, n, n_haz, n_st, n_sev,
                                 n_flag):
    r = row(con_all, level, kode, ptype, period)
    assert (r["n_children"], r["n_haz"], r["n_stunted"], r["n_severe"], r["n_flag_haz"]) == (
        n,
        n_haz,
        n_st,
        n_sev,
        n_flag,
    )
    assert r["pct_stunted"] == pytest.approx(100 * n_st / n_haz)
    assert r["pct_severe"] == pytest.approx(100 * n_sev / n_haz)
    lo, hi = wilson(n_st, n_haz)
    assert r["pct_stunted_lo95"] == pytest.approx(lo)
    assert r["pct_stunted_hi95"] == pytest.approx(hi)
    assert not r["suppressed"]


def test_wilson_interval_by_hand_for_4_of_12(con):
    # 4/12 by hand: p = 1/3, z^2 = 3.8415; centre = (0.3333 + 0.16006) / 1.32012 = 0.37375;
    # half = 1.95996 / 1.32012 * sqrt(0.018519 + 0.0066694) = 0.23563 -> 13.81 % to 60.94 %
    lo, hi = wilson(4, 12)
    assert lo == pytest.approx(13.812, abs=1e-3) and hi == pytest.approx(60.938, abs=1e-3)
    r = row(con, "kabkota", "35.09", "bulan", "2025-08")  # 4/14
    assert (r["pct_stunted_lo95"], r["pct_stunted_hi95"]) == pytest.approx(wilson(4, 14))


def test_other_indicators(con):
    # Banyuwangi July: B05 WHZ -2.5 wasted, B06 WHZ 2.5 overweight, every WAZ -1.0
    r = row(con, "kabkota", "35.10", "bulan", "2025-07")
    assert (r["n_whz"], r["n_wasted"], r["n_overweight"], r["n_flag_whz"]) == (14, 1, 1, 0)
    assert r["pct_wasted"] == pytest.approx(100 / 14)
    assert r["pct_overweight"] == pytest.approx(100 / 14)
    assert (r["pct_wasted_lo95"], r["pct_wasted_hi95"]) == pytest.approx(wilson(1, 14))
    assert (r["n_waz"], r["n_underweight"], r["pct_underweight"]) == (14, 0, 0.0)
    # Jember July: A08 WAZ -2.5 underweight; A09 WHZ 5.5 flagged
    r = row(con, "kabkota", "35.09", "bulan", "2025-07")
    assert (r["n_waz"], r["n_underweight"], r["n_flag_waz"]) == (16, 1, 0)
    assert (r["n_whz"], r["n_flag_whz"], r["n_wasted"]) == (15, 1, 0)
    # Jember August: A07 was only weighed (no WHZ), A06 is 60 months
    r = row(con, "kabkota", "35.09", "bulan", "2025-08")
    assert (r["n_children"], r["n_waz"], r["n_whz"]) == (15, 15, 14)


HIDDEN_COLUMNS = ("n_children", "n_haz", "n_stunted", "n_whz", "n_waz", "pct_stunted",
                  "pct_stunted_lo95", "pct_wasted", "pct_underweight", "pct_stunted_eb", "rank",
                  "rank_lo", "funnel_hi95", "funnel_adj_hi95", "diff_pts", "chg_prev_pts",
                  "signif", "signif_adj", "p_above", "p_below", "phi", "induk_pct_stunted")


@pytest.mark.parametrize("level,kode,why", [
    ("posyandu", "35.09.02.2001|MELATI", "fewer than 10 children"),
    ("desa", "35.09.02.2001", "fewer than 10 children"),
    ("kecamatan", "35.09.02", "fewer than 10 children"),
    # Jember's other kecamatan: shown, it would give Kencong as Jember minus Jombang (R1)
    ("kecamatan", "35.09.01", "complement of Kencong"),
    # its only desa and posyandu: shown, they would give Jombang (R2)
    ("desa", "35.09.01.2001", "below a hidden kecamatan"),
    ("posyandu", "35.09.01.2001|MAWAR", "below a hidden desa"),
    ("kecamatan", "35.10.02", "fewer than 10 children"),
    ("kecamatan", "35.10.01", "complement of Bangorejo"),
    ("posyandu", "35.10.01.2001|ANGGREK", "below a hidden desa"),
])
def test_small_units_and_their_complements_are_suppressed(con, level, kode, why):
    for ptype, period in [("bulan", "2025-07"), ("bulan", "2025-08"), ("tahun", "2025")]:
        r = row(con, level, kode, ptype, period)
        assert r["suppressed"] and r["suppressed_anak"], (why, ptype)
        assert r["suppressed_whz"] and r["suppressed_waz"]
        for col in HIDDEN_COLUMNS:
            assert pd.isna(r[col]), (level, kode, col, r[col])
    # the kab/kota above them stay shown
    assert not row(con, "kabkota", kode[:5], "bulan", "2025-07")["suppressed"]


def test_names_and_periods(con):
    r = row(con, "posyandu", "35.09.01.2001|MAWAR", "bulan_timbang", "2025-08")
    assert r["nama"] == "Mawar"
    assert (str(r["period_start"])[:10], str(r["period_end"])[:10]) == ("2025-08-01", "2025-08-31")
    assert (r["kode_kabkota"], r["kode_kecamatan"], r["kode_desa"], r["kode_induk"]) == (
        "35.09",
        "35.09.01",
        "35.09.01.2001",
        "35.09.01.2001",
    )
    assert row(con, "kecamatan", "35.09.01", "tahun", "2025")["nama"] == "Jombang"
    assert row(con, "kabkota", "35.10", "tahun", "2025")["nama"] == "Kabupaten Banyuwangi"
    assert row(con, "provinsi", "35", "tahun", "2025")["nama"] == "Jawa Timur"
    # bulan timbang: only August of the two months (config bulan_timbang = [2, 8])
    periods = con.execute(
        "SELECT DISTINCT period_type, period FROM mart_prevalensi ORDER BY ALL"
    ).fetchall()
    assert periods == [
        ("bulan", "2025-07"),
        ("bulan", "2025-08"),
        ("bulan_timbang", "2025-08"),
        ("tahun", "2025"),
    ]


def test_provincial_comparison(con):
    # provincial value July = 11/29; Jember 6/15 = 40.0 % is above, Banyuwangi 5/14 below
    prov = 100 * 11 / 29
    a = row(con, "kabkota", "35.09", "bulan", "2025-07")
    b = row(con, "kabkota", "35.10", "bulan", "2025-07")
    assert a["prov_pct_stunted"] == pytest.approx(prov)
    assert a["induk_pct_stunted"] == pytest.approx(prov)  # a kab/kota's parent is the province
    assert (a["prov_n_haz"], a["prov_n_stunted"]) == (29, 11)
    assert a["diff_pts"] == pytest.approx(40.0 - prov)
    assert (a["arah"], b["arah"]) == ("di atas", "di bawah")
    # exact one-sided binomial p-values against 11/29
    assert a["p_above"] == pytest.approx(binom.sf(5, 15, 11 / 29), rel=1e-12)
    assert a["p_below"] == pytest.approx(binom.cdf(6, 15, 11 / 29), rel=1e-12)
    assert b["p_below"] == pytest.approx(binom.cdf(5, 14, 11 / 29), rel=1e-12)
    assert (a["signif"], b["signif"]) == ("dalam", "dalam")
    # two kab/kota with children: too few units for an over-dispersion estimate
    assert pd.isna(a["phi"]) and a["signif_adj"] == "dalam"
    p = row(con, "provinsi", "35", "bulan", "2025-07")
    assert (p["diff_pts"], p["arah"], p["signif"], p["rank"]) == (0.0, "sama", None, None)


def test_ranks_among_the_38_and_within_parent(con, con_all):
    a = row(con, "kabkota", "35.09", "bulan", "2025-07")  # 40.0 %
    b = row(con, "kabkota", "35.10", "bulan", "2025-07")  # 35.7 %
    # only two kab/kota have children; with K = 2 the Bonferroni z is 1.96 and
    # (7/17 - 6/16) / sqrt(...) is far below it: both ranks are uncertain, interval 1-2
    assert (a["rank"], a["rank_lo"], a["rank_hi"], a["n_peers"]) == (1, 1, 2, 2)
    assert (b["rank"], b["rank_lo"], b["rank_hi"], b["n_peers"]) == (2, 1, 2, 2)
    # August: Jember 4/14 = 28.6 % ranks below Banyuwangi 5/14
    assert row(con, "kabkota", "35.09", "bulan", "2025-08")["rank"] == 2
    # Mawar is the only posyandu of its desa (min_cell 1: nothing suppressed)
    m = row(con_all, "posyandu", "35.09.01.2001|MAWAR", "bulan", "2025-07")
    assert (m["rank"], m["rank_lo"], m["rank_hi"], m["n_peers"]) == (1, 1, 1, 1)


def test_trend(con_all):
    m_jul = row(con_all, "posyandu", "35.09.01.2001|MAWAR", "bulan", "2025-07")
    m_aug = row(con_all, "posyandu", "35.09.01.2001|MAWAR", "bulan", "2025-08")
    assert pd.isna(m_jul["chg_prev_pts"])
    assert m_aug["chg_prev_pts"] == pytest.approx(100 * 3 / 11 - 100 * 5 / 11)
    # no February 2025 and no August 2024 in the data
    bt = row(con_all, "posyandu", "35.09.01.2001|MAWAR", "bulan_timbang", "2025-08")
    assert pd.isna(bt["chg_prev_pts"]) and pd.isna(bt["chg_yoy_pts"])


def test_kabkota_mart_has_every_kabkota_every_period(con):
    n = con.execute("SELECT count(*) FROM mart_prevalensi_kabkota").fetchone()[0]
    assert n == 38 * 4
    r = row(con, "kabkota", "35.78", "bulan", "2025-07", table="mart_prevalensi_kabkota")
    assert (r["nama"], r["n_children"], r["n_haz"], r["suppressed"]) == (
        "Kota Surabaya",
        0,
        0,
        False,
    )
    assert pd.isna(r["pct_stunted"]) and pd.isna(r["rank"])
    assert r["prov_pct_stunted"] == pytest.approx(100 * 11 / 29)
    same = con.execute(
        "SELECT count(*) FROM mart_prevalensi_kabkota k JOIN mart_prevalensi m "
        "USING (level, kode, period_type, period) WHERE k.pct_stunted IS NOT DISTINCT FROM "
        "m.pct_stunted AND k.rank IS NOT DISTINCT FROM m.rank"
    ).fetchone()[0]
    assert same == n


def test_empirical_bayes_by_hand(con_all):
    """Kecamatan of Jember, July: Jombang 5/11 and Kencong 1/4 (small, in the prior either way).
    m = 6/15; weighted variance s2 = sum n (r - m)^2 / sum n; tau2 = s2 - m(1-m)/mean n;
    the estimate is the crude rate when tau2 >= m(1-m) (prior strength <= 0), m when tau2 <= 0,
    else (x + m a) / (n + a) with a = m(1-m)/tau2 - 1."""
    units = [(5, 11), (1, 4)]
    m = 6 / 15
    s2 = sum(n * (x / n - m) ** 2 for x, n in units) / 15
    tau2 = s2 - m * (1 - m) / 7.5
    assert tau2 < 0  # little spread: every kecamatan shrinks to the mean
    r = row(con_all, "kecamatan", "35.09.01", "bulan", "2025-07")
    assert r["pct_stunted_eb"] == pytest.approx(100 * m)
    assert r["pct_stunted"] == pytest.approx(100 * 5 / 11)
    # no EB for kab/kota (their crude rates are stable)
    assert pd.isna(row(con_all, "kabkota", "35.09", "bulan", "2025-07")["pct_stunted_eb"])
