"""`tumbuh ingest pkk`: PKK Dasa Wisma desa recaps -> raw_pkk, stg_pkk, rejects."""

from __future__ import annotations

import datetime
import hashlib

from pipelines.ingest.pkk import SPEC, STAGED_MEASURES
from pipelines.warehouse import connect_readonly

TITLES = ["REKAPITULASI CATATAN DATA DAN KEGIATAN WARGA TP PKK DESA/KELURAHAN",
          "Kab/Kota : KAB. JEMBER"]
HEADER = ["No", "Nama Kader", "Kab/Kota", "Kec", "Desa/Kel", "Bulan", "Jml Dasa Wisma", "Jml KRT",
          "Jml KK", "Total L", "Total P", "Balita L", "Balita P", "PUS", "WUS", "Ibu Hamil",
          "Sehat Layak Huni", "Tidak Sehat Layak Huni", "Memiliki Sarana MCK dan Septic Tank",
          "PDAM", "Sumur", "Sungai", "DLL"]
KADER = "Siti Rahayu Kader"  # must never reach the warehouse


def row(no, kab, kec, desa, bulan, krt=100, kk=110, total=(200, 210), balita=(10, 12), pus=40,
        wus=60, bumil=3, rumah=(90, 10), jamban=80, air=(30, 60, 5, 5)):
    return [no, KADER, kab, kec, desa, bulan, 10, krt, kk, *total, *balita, pus, wus, bumil,
            *rumah, jamban, *air]


# The same three desa-months the golden mart tests use (see test_spm_pkk_marts.py).
GOOD = [
    row(1, "KAB. JEMBER", "Jombang", "Padomasan", "2025-08"),
    row(2, "KAB. JEMBER", "Jombang", "Keting", "Agustus 2025", krt=50, kk=52, total=(100, 100),
        balita=(None, None), pus=20, wus=30, bumil=2, rumah=(45, 5), jamban=40, air=(10, 40, 0, 0)),
    row(3, "KAB. JEMBER", "Jombang", "Padomasan", "09/2025", krt=102, kk=112, total=(202, 212),
        balita=(11, 12), pus=41, wus=61, bumil=4, rumah=(92, 10), jamban=85, air=(32, 60, 5, 5)),
]


def test_good_rows_staged_with_codes_and_counts(tmp_path, csv_file, load, query):
    path = csv_file(tmp_path / "pkk_good.csv", HEADER, GOOD, titles=TITLES)
    [result] = load(path)
    assert (result.rows_read, result.rows_staged, result.rows_rejected) == (3, 3, 0)
    staged = query("SELECT kode_kabkota, kode_kecamatan, kode_desa, bulan, jml_krt, balita_l, "
                   "jamban_septic, air_pdam, air_sumur, air_sungai, air_lainnya, tempat_sampah "
                   "FROM stg_pkk ORDER BY row_number")
    assert staged == [
        ("35.09", "35.09.01", "35.09.01.2001", datetime.date(2025, 8, 1), 100, 10, 80, 30, 60, 5, 5, None),
        ("35.09", "35.09.01", "35.09.01.2002", datetime.date(2025, 8, 1), 50, None, 40, 10, 40, 0, 0, None),
        ("35.09", "35.09.01", "35.09.01.2001", datetime.date(2025, 9, 1), 102, 11, 85, 32, 60, 5, 5, None),
    ]


def test_every_reject_reason_and_accounting(tmp_path, csv_file, load, query, rejects):
    rows = [
        row(1, "KAB. JEMBER", "Jombang", "Padomasan", "2025-08"),            # line 4: staged
        row(2, "KAB. JEMBER", "Jombang", "Keting", "13/2025"),               # 5 period
        row(3, "KAB. JEMBER", "Jombang", "Keting", "2026-02"),               # 6 future_date
        row(4, "MALANG", "Blimbing", "Arjosari", "2025-08"),                 # 7 kabkota (ambiguous)
        row(5, "KAB. JEMBER", "Kec. Tidak Ada", "Keting", "2025-08"),        # 8 kecamatan
        row(6, "KAB. JEMBER", "Jombang", "Desa Antah", "2025-08"),           # 9 desa
        row(7, "KAB. JEMBER", "Jombang", "Keting", "2025-08", air=(10, "4,5", 0, 0)),  # 10 bad_number
        row(8, "KAB. JEMBER", "Jombang", "Keting", "2025-08", krt=None),     # 11 jml_krt (empty)
        row(9, "KAB. JEMBER", "Jombang", "Keting", "2025-08", krt=0),        # 12 jml_krt (zero)
        row(10, "KAB. JEMBER", "Jombang", "Keting", "2025-08", krt=50, jamban=51, rumah=(45, 5),
            air=(10, 40, 0, 0)),                                              # 13 inconsistent
        row(11, "KAB. JEMBER", "Jombang", "Keting", "2025-08", balita=(101, 0), total=(100, 100),
            krt=50, rumah=(45, 5), jamban=40, air=(10, 40, 0, 0)),          # 14 inconsistent (members)
        row(12, "KAB. JEMBER", "Jombang", "Padomasan", "Agustus 2025"),      # 15 duplicate of line 4
        ["JUMLAH", None, None, None, None, None, None, 400] + [None] * 15,    # 16 total row -> period
        ["Dicetak oleh aplikasi 2025-09-05"] + [None] * 22,                   # footer: not a data row
    ]
    path = csv_file(tmp_path / "pkk_rejects.csv", HEADER, rows, titles=["REKAP PKK", "Desa"])
    [result] = load(path)
    assert result.rows_read == 13
    assert result.rows_staged == 1
    assert result.rows_read == result.rows_staged + result.rows_rejected
    got = rejects("pkk_rejects.csv")
    assert {n: r[0] for n, r in got.items()} == {
        5: "period", 6: "future_date", 7: "kabkota", 8: "kecamatan", 9: "desa", 10: "bad_number",
        11: "jml_krt", 12: "jml_krt", 13: "inconsistent", 14: "inconsistent", 15: "duplicate",
        16: "period"}
    assert got[10][1:] == ("Sumur", "Sumur '4,5' is not a whole number of 0 or more")
    assert got[13][1:] == ("Memiliki Sarana MCK dan Septic Tank",
                           "Memiliki Sarana MCK dan Septic Tank (51) is more than Jml KRT (50), which cannot be")
    assert got[14][1] == "Balita L"
    assert "ambiguous" in got[7][2]
    assert "row 4 of this file" in got[15][2]
    assert "total row" in got[16][2]
    assert "today (2026-01-01" in got[6][2]
    assert result.rejected_by_reason == {"period": 2, "future_date": 1, "kabkota": 1,
                                         "kecamatan": 1, "desa": 1, "bad_number": 1,
                                         "jml_krt": 2, "inconsistent": 2, "duplicate": 1}
    # raw keeps every data row as read, staged or not
    assert query("SELECT count(*) FROM raw_pkk")[0][0] == 13


PERIOD_CASES = [  # (Bulan, Tahun, first of the month staged; None = rejected as period)
    ("2025-08", None, datetime.date(2025, 8, 1)),
    ("2025-8", None, datetime.date(2025, 8, 1)),
    ("08/2025", None, datetime.date(2025, 8, 1)),
    ("8-2025", None, datetime.date(2025, 8, 1)),
    ("Januari 2025", None, datetime.date(2025, 1, 1)),
    ("Jan 2025", None, datetime.date(2025, 1, 1)),
    ("PEBRUARI 2025", None, datetime.date(2025, 2, 1)),
    ("Agt. 2025", None, datetime.date(2025, 8, 1)),
    ("Nopember 2025", None, datetime.date(2025, 11, 1)),
    ("2025-08-17", None, datetime.date(2025, 8, 1)),
    ("17/08/2025", None, datetime.date(2025, 8, 1)),
    # an Excel serial day number (15 June 2025)
    (str((datetime.date(2025, 6, 15) - datetime.date(1899, 12, 30)).days), None, datetime.date(2025, 6, 1)),
    ("Agustus", "2025", datetime.date(2025, 8, 1)),   # Bulan and Tahun in two columns
    ("9", "2025", datetime.date(2025, 9, 1)),
    ("Agustus", None, None),                          # no year
    ("2025-13", None, None),
    ("Agustusan 2025", None, None),
]


def test_period_forms(tmp_path, csv_file, load, query, rejects):
    # one desa per case (desa given by code, which resolves like a name) so none is a duplicate
    desa = [f"35.09.03.20{i:02d}" for i in range(1, 11)] + [f"35.09.04.20{i:02d}" for i in range(1, 8)]
    rows = [row(n, "KAB. JEMBER", d[:8], d, bulan, krt=50, rumah=(45, 5), jamban=40,
                air=(10, 40, 0, 0)) + [tahun]
            for n, (d, (bulan, tahun, _)) in enumerate(zip(desa, PERIOD_CASES), start=1)]
    [result] = load(csv_file(tmp_path / "pkk_period.csv", HEADER + ["Tahun"], rows))
    staged = dict(query("SELECT kode_desa, bulan FROM stg_pkk"))
    got = {d: staged.get(d) for d in desa}
    assert got == {d: case[2] for d, case in zip(desa, PERIOD_CASES)}
    assert result.rejected_by_reason == {"period": 3}
    assert [r[1] for r in rejects("pkk_period.csv").values()] == ["Bulan"] * 3


def _staged_values(query) -> list[tuple]:
    cols = ", ".join(("kode_desa", "bulan") + STAGED_MEASURES)
    return query(f"SELECT {cols} FROM stg_pkk ORDER BY kode_desa, bulan")


def test_format_variants_stage_the_same(tmp_path, csv_file, xlsx_file, load, query, warehouse):
    """Semicolon CSV with title rows, XLSX with title rows and typed cells, and a comma CSV in
    Windows-1252 with reordered columns and the app-export aliases give identical staging."""
    csv_path = csv_file(tmp_path / "pkk_a.csv", HEADER, GOOD, titles=TITLES)
    load(csv_path)
    expected = _staged_values(query)
    assert len(expected) == 3

    typed = [list(r) for r in GOOD]
    typed[0][5] = datetime.datetime(2025, 8, 1)          # Excel turned "2025-08" into a date
    warehouse.unlink()
    load(xlsx_file(tmp_path / "pkk_b.xlsx", HEADER, typed, titles=TITLES))
    assert _staged_values(query) == expected

    aliases = {"Memiliki Sarana MCK dan Septic Tank": "Memiliki Jamban Keluarga",
               "Tidak Sehat Layak Huni": "Tidak Sehat Huni", "Jml KRT": "JUMLAH KRT",
               "Kab/Kota": "Kabupaten/Kota", "Desa/Kel": "Desa/Kelurahan"}
    order = list(reversed(range(len(HEADER))))
    header = [aliases.get(HEADER[i], HEADER[i]) for i in order]
    rows = [[r[i] for i in order] for r in GOOD]
    warehouse.unlink()
    load(csv_file(tmp_path / "pkk_c.csv", header, rows, titles=["Rekap Desa Kécamatan"],
                  delimiter=",", encoding="cp1252"))
    assert _staged_values(query) == expected


def test_split_tiga_buta_columns_are_added(tmp_path, csv_file, load, query):
    header = ["Kab/Kota", "Kec", "Desa/Kel", "Bulan", "Jml KRT", "3 Buta L", "3 Buta P"]
    load(csv_file(tmp_path / "pkk_3buta.csv", header,
                  [["KAB. JEMBER", "Jombang", "Keting", "2025-08", 50, 2, 3]]))
    assert query("SELECT tiga_buta FROM stg_pkk") == [(5,)]


def tables_containing(warehouse, text: str) -> list[str]:
    """Every table.column written by loads (lineage, raw, staging, marts) holding `text`."""
    found = []
    with connect_readonly(warehouse) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema = 'main' AND (table_name IN "
            "('load_files', 'rejects') OR regexp_matches(table_name, '^(raw|stg|mart)_'))").fetchall()
        for t, c in columns:
            if con.execute(f'SELECT count(*) FROM "{t}" WHERE "{c}" LIKE ?', [f"%{text}%"]).fetchone()[0]:
                found.append(f"{t}.{c}")
    return found


def test_personal_columns_never_stored(tmp_path, csv_file, load, warehouse):
    header = HEADER + ["Nama Kepala Rumah Tangga", "NIK", "Alamat", "Catatan"]
    rows = [GOOD[0] + ["Budi Santoso", "3509010101800001", "Jl. Melati 5", "dicek kader"]]
    load(csv_file(tmp_path / "pkk_personal.csv", header, rows))
    for secret in (KADER, "Budi Santoso", "3509010101800001", "Jl. Melati 5"):
        assert tables_containing(warehouse, secret) == []
    # unknown columns are kept in raw.extra, so the search above can see text
    assert tables_containing(warehouse, "dicek kader") == ["raw_pkk.extra"]


def test_reload_is_idempotent_and_publishes_nothing(tmp_path, csv_file, load, query, warehouse):
    path = csv_file(tmp_path / "pkk_once.csv", HEADER, GOOD, titles=TITLES)
    [first] = load(path)
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    copy = tmp_path / "pkk_copy_same_content.csv"
    copy.write_bytes(path.read_bytes())
    second = load(path, copy)
    assert all(r.already_loaded for r in second)
    assert [(r.rows_read, r.rows_staged, r.rows_rejected) for r in second] == [(3, 3, 0)] * 2
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert query("SELECT count(*) FROM stg_pkk")[0][0] == first.rows_staged


def test_same_desa_month_in_a_later_file_is_a_duplicate(tmp_path, csv_file, load, rejects):
    load(csv_file(tmp_path / "pkk_first.csv", HEADER, GOOD[:1]))
    [result] = load(csv_file(tmp_path / "pkk_second.csv", HEADER, GOOD[:2]))
    assert (result.rows_staged, result.rejected_by_reason) == (1, {"duplicate": 1})
    assert "already staged from pkk_first.csv row 2" in rejects("pkk_second.csv")[2][2]


def test_missing_required_column_is_fatal_and_loads_nothing(tmp_path, csv_file, load, query):
    header = [h for h in HEADER if h != "Jml KRT"]
    rows = [[c for h, c in zip(HEADER, r) if h != "Jml KRT"] for r in GOOD]
    bad = csv_file(tmp_path / "pkk_no_krt.csv", header, rows)
    good = csv_file(tmp_path / "pkk_fine.csv", HEADER, GOOD[:1])
    fatal, ok = load(bad, good)
    assert fatal.fatal and "Jml KRT" in fatal.error
    assert ok.rows_staged == 1
    assert query("SELECT file_name FROM load_files") == [("pkk_fine.csv",)]
    assert query("SELECT count(*) FROM raw_pkk")[0][0] == 1


def test_spec_requires_the_contract_columns():
    required = {g[0] for g in SPEC.required}
    assert required == {"kab_kota", "kec", "desa_kel", "bulan", "jml_krt"}
