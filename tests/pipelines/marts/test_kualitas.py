"""mart_kualitas_data golden values, recomputed in Python from the fixture rows, and the
threshold table."""

from __future__ import annotations

import math
import statistics
from collections import Counter

import pandas as pd
import pytest

from pipelines.warehouse import connect_readonly
from tests.pipelines.marts import fixture
from tests.pipelines.marts.conftest import build_fixture_warehouse, marts_config


def q(con, level: str, kode: str, period_type: str, period: str) -> dict:
    df = con.execute(
        "SELECT * FROM mart_kualitas_data WHERE level = ? AND kode = ? AND period_type = ? "
        "AND period = ?",
        [level, kode, period_type, period],
    ).df()
    assert len(df) == 1
    return df.iloc[0].to_dict()


def rows_of(kab: str, month: str) -> pd.DataFrame:
    st = pd.DataFrame(fixture.staging_rows())
    st = st[(st["age_months"] < 60) & (st["kode_kabkota"] == kab)]
    return st[pd.to_datetime(st["measurement_date"]).dt.strftime("%Y-%m") == month]


def dps(values: pd.Series) -> float:
    """Digit preference score (SMART): 100 sqrt(chi2 / (N * 9)) over the 10 decimal digits."""
    digits = Counter(round(v * 10) % 10 for v in values.dropna())
    n = sum(digits.values())
    chi2 = sum((digits.get(d, 0) - n / 10) ** 2 / (n / 10) for d in range(10))
    return 100 * math.sqrt(chi2 / (n * 9))


def test_jember_july_by_hand(con):
    st = rows_of("35.09", "2025-07")
    r = q(con, "kabkota", "35.09", "bulan", "2025-07")
    assert (r["n_measurements"], r["n_children"]) == (16, 16)
    assert r["n_flag_haz"] == 1 and r["pct_flag_haz"] == pytest.approx(100 / 16)  # A05
    assert r["n_flag_whz"] == 1 and r["pct_flag_whz"] == pytest.approx(100 / 16)  # A09
    unflagged = st.loc[st["flen"] == 0, "zlen"]
    assert r["sd_haz"] == pytest.approx(statistics.stdev(unflagged))
    # heights: 14 end in .0/.5, two in .3
    assert r["pct_height_digit_05"] == pytest.approx(100 * 14 / 16)
    assert r["dps_height"] == pytest.approx(dps(st["lenhei_cm"]))
    assert r["dps_weight"] == pytest.approx(100.0)  # every weight is 10.0
    born_1_15 = sum(d.day in (1, 15) for d in st["birth_date"])
    assert r["heaping_index"] == pytest.approx(100 * (born_1_15 / 16) / (24 / 365.25))
    # the file of Jember July: 16 staged + 2 rejected
    assert (r["n_rows_read"], r["n_rows_rejected"]) == (18, 2)
    assert r["pct_rejected"] == pytest.approx(100 * 2 / 18)
    # D/S: 12 of Mawar's children weighed against its KES01 sasaran of 15; Melati has no S
    assert (r["n_d"], r["n_d_with_s"], r["n_s"]) == (16, 12, 15)
    assert r["pct_ds"] == pytest.approx(80.0)
    assert (r["n_posyandu_known"], r["n_posyandu_bulan"], r["pct_reporting"]) == (2, 2, 100.0)


def test_classes_and_score(con):
    r = q(con, "kabkota", "35.09", "bulan", "2025-07")
    # flagged 6.25 % -> bermasalah (20); |SD - 1| -> its class; DPS 100 -> bermasalah (10)
    assert r["kelas_flag"] == "bermasalah" and r["kelas_dps"] == "bermasalah"
    sd_dev = max(abs(r["sd_haz"] - 1), abs(r["sd_waz"] - 1), abs(r["sd_whz"] - 1))
    classes = {"sangat baik": 0, "baik": 5, "cukup": 10, "bermasalah": 20}
    sd_class = (
        "sangat baik"
        if sd_dev < 0.1
        else "baik"
        if sd_dev < 0.15
        else "cukup"
        if sd_dev < 0.2
        else "bermasalah"
    )
    assert r["kelas_sd"] == sd_class
    heaping_points = {"sangat baik": 0, "baik": 2, "cukup": 4, "bermasalah": 10}
    assert r["kelas_heaping"] == "bermasalah"  # index far above 175 in this fixture
    assert r["kelas_missing"] == "sangat baik"
    assert r["skor"] == 20 + classes[sd_class] + 10 + 10 + heaping_points["sangat baik"]
    assert r["kelas_plausibilitas"] == "bermasalah"


def test_missing_and_label_disagreement(con):
    # Banyuwangi August: B07's height has no measuring position (1 of 14)
    r = q(con, "kabkota", "35.10", "bulan", "2025-08")
    assert r["pct_missing_measure"] == pytest.approx(100 / 14)
    assert r["pct_missing"] == pytest.approx(100 / 14)
    assert r["kelas_missing"] == "cukup"  # 7.1 %: 5 <= v < 10
    # Jember August: A07 weighed only (no height); e-PPGBM says Pendek for A03's -2.00
    r = q(con, "kabkota", "35.09", "bulan", "2025-08")
    assert r["pct_missing_height"] == pytest.approx(100 / 16)
    assert r["pct_kat_tbu_disagree"] == pytest.approx(100 / 15)


def test_suppression_matches_the_prevalence_mart(con):
    r = q(con, "kecamatan", "35.09.02", "bulan", "2025-07")
    assert r["suppressed"] and r["kelas_plausibilitas"] is None
    assert pd.isna(r["n_measurements"]) and pd.isna(r["skor"])
    # the children's suppression, complementary suppression included: Jombang (12 children)
    # is hidden in both marts because showing it would give Kencong as Jember minus Jombang
    assert q(con, "kecamatan", "35.09.01", "bulan", "2025-07")["suppressed"]
    mismatched = con.execute(
        "SELECT count(*) FROM mart_kualitas_data k JOIN mart_prevalensi p "
        "USING (level, kode, period_type, period) WHERE k.suppressed <> p.suppressed_anak "
        "OR k.n_children IS DISTINCT FROM p.n_children"
    ).fetchone()[0]
    assert mismatched == 0


def test_year_rows_roll_up_the_months(con):
    y = q(con, "provinsi", "35", "tahun", "2025")
    months = [q(con, "provinsi", "35", "bulan", m) for m in ("2025-07", "2025-08")]
    assert y["n_measurements"] == sum(m["n_measurements"] for m in months)
    assert y["n_flag_haz"] == sum(m["n_flag_haz"] for m in months)
    assert y["n_posyandu_bulan"] == sum(m["n_posyandu_bulan"] for m in months)
    # two months in the reporting window, 4 posyandu known, 8 posyandu-months reported
    assert y["pct_reporting"] == pytest.approx(100.0)


def test_threshold_table(con):
    t = con.execute("SELECT * FROM mart_kualitas_ambang ORDER BY metric, urutan").df()
    assert set(t["metric"]) == {"pct_flag", "sd_dev", "dps", "heaping", "pct_missing", "skor"}
    for metric, g in t.groupby("metric"):
        assert list(g["kelas"]) == ["sangat baik", "baik", "cukup", "bermasalah"], metric
        # classes tile [0, inf): each upper bound is the next lower bound
        assert g["batas_bawah"].iloc[0] == 0 and pd.isna(g["batas_atas"].iloc[-1])
        assert list(g["batas_atas"].iloc[:-1]) == list(g["batas_bawah"].iloc[1:])
    flag = t[t["metric"] == "pct_flag"]
    assert list(flag["batas_atas"].iloc[:3]) == [1.0, 1.5, 2.0]
    assert t["sumber"].notna().all()


def test_no_metric_over_fewer_than_min_cell_of_its_own_denominator(tmp_path, monkeypatch):
    """Jember, August 2025, with the heights of A01 and A02 left out: 15 balita (shown at
    min_cell 14, as is Banyuwangi's 14), 13 with a height. The height-based figures and the
    label comparison (13 each) are hidden; the figures over every measurement stay. At
    min_cell 13 they are shown."""
    rows = fixture.staging_rows()
    for r in rows:
        if (r["kode_kabkota"] == "35.09" and f"{r['measurement_date']}".startswith("2025-08")
                and r["child_key"][-3:] in ("A01", "A02")):
            r.update(lenhei_cm=None, measure=None, zlen=None, flen=None, zwfl=None, fwfl=None,
                     kat_tbu=None)
    monkeypatch.setattr(fixture, "staging_rows", lambda: rows)
    shown = {}
    for min_cell in (13, 14):
        path = build_fixture_warehouse(tmp_path / f"w{min_cell}.duckdb",
                                       marts_config(prevalence={"min_cell": min_cell}))
        with connect_readonly(path) as con:
            shown[min_cell] = q(con, "kabkota", "35.09", "bulan", "2025-08")
    r = shown[14]
    assert not r["suppressed"] and r["n_children"] == 15 and r["n_measurements"] == 16
    assert r["pct_missing_height"] == pytest.approx(100 * 3 / 16)   # over 16 measurements
    for over_13 in ("pct_kat_tbu_disagree", "pct_height_digit_05", "dps_height", "sd_haz",
                    "pct_flag_haz"):
        assert pd.isna(r[over_13]), over_13
        assert not pd.isna(shown[13][over_13]), over_13
    assert not pd.isna(r["pct_flag_waz"]) and not pd.isna(r["sd_waz"])  # every weight is there
