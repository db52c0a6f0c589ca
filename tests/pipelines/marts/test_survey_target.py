"""mart_target_list (SSGI 2024 and administrative references) and mart_survey_vs_admin."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.config import ConfigError
from pipelines.warehouse import connect_readonly
from tests.pipelines.marts.conftest import build_fixture_warehouse, marts_config

# The 19 kab/kota above the provincial SSGI 2024 value of 14.7 %, as listed in
# ../shared/reference/README.md ("The 19, inferred").
SSGI_2024_ABOVE = {
    "Kabupaten Jember",
    "Kabupaten Probolinggo",
    "Kabupaten Pasuruan",
    "Kota Batu",
    "Kabupaten Lumajang",
    "Kabupaten Malang",
    "Kota Probolinggo",
    "Kabupaten Nganjuk",
    "Kota Malang",
    "Kabupaten Pamekasan",
    "Kabupaten Sampang",
    "Kota Pasuruan",
    "Kabupaten Blitar",
    "Kabupaten Banyuwangi",
    "Kabupaten Bangkalan",
    "Kota Kediri",
    "Kabupaten Jombang",
    "Kabupaten Mojokerto",
    "Kabupaten Gresik",
}


def test_ssgi_2024_reference_gives_the_19(con):
    rows = con.execute(
        "SELECT nama, value, provincial_value, above, rank, selected FROM mart_target_list "
        "WHERE reference = 'ssgi_2024'"
    ).df()
    assert len(rows) == 38
    assert set(rows.loc[rows["above"], "nama"]) == SSGI_2024_ABOVE
    assert (rows["provincial_value"] == 14.7).all() and rows["selected"].all()
    top = rows.sort_values("rank").iloc[0]
    assert (top["nama"], top["value"], top["rank"]) == ("Kabupaten Jember", 30.4, 1)
    # Tulungagung 13.6 is the nearest below the line
    assert not rows.loc[rows["nama"] == "Kabupaten Tulungagung", "above"].item()


def test_admin_reference_uses_latest_bulan_timbang(con):
    rows = con.execute(
        "SELECT kode_kabkota, period_type, period, value, provincial_value, above, rank, "
        "selected FROM mart_target_list WHERE reference = 'admin' ORDER BY kode_kabkota"
    ).df()
    assert len(rows) == 38
    assert set(rows["period"]) == {"2025-08"} and set(rows["period_type"]) == {"bulan_timbang"}
    assert not rows["selected"].any()
    jember = rows[rows["kode_kabkota"] == "35.09"].iloc[0]
    banyuwangi = rows[rows["kode_kabkota"] == "35.10"].iloc[0]
    assert jember["value"] == pytest.approx(100 * 4 / 14)
    assert jember["provincial_value"] == pytest.approx(100 * 9 / 28)
    assert (bool(jember["above"]), bool(banyuwangi["above"])) == (False, True)
    assert (jember["rank"], banyuwangi["rank"]) == (2, 1)
    # kab/kota without children: no value, no rank, "above" unknown
    empty = rows[rows["kode_kabkota"] == "35.78"].iloc[0]
    assert pd.isna(empty["above"]) and pd.isna(empty["rank"]) and pd.isna(empty["value"])


def test_selected_reference_follows_config(tmp_path):
    path = build_fixture_warehouse(
        tmp_path / "w.duckdb", marts_config(target_list={"reference": "admin"})
    )
    con = connect_readonly(path)
    try:
        selected = con.execute(
            "SELECT DISTINCT reference FROM mart_target_list WHERE selected"
        ).fetchall()
        above = con.execute(
            "SELECT kode_kabkota FROM mart_target_list WHERE selected AND above"
        ).fetchall()
    finally:
        con.close()
    assert selected == [("admin",)] and above == [("35.10",)]


def test_unknown_target_reference_is_refused_before_the_build(tmp_path):
    with pytest.raises(ConfigError, match="target_list.reference: expected one of"):
        build_fixture_warehouse(
            tmp_path / "w.duckdb", marts_config(target_list={"reference": "ski_2023"})
        )
    assert not (tmp_path / "w.duckdb").exists()


def test_survey_beside_admin(con):
    r = (
        con.execute(
            "SELECT * FROM mart_survey_vs_admin WHERE kode_kabkota = '35.09' "
            "AND period_type = 'tahun' AND period = '2025'"
        )
        .df()
        .iloc[0]
    )
    admin = 100 * 6 / 16
    assert r["admin_pct_stunted"] == pytest.approx(admin)
    assert (r["ssgi_2022"], r["ssgi_2024"]) == (34.9, 30.4)  # reference README, Jember
    assert r["ratio_ssgi_2024"] == pytest.approx(admin / 30.4)
    assert r["ratio_ssgi_2022"] == pytest.approx(admin / 34.9)
    n = con.execute("SELECT count(*) FROM mart_survey_vs_admin").fetchone()[0]
    assert n == 38 * 4
    cols = {c[0] for c in con.execute("DESCRIBE mart_survey_vs_admin").fetchall()}
    assert not any("rank" in c for c in cols)  # survey and admin are never ranked together
