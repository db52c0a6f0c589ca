"""`tumbuh ingest intervensi`: daily wide reports -> raw_intervensi, stg_intervensi (long),
rejects; format variants, every reject reason, row accounting, privacy, idempotent re-load."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.warehouse import connect_readonly
from tests.pipelines.intervensi.conftest import (
    HEADER,
    PELAPOR,
    audit_failures,
    load,
    query,
    write_csv,
    write_xlsx,
)
from tumbuh_cli import main as cli_main

TITLES = [
    "LAPORAN HARIAN INTERVENSI STUNTING",
    "Kab/Kota : KAB. JEMBER",
    "Data Tanggal : 2025-12-05",
]


def report(tanggal, kab="KAB. JEMBER", kec=None, counts=(10, 2, 1, 200, 5, 0, 1), note=None):
    return [tanggal, kab, kec, PELAPOR, *counts, note]


def staged(warehouse):
    return query(
        warehouse,
        "SELECT row_number, tanggal, kode_kabkota, kode_kecamatan, activity, jumlah "
        "FROM stg_intervensi ORDER BY row_number, activity",
    )


def test_wide_rows_become_one_staged_value_per_activity(tmp_path, warehouse):
    rows = [
        report("2025-11-10"),
        report(
            "11/11/2025", kec="Kencong", counts=(3, None, None, "", 0, None, None), note="hujan"
        ),
    ]
    [result] = load(warehouse, write_csv(tmp_path / "jember.csv", rows, titles=TITLES))
    assert (result.rows_read, result.rows_staged, result.rows_rejected, result.fatal) == (
        2,
        2,
        0,
        False,
    )
    got = staged(warehouse)
    d10, d11 = dt.date(2025, 11, 10), dt.date(2025, 11, 11)
    assert got == [
        (5, d10, "35.09", None, "confirmed", 2),
        (5, d10, "35.09", None, "home_visits", 5),
        (5, d10, "35.09", None, "kader_trained", 0),
        (5, d10, "35.09", None, "kelas_ibu_balita", 1),
        (5, d10, "35.09", None, "pmt_days", 200),
        (5, d10, "35.09", None, "referred", 1),
        (5, d10, "35.09", None, "remeasured", 10),
        # empty cells give no row (not a zero); an explicit 0 does
        (6, d11, "35.09", "35.09.02", "home_visits", 0),
        (6, d11, "35.09", "35.09.02", "remeasured", 3),
    ]
    assert query(warehouse, "SELECT extraction_date, header_row FROM load_files") == [
        (dt.date(2025, 12, 5), 4)
    ]


def test_pelapor_never_reaches_the_warehouse(tmp_path, warehouse):
    rows = [report("2025-11-10"), report("kemarin")]
    load(warehouse, write_csv(tmp_path / "a.csv", rows, titles=TITLES))
    raw_columns = [
        r[0]
        for r in query(
            warehouse,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'raw_intervensi'",
        )
    ]
    assert "pelapor" not in raw_columns and "keterangan" in raw_columns
    texts = query(
        warehouse,
        "SELECT CAST(r AS VARCHAR) FROM raw_intervensi AS r "
        "UNION ALL SELECT CAST(j AS VARCHAR) FROM rejects AS j",
    )
    assert texts and not any("Sulastri" in t[0] for t in texts)


@pytest.mark.parametrize("variant", ["csv_semicolon_cp1252", "xlsx", "aliases_and_excel_serial"])
def test_format_variants_stage_the_same_values(tmp_path, warehouse, variant):
    header = HEADER
    if variant == "csv_semicolon_cp1252":
        path = write_csv(
            tmp_path / "a.csv",
            [report("10-11-2025", kab="Kab Jember", note="Dinkes: PMT é")],
            titles=["LAPORAN HARIAN"],
            delimiter=";",
            encoding="cp1252",
        )
    elif variant == "xlsx":  # a real date cell, as Excel users type it
        path = write_xlsx(tmp_path / "a.xlsx", [report(dt.date(2025, 11, 10))], titles=TITLES)
    else:
        header = [
            "Tgl",
            "Kabupaten/Kota",
            "Kecamatan",
            "Nama Pelapor",
            "Diukur Ulang",
            "Terkonfirmasi Nakes",
            "Rujukan",
            "Hari PMT",
            "Kunjungan Rumah",
            "Kader Dilatih",
            "Kelas Ibu Balita",
            "Ket",
        ]
        path = write_csv(tmp_path / "a.csv", [report("45971", kab="3509")], header=header)
    [result] = load(warehouse, path)
    assert (result.rows_read, result.rows_staged) == (1, 1)
    assert {(r[4], r[5]) for r in staged(warehouse)} == {
        ("remeasured", 10),
        ("confirmed", 2),
        ("referred", 1),
        ("pmt_days", 200),
        ("home_visits", 5),
        ("kader_trained", 0),
        ("kelas_ibu_balita", 1),
    }
    assert {r[1] for r in staged(warehouse)} == {dt.date(2025, 11, 10)}


def test_every_reject_reason_and_row_accounting(tmp_path, warehouse):
    rows = [
        report("2025-11-10"),  # line 5: staged
        report(""),  # 6 tanggal (empty)
        report("31/02/2025"),  # 7 tanggal (impossible)
        report("2025-12-06"),  # 8 future_date (after Data Tanggal)
        report("2025-11-11", kab="MALANG"),  # 9 kabkota (ambiguous)
        report("2025-11-11", kab="KAB. ANTAH"),  # 10 kabkota (unknown)
        report("2025-11-11", kec="Antah Berantah"),  # 11 kecamatan
        report(
            "2025-11-11", counts=(10, 2, "1,5", 200, "5a", 0, 1)
        ),  # 12 bad_number (first: Dirujuk)
        report("2025-11-11", counts=(-1, 2, 1, 200, 5, 0, 1)),  # 13 bad_number (negative)
        report("2025-11-11", counts=(None, "-", "", None, None, None, None)),  # 14 no_value
        report("2025-11-10", counts=(1, 1, 1, 1, 1, 1, 1)),  # 15 duplicate of line 5
        report("2025-11-10", kec="Kencong"),  # 16 staged: another area
        ["JUMLAH", None, None, None, 100, 20, 10, 2000, 50, 0, 10, None],  # total row: not data
        ["Dicetak 2025-12-05"] + [None] * 11,  # footer: not data
    ]
    [result] = load(warehouse, write_csv(tmp_path / "r.csv", rows, titles=TITLES))
    assert (result.rows_read, result.rows_staged, result.rows_rejected) == (12, 2, 10)
    assert result.rejected_by_reason == {
        "tanggal": 2,
        "future_date": 1,
        "kabkota": 2,
        "kecamatan": 1,
        "bad_number": 2,
        "no_value": 1,
        "duplicate": 1,
    }
    got = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "SELECT row_number, reason, column_name, message FROM rejects ORDER BY row_number",
        )
    }
    assert {n: r[0] for n, r in got.items()} == {
        6: "tanggal",
        7: "tanggal",
        8: "future_date",
        9: "kabkota",
        10: "kabkota",
        11: "kecamatan",
        12: "bad_number",
        13: "bad_number",
        14: "no_value",
        15: "duplicate",
    }
    assert got[8][1:] == (
        "Tanggal",
        "report date 2025-12-06 is after the file's extraction date 2025-12-05",
    )
    assert got[9][2].startswith("Kab/Kota 'MALANG' is ambiguous")
    assert got[12][1:] == (
        "Dirujuk ke Puskesmas",
        "Dirujuk ke Puskesmas '1,5' is not a whole number of 0 or more",
    )
    assert got[13][1] == "Balita Diukur Ulang"
    assert got[14][1] is None and "write 0" in got[14][2]
    assert got[15][2] == "same area and day as row 5 of this file; the first report wins"
    assert query(warehouse, "SELECT count(*) FROM raw_intervensi") == [(12,)]
    assert query(warehouse, "SELECT rows_read, rows_staged, rows_rejected FROM load_files") == [
        (12, 2, 10)
    ]
    with connect_readonly(warehouse) as con:
        assert audit_failures(con) == {}


def test_first_report_wins_across_files_and_reload_changes_nothing(tmp_path, warehouse):
    first = write_csv(tmp_path / "a.csv", [report("2025-11-10")])
    again = write_csv(
        tmp_path / "b.csv", [report("2025-11-10", counts=(99,) * 7), report("2025-11-11")]
    )
    [r1, r2] = load(warehouse, first, again)
    assert (r1.rows_staged, r2.rows_staged, r2.rejected_by_reason) == (1, 1, {"duplicate": 1})
    message = query(warehouse, "SELECT message FROM rejects")[0][0]
    assert (
        message
        == "same area and day already staged from a.csv row 2; the first report wins"
    )
    before = (staged(warehouse), query(warehouse, "SELECT count(*) FROM raw_intervensi"))
    modified = warehouse.stat().st_mtime_ns
    [r3] = load(warehouse, first)
    assert r3.already_loaded and (r3.rows_read, r3.rows_staged) == (1, 1)
    assert (staged(warehouse), query(warehouse, "SELECT count(*) FROM raw_intervensi")) == before
    assert warehouse.stat().st_mtime_ns == modified  # nothing published


def test_report_outside_the_campaign_window_is_staged_and_listed(tmp_path, warehouse):
    # Kota Pasuruan's event of 8 Dec 2025 falls after the 10 Nov - 5 Dec window.
    path = write_csv(
        tmp_path / "a.csv",
        [report("2025-12-08", kab="KOTA PASURUAN"), report("2025-11-12", kab="KOTA SURABAYA")],
    )
    [result] = load(warehouse, path)
    assert (result.rows_staged, result.rows_rejected) == (2, 0)
    assert query(
        warehouse, "SELECT tanggal, kode_kabkota, alasan FROM mart_intervensi_unmatched ORDER BY 1"
    ) == [
        (dt.date(2025, 11, 12), "35.78", "bukan wilayah sasaran"),
        (dt.date(2025, 12, 8), "35.75", "di luar jadwal kampanye"),
    ]
    assert query(
        warehouse,
        "SELECT max(achieved_cum) FROM mart_intervensi_progress WHERE kode_kabkota = '35.75'",
    ) == [(0,)]


def test_cli_prints_the_same_summaries_as_the_other_sources(tmp_path, warehouse, capsys):
    path = write_csv(tmp_path / "a.csv", [report("2025-11-10"), report("kemarin")])
    assert cli_main(["ingest", "intervensi", str(path), "--warehouse", str(warehouse)]) == 0
    line = capsys.readouterr().out.strip()
    assert line == f"{path}: 2 rows read, 1 staged, 1 rejected (tanggal 1)"
    assert (
        cli_main(["ingest", "intervensi", str(path), "--warehouse", str(warehouse), "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert (
        out["rows_read"],
        out["rows_staged"],
        out["rejected_by_reason"],
        out["already_loaded"],
    ) == (2, 1, {"tanggal": 1}, True)


def test_a_later_file_of_only_duplicates_publishes_its_rejects(tmp_path, warehouse):
    """A command whose rows are all rejected changes no mart: it runs no model and no audit,
    and still records the file and its rejected row."""
    load(warehouse, write_csv(tmp_path / "a.csv", [report("2025-11-10")]))
    marts = query(warehouse, "SELECT * FROM mart_intervensi_progress ORDER BY ALL")
    [result] = load(warehouse, write_csv(tmp_path / "b.csv", [report("2025-11-10", counts=(9,) * 7)]))
    assert (result.rows_staged, result.rejected_by_reason) == (0, {"duplicate": 1})
    assert query(warehouse, "SELECT file_name, reason FROM rejects WHERE file_name = 'b.csv'") == [
        ("b.csv", "duplicate")]
    assert query(warehouse, "SELECT * FROM mart_intervensi_progress ORDER BY ALL") == marts
