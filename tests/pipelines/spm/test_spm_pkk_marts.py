"""SPM coverage, PKK and joined marts on a small fixture, against numbers worked out by hand."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pipelines.config import SQL_DIR, default_config
from pipelines.ingest import pkk, spm
from pipelines.ingest.load import ingest_files
from pipelines.marts import _run_python_model, run_audits
from pipelines.warehouse import connect_readonly
from tests.warehouse_copy import writable_copy

TODAY = datetime.date(2026, 1, 1)

SPM_HEADER = ["Kab/Kota", "Kec", "Desa/Kel", "Posyandu", "Bulan", "Bidang", "Kode Indikator",
              "Sasaran", "Dilayani"]
JOMBANG = ("KAB. JEMBER", "Jombang")
SPM_ROWS = [
    # August: five posyandu report
    [*JOMBANG, "Padomasan", "Melati 1", "2025-08", "Kesehatan", "KES01", 40, 30],
    [*JOMBANG, "Padomasan", "Melati 1", "2025-08", "Kesehatan", "KES02", 40, 20],
    [*JOMBANG, "Padomasan", "Melati 1", "2025-08", "Pendidikan", "PDK01", 10, 5],
    [*JOMBANG, "Padomasan", "Melati 2", "2025-08", "Kesehatan", "KES01", 25, 25],
    [*JOMBANG, "Padomasan", "Melati 2", "2025-08", "Kesehatan", "KES02", 25, 26],  # over target
    [*JOMBANG, "Keting", "Mawar", "2025-08", "Kesehatan", "KES01", 20, 10],
    [*JOMBANG, "Keting", "Mawar", "2025-08", "Pekerjaan Umum", "PU01", 8, 2],
    ["KAB. JEMBER", "Kencong", "Cakru", "Anggrek", "2025-08", "Kesehatan", "KES01", 30, 27],
    ["KOTA MALANG", "Blimbing", "Arjosari", "Kenanga", "2025-08", "Kesehatan", "KES01", 50, 45],
    ["KOTA MALANG", "Blimbing", "Arjosari", "Kenanga", "2025-08", "Sosial", "SOS01", 4, 4],
    # September: only two posyandu report
    [*JOMBANG, "Padomasan", "Melati 1", "2025-09", "Kesehatan", "KES01", 40, 36],
    [*JOMBANG, "Padomasan", "Melati 1", "2025-09", "Kesehatan", "KES02", 40, 40],
    [*JOMBANG, "Keting", "Mawar", "2025-09", "Kesehatan", "KES01", 20, 15],
]
PKK_HEADER = ["Kab/Kota", "Kec", "Desa/Kel", "Bulan", "Jml KRT", "Jml KK", "Balita L", "Balita P",
              "Ibu Hamil", "Sehat Layak Huni", "Tidak Sehat Layak Huni",
              "Memiliki Sarana MCK dan Septic Tank", "PDAM", "Sumur", "Sungai", "DLL"]
PKK_ROWS = [
    [*JOMBANG, "Padomasan", "2025-08", 100, 110, 10, 12, 3, 90, 10, 80, 30, 60, 5, 5],
    [*JOMBANG, "Keting", "2025-08", 50, 52, None, None, 2, 45, 5, 40, 10, 40, 0, 0],
    [*JOMBANG, "Padomasan", "2025-09", 102, 112, 11, 12, 4, 92, 10, 85, 32, 60, 5, 5],
    # KK < KRT and 10 houses not assessed: staged, flagged
    ["KAB. JEMBER", "Kencong", "Cakru", "2025-09", 80, 70, None, None, 1, 60, 10, 40, 20, 50, 5, 5],
    ["KOTA MALANG", "Blimbing", "Arjosari", "Agustus 2025", 60, 61, 6, 6, 1, 55, 5, 60, 60, 0, 0, 0],
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, csv_file, xlsx_file) -> Path:
    folder = tmp_path_factory.mktemp("marts")
    spm_file = csv_file(folder / "spm_golden.csv", SPM_HEADER, SPM_ROWS, delimiter=";")
    pkk_file = xlsx_file(folder / "pkk_golden.xlsx", PKK_HEADER, PKK_ROWS,
                          titles=["REKAPITULASI CATATAN DATA DAN KEGIATAN WARGA TP PKK DESA/KELURAHAN"])
    results = ingest_files([(spm.SOURCE, spm_file), (pkk.SOURCE, pkk_file)],
                           warehouse=folder / "w.duckdb", today=TODAY)
    assert [(r.rows_read, r.rows_staged) for r in results] == [(13, 13), (5, 5)]
    return folder / "w.duckdb"


@pytest.fixture(scope="module")
def q(built):
    con = connect_readonly(built)

    def run(sql, params=()):
        return con.execute(sql, list(params)).fetchall()

    yield run
    con.close()


COVERAGE = ("SELECT sasaran, dilayani, pct_coverage, n_posyandu_reporting, n_posyandu_known, "
            "pct_reporting, n_over_target, over_target, n_belum_dilayani FROM mart_spm_coverage "
            "WHERE level = ? AND kode = ? AND period_type = ? AND period = ? AND kode_indikator = ?")


@pytest.mark.parametrize("key, expected", [
    # Jember, August, KES01: 40+25+20+30 served 30+25+10+27; 4 of the 4 known posyandu reported
    (("kabkota", "35.09", "bulan", "2025-08", "KES01"), (115, 92, 80.0, 4, 4, 100.0, 0, False, 23)),
    # KES02: 65 sasaran, 46 served = 70.769 %; Melati 2 served 26 of 25 (counted, not capped)
    (("kabkota", "35.09", "bulan", "2025-08", "KES02"), (65, 46, 100 * 46 / 65, 2, 4, 50.0, 1, False, 19)),
    (("posyandu", "35.09.01.2001|MELATI 2", "bulan", "2025-08", "KES02"), (25, 26, 104.0, 1, 1, 100.0, 1, True, 0)),
    (("kecamatan", "35.09.01", "bulan", "2025-08", "KES01"), (85, 65, 100 * 65 / 85, 3, 3, 100.0, 0, False, 20)),
    (("kabkota", "35.09", "bulan", "2025-09", "KES01"), (60, 51, 85.0, 2, 4, 50.0, 0, False, 9)),
    # the year pools both months: (115 + 60) sasaran, (92 + 51) served
    (("kabkota", "35.09", "tahun", "2025", "KES01"), (175, 143, 100 * 143 / 175, 4, 4, 100.0, 0, False, 32)),
    (("provinsi", "35", "bulan", "2025-08", "KES01"), (165, 137, 100 * 137 / 165, 5, 5, 100.0, 0, False, 28)),
    (("desa", "35.73.01.1002", "bulan", "2025-08", "SOS01"), (4, 4, 100.0, 1, 1, 100.0, 0, False, 0)),
])
def test_golden_coverage_rows(q, key, expected):
    [got] = q(COVERAGE, key)
    assert got[:2] == expected[:2]
    assert got[2] == pytest.approx(expected[2])
    assert got[3:] == expected[3:]


def test_coverage_states_its_basis_and_names(q):
    assert q("SELECT DISTINCT basis FROM mart_spm_coverage") == [
        ("posyandu service coverage (served ÷ posyandu sasaran), not official SPM achievement",)]
    assert q("SELECT DISTINCT level, nama FROM mart_spm_coverage WHERE kode IN ('35', '35.09', "
             "'35.09.01.2001|MELATI 1') ORDER BY 1") == [
        ("kabkota", "Kabupaten Jember"), ("posyandu", "Melati 1"), ("provinsi", "Jawa Timur")]


FIELD = ("SELECT sasaran, dilayani, pct_coverage_pooled, pct_coverage_median, n_indicators, "
         "n_posyandu_reporting, n_posyandu_known FROM mart_spm_field "
         "WHERE level = ? AND kode = ? AND period_type = ? AND period = ? AND bidang = ?")


@pytest.mark.parametrize("key, expected", [
    # Jember Kesehatan, August: KES01 92 of 115 + KES02 46 of 65, pooled and median
    (("kabkota", "35.09", "bulan", "2025-08", "Kesehatan"),
     (180, 138, 100 * 138 / 180, (80.0 + 100 * 46 / 65) / 2, 2, 4, 4)),
    (("kabkota", "35.09", "bulan", "2025-08", "Pendidikan"), (10, 5, 50.0, 50.0, 1, 1, 4)),
    (("provinsi", "35", "bulan", "2025-08", "Kesehatan"),
     (230, 183, 100 * 183 / 230, (100 * 137 / 165 + 100 * 46 / 65) / 2, 2, 5, 5)),
    (("kabkota", "35.09", "tahun", "2025", "Kesehatan"),
     (280, 229, 100 * 229 / 280, (100 * 143 / 175 + 100 * 86 / 105) / 2, 2, 4, 4)),
    (("kabkota", "35.73", "bulan", "2025-08", "Sosial"), (4, 4, 100.0, 100.0, 1, 1, 1)),
])
def test_golden_field_rows(q, key, expected):
    [got] = q(FIELD, key)
    assert got[:2] == expected[:2]
    assert got[2:4] == pytest.approx(expected[2:4])
    assert got[4:] == expected[4:]


def test_completeness(q):
    rows = q("SELECT posyandu_nama, period, reported, n_indikator_reported, n_bidang_reported "
             "FROM mart_spm_completeness ORDER BY posyandu_key, period")
    assert len(rows) == 10  # 5 known posyandu x 2 months
    assert sum(r[2] for r in rows) == 7
    assert ("Melati 1", "2025-08", True, 3, 2) in rows
    assert ("Melati 2", "2025-09", False, 0, 0) in rows


PKK = ("SELECT numerator, denominator, value, n_desa_reporting, n_desa_known FROM mart_pkk "
       "WHERE level = ? AND kode = ? AND period_type = ? AND period = ? AND kode_indikator = ?")


@pytest.mark.parametrize("key, expected", [
    # (80 + 40) households with a latrine and septic tank of (100 + 50)
    (("kecamatan", "35.09.01", "bulan", "2025-08", "jamban_septic"), (120, 150, 80.0, 2, 2)),
    # Keting left Balita empty: only Padomasan's 22 balita per 100 KRT count
    (("kecamatan", "35.09.01", "bulan", "2025-08", "balita"), (22, 100, 22.0, 1, 2)),
    # the year takes each desa's latest month: Padomasan Sep 85/102, Keting Aug 40/50, Cakru Sep 40/80
    (("kabkota", "35.09", "tahun", "2025", "jamban_septic"), (165, 232, 100 * 165 / 232, 3, 3)),
    (("kabkota", "35.09", "bulan", "2025-09", "air_layak"), (52, 182, 100 * 52 / 182, 2, 3)),
    (("desa", "35.09.01.2001", "bulan", "2025-08", "ibu_hamil"), (3, 100, 3.0, 1, 1)),
    (("provinsi", "35", "bulan", "2025-08", "tidak_layak_huni"), (20, 210, 100 * 20 / 210, 3, 4)),
    (("provinsi", "35", "bulan", "2025-08", "air_sumur"), (100, 210, 100 * 100 / 210, 3, 4)),
])
def test_golden_pkk_rows(q, key, expected):
    [got] = q(PKK, key)
    assert got[:2] == expected[:2]
    assert got[2] == pytest.approx(expected[2])
    assert got[3:] == expected[3:]


def test_pkk_indicators_without_data_have_no_rows(q):
    assert q("SELECT count(*) FROM mart_pkk WHERE kode_indikator IN ('tiga_buta', 'stiker_p4k')") == [(0,)]


def test_pkk_indicator_mapping_is_data(q):
    rows = q("SELECT kode, numerator, denominator, bidang_spm, direction FROM mart_pkk_indikator")
    by_code = {r[0]: r[1:] for r in rows}
    assert by_code["air_layak"] == ("air_pdam", "jml_krt", "Pekerjaan Umum", "higher_better")
    assert by_code["air_sumur"][3] == "neutral"  # well water: quality unknown (domain 4.4)
    assert by_code["jamban_septic"] == ("jamban_septic", "jml_krt", "Pekerjaan Umum", "higher_better")
    assert {r[3] for r in rows} <= {"Kesehatan", "Pendidikan", "Sosial", "Pekerjaan Umum",
                                    "Perumahan Rakyat", "Trantibumlinmas"}
    assert {r[4] for r in rows} == {"higher_better", "higher_worse", "neutral"}
    staged = {r[0] for r in q("DESCRIBE stg_pkk")}
    for num, den, *_ in by_code.values():
        assert set(num.split("+")) | set(den.split("+")) <= staged


def test_flags_show_possible_but_surprising_values(q):
    assert sorted(q("SELECT source, flag, kode_desa, file_name FROM mart_spm_pkk_flags")) == [
        ("pkk", "kk_kurang_dari_krt", "35.09.02.2001", "pkk_golden.xlsx"),
        ("pkk", "rumah_belum_dinilai", "35.09.02.2001", "pkk_golden.xlsx"),
        ("spm", "over_target", "35.09.01.2001", "spm_golden.csv"),
    ]


def _spm_audits(con) -> dict[str, int]:
    return {k: v for k, v in run_audits(con, {"spm"}).items() if k.startswith("spm_")}


def test_audits_pass_and_can_fail(built, tmp_path):
    with connect_readonly(built) as con:
        assert _spm_audits(con) == {}
    copy = tmp_path / "tampered.duckdb"
    with writable_copy(built, copy) as con:
        con.execute("DELETE FROM mart_spm_pkk_flags WHERE flag = 'over_target'")
        con.execute("UPDATE mart_spm_coverage SET dilayani = dilayani + 1 WHERE level = 'kabkota'")
        con.execute("INSERT INTO stg_pkk (file_sha256, row_number, kode_kabkota, kode_kecamatan, "
                    "kode_desa, bulan, jml_krt, jamban_septic) VALUES ('x', 1, '35.09', '35.09.01', "
                    "'35.09.01.2003', DATE '2025-08-01', 10, 11)")
        failures = _spm_audits(con)
    assert set(failures) >= {"spm_over_target_flagged", "spm_coverage_reconciles",
                             "spm_pkk_consistent", "spm_accounting"}


def _run_joined(con) -> None:
    models = SQL_DIR / "marts" / "spm"
    _run_python_model(models / "40_stunting_source.py", con, default_config())
    con.execute((models / "41_mart_stunting_spm_pkk.sql").read_text())


def test_joined_view_puts_prevalence_beside_coverage_and_risk_factors(built, tmp_path):
    copy = tmp_path / "joined.duckdb"
    with writable_copy(built, copy) as con:
        # a stand-in for the stunting domain's mart, with the columns the joined view reads
        con.execute("DROP TABLE IF EXISTS mart_prevalensi")
        con.execute("""CREATE TABLE mart_prevalensi AS SELECT * FROM (VALUES
            ('kabkota', '35.09', 'tahun', '2025', 1000, 150, 15.0, false),
            ('kecamatan', '35.09.01', 'bulan', '2025-08', NULL, NULL, NULL, true),
            ('desa', '35.09.01.2001', 'tahun', '2025', 40, 8, 20.0, false))
            AS t(level, kode, period_type, period, n_haz, n_stunted, pct_stunted, suppressed)""")
        _run_joined(con)
        rows = con.execute(
            "SELECT level, kode, period_type, period, sumber, kode_indikator, value, pct_stunted, "
            "suppressed FROM mart_stunting_spm_pkk").fetchall()
    index = {r[:6]: r[6:] for r in rows}
    assert {r[0] for r in rows} == {"kabkota", "kecamatan"}
    assert index[("kabkota", "35.09", "tahun", "2025", "spm", "Kesehatan")] == pytest.approx(
        (100 * 229 / 280, 15.0, False))
    assert index[("kabkota", "35.09", "tahun", "2025", "pkk", "jamban_septic")] == pytest.approx(
        (100 * 165 / 232, 15.0, False))
    assert index[("kecamatan", "35.09.01", "bulan", "2025-08", "pkk", "balita")] == (22.0, None, True)
    assert index[("kabkota", "35.73", "bulan", "2025-08", "spm", "Sosial")] == (100.0, None, None)


def test_joined_view_builds_without_the_stunting_mart(built, tmp_path):
    copy = tmp_path / "nostunting.duckdb"
    with writable_copy(built, copy) as con:
        con.execute("DROP TABLE IF EXISTS mart_prevalensi")
        _run_joined(con)
        n, n_prev = con.execute("SELECT count(*), count(pct_stunted) FROM mart_stunting_spm_pkk").fetchone()
    assert n > 0 and n_prev == 0


def test_marts_build_on_empty_staging(tmp_path):
    warehouse = tmp_path / "empty.duckdb"
    assert ingest_files([], warehouse=warehouse, today=TODAY) == []
    with connect_readonly(warehouse) as con:
        for table in ("mart_spm_coverage", "mart_spm_field", "mart_spm_completeness", "mart_pkk",
                      "mart_spm_pkk_flags", "mart_stunting_spm_pkk"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM mart_pkk_indikator").fetchone()[0] == 23
        assert _spm_audits(con) == {}


def test_mapping_naming_an_unknown_column_fails_loudly(built, tmp_path):
    copy = tmp_path / "badmap.duckdb"
    with writable_copy(built, copy) as con:
        con.execute("UPDATE mart_pkk_indikator SET numerator = 'air_pdam+air_hujan' WHERE kode = 'air_layak'")
        with pytest.raises(ValueError, match=r"air_layak names \['air_hujan'\]"):
            _run_python_model(SQL_DIR / "marts" / "spm" / "21_pkk_desa.py", con, default_config())
