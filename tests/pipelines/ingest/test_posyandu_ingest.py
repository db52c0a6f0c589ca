"""Posyandu ingestion: every reject reason, row accounting, lineage, privacy, idempotency,
atomic publishing. Dates are fixed (today = 2026-01-15) so the tests never age."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from pipelines.ingest.load import ingest_files
from pipelines.ingest.posyandu import SOURCE
from pipelines.warehouse import connect_readonly
from tests.pipelines.ingest.conftest import (
    HEADER,
    TODAY,
    row,
    write_csv,
    write_html_xls,
    write_xlsx,
)


def load(warehouse, *paths):
    return ingest_files([(SOURCE, p) for p in paths], warehouse=warehouse, today=TODAY)


def query(warehouse, sql, params=()):
    with connect_readonly(warehouse) as con:
        return con.execute(sql, params).fetchall()


def cli_ingest(*args, env=None):
    """`tumbuh ingest posyandu ARGS...` in a fresh process (exit code and printed output)."""
    return subprocess.run([sys.executable, "-m", "tumbuh_cli", "ingest", "posyandu", *map(str, args)],
                          check=False, capture_output=True, text=True, env=env)


def contents(warehouse):
    """Everything a load writes (load times aside), in a comparable order."""
    return [query(warehouse, sql) for sql in (
        "SELECT * EXCLUDE (loaded_at) FROM stg_pengukuran ORDER BY ALL",
        "SELECT * FROM rejects ORDER BY ALL",
        "SELECT * EXCLUDE (loaded_at) FROM raw_pengukuran ORDER BY ALL",
        "SELECT * EXCLUDE (loaded_at) FROM load_files ORDER BY ALL",
    )]


# One row per reject reason, each failing only its own check (plus one valid row first).
REASON_ROWS = {
    "sex": {"JK": "X"},
    "birth_date": {"Tgl_Lahir": "31/02/2024"},
    "measurement_date": {"Tanggal_Pengukuran": "kemarin"},
    "date_order": {"Tgl_Lahir": "2025-12-01"},
    "age_range": {"Tgl_Lahir": "2020-09-01"},       # 1896 days at 2025-11-10
    "future_date": {"Tanggal_Pengukuran": "2025-12-06"},  # after Data Tanggal 2025-12-05
    "kabkota": {"Kab_Kota": "MALANG"},              # Kabupaten and Kota Malang: ambiguous
    "kecamatan": {"Kec": "Antah Berantah"},
    "desa": {"Desa_Kel": "Sukamaju Jaya"},
    "no_measurement": {"Berat": "", "Tinggi": "0"},
    "bad_number": {"Berat": "83..9"},
}


def test_each_reject_reason_once_and_row_accounting(tmp_path, warehouse):
    rows = [row(1)] + [row(i + 2, **kw) for i, kw in enumerate(REASON_ROWS.values())]
    rows.append(row(1))  # the same child and date as row 1: duplicate
    path = write_csv(tmp_path / "a.csv", rows)
    [result] = load(warehouse, path)
    assert not result.fatal
    assert result.rows_read == 13
    assert result.rows_staged == 1
    assert result.rows_rejected == 12
    assert result.rejected_by_reason == {k: 1 for k in [*REASON_ROWS, "duplicate"]}
    rejects = query(warehouse, "SELECT row_number, reason, column_name, message FROM rejects ORDER BY row_number")
    # header on line 3, so data rows start at line 4
    assert [(r[0], r[1]) for r in rejects] == [(i + 5, k) for i, k in enumerate([*REASON_ROWS, "duplicate"])]
    by_reason = {r[1]: r for r in rejects}
    assert by_reason["kabkota"][2] == "Kab/Kota" and "ambiguous" in by_reason["kabkota"][3]
    assert by_reason["future_date"][3].endswith("the file's extraction date 2025-12-05")
    assert by_reason["duplicate"][3] == "same child and measurement date as row 4 of this file"
    assert by_reason["bad_number"][3] == "Berat '83..9' is not a number"


def test_wilayah_variants_resolve_to_codes(tmp_path, warehouse):
    variants = ["KAB. JEMBER", "Kabupaten Jember", "Kab Jember", "JEMBER", "  kab.  jember ", "35.09"]
    rows = [row(i + 1, Kab_Kota=v, Kec="KEC. KENCONG", Desa_Kel="DESA WONOREJO")
            for i, v in enumerate(variants)]
    rows.append(row(20, Kab_Kota="KOTA MALANG", Kec="Klojen", Desa_Kel="KEL. Kauman"))
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", rows))
    assert result.rows_staged == 7, result
    codes = query(warehouse, "SELECT kode_kabkota, kode_kecamatan, kode_desa, posyandu_nama "
                             "FROM stg_pengukuran ORDER BY row_number")
    assert codes[:6] == [("35.09", "35.09.02", "35.09.02.2005", "Melati 3")] * 6
    assert codes[6][:3] == ("35.73", "35.73.02", "35.73.02.1007")


def test_no_break_spaces_in_names_are_plain_spaces(tmp_path, warehouse):
    """HTML exports write &nbsp; and some CSVs carry U+00A0: after a prefix, between words or
    around a name it is a space like any other (prefix still recognised, one posyandu key)."""
    nb = "\u00a0"
    rows = [row(1, Kab_Kota=f"Kab{nb}Jember", Kec=f"Kecamatan{nb}Kencong",
                Desa_Kel=f"Desa{nb}Wonorejo", Posyandu=f"POSYANDU{nb}MELATI{nb}3"),
            row(2, Kab_Kota=f"Kabupaten{nb} Jember{nb}", Kec=f"KEC.{nb}KENCONG",
                Desa_Kel=f"{nb}Wonorejo", Posyandu="Posyandu Melati 3"),
            row(3, Kab_Kota=f"KOTA{nb}MALANG", Kec="Klojen", Desa_Kel=f"KEL.{nb}Kauman")]
    [result] = load(warehouse, write_csv(tmp_path / "nbsp.csv", rows))
    assert (result.rows_staged, result.rejected_by_reason) == (3, {})
    got = query(warehouse, "SELECT kode_desa, posyandu_key, posyandu_nama FROM stg_pengukuran "
                           "ORDER BY row_number")
    assert got[:2] == [("35.09.02.2005", "35.09.02.2005|MELATI 3", "Melati 3")] * 2
    assert got[2][0] == "35.73.02.1007"


def test_formats_give_the_same_staging(tmp_path):
    rows = [row(1), row(2, JK="Perempuan", Tgl_Lahir="15/03/2024", Berat="9.5"),
            row(3, JK="2", Tgl_Lahir="45366")]  # Excel serial 45366 = 2024-03-15
    outputs = []
    for name, writer in [("c.csv", write_csv), ("x.xlsx", write_xlsx), ("h.xls", write_html_xls)]:
        wh = tmp_path / f"{name}.duckdb"
        [result] = load(wh, writer(tmp_path / name, rows))
        assert (result.rows_read, result.rows_staged) == (3, 3), (name, result)
        outputs.append(query(wh, "SELECT sex, birth_date, weight_kg, zlen FROM stg_pengukuran ORDER BY sex, birth_date"))
    assert outputs[0] == outputs[1] == outputs[2]
    assert str(outputs[0][1][1]) == "2024-03-15" and str(outputs[0][2][1]) == "2024-03-15"


def test_semicolon_cp1252_and_comma(tmp_path, warehouse):
    a = write_csv(tmp_path / "a.csv", [row(1, Posyandu="Posyandu Café")], encoding="cp1252")
    b = write_csv(tmp_path / "b.csv", [row(2)], delimiter=",")
    results = load(warehouse, a, b)
    assert [r.rows_staged for r in results] == [1, 1]
    names = {r[0] for r in query(warehouse, "SELECT posyandu_nama FROM stg_pengukuran")}
    assert names == {"Café", "Melati 3"}


def test_no_personal_data_anywhere(tmp_path, warehouse):
    load(warehouse, write_csv(tmp_path / "a.csv", [row(1, Catatan_Kader="cek ulang"), row(2, JK="?")]))
    with connect_readonly(warehouse) as con:
        tables = [t[0] for t in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        for table in tables:
            cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
            personal = {"nik", "nama_ortu", "alamat"} | ({"nama"} if table.startswith(("raw_", "stg_", "rejects")) else set())
            assert not personal & set(cols), table
            text = " ".join(str(v) for r in con.execute(f"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM {table}").fetchall() for v in r)
            for secret in ("3509012345600001", "ANAK 1", "AYAH / IBU", "JL. MAWAR"):
                assert secret not in text, (table, secret)
    # unknown columns are kept in raw
    extra = query(warehouse, "SELECT extra FROM raw_pengukuran ORDER BY row_number")
    assert json.loads(extra[0][0]) == {"Catatan Kader": "cek ulang"}


def test_duplicate_across_files_and_idempotent_reload(tmp_path, warehouse):
    first = write_csv(tmp_path / "jan.csv", [row(1), row(2)])
    overlap = write_csv(tmp_path / "feb.csv", [row(2), row(3)], title=("Data Tanggal : 2025-12-06",))
    load(warehouse, first)
    [r2] = load(warehouse, overlap)
    assert (r2.rows_staged, r2.rejected_by_reason) == (1, {"duplicate": 1})
    msg = query(warehouse, "SELECT message FROM rejects")[0][0]
    assert msg == "same child and measurement date already staged from jan.csv row 5"
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    [again] = load(warehouse, overlap)
    assert again.already_loaded and again.rows_staged == 1
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest  # not even re-published
    assert query(warehouse, "SELECT count(*) FROM stg_pengukuran")[0][0] == 3


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"%PDF-1.4\x00\x01\x02binary", "not a readable table"),
    (b"No;JK;Nama\n1;L;X\n", "missing"),
])
def test_fatal_file_leaves_warehouse_unchanged(tmp_path, warehouse, content, reason):
    load(warehouse, write_csv(tmp_path / "ok.csv", [row(1)]))
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    bad = tmp_path / "bad.xls"
    bad.write_bytes(content)
    [result] = load(warehouse, bad)
    assert result.fatal and reason in result.error
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest


def test_fatal_file_does_not_stop_the_others_and_exit_code(tmp_path, warehouse):
    bad = tmp_path / "bad.csv"
    bad.write_text("JK;Nama\nL;X\n")
    good = write_csv(tmp_path / "good.csv", [row(1), row(2)])
    proc = cli_ingest(bad, good, "--warehouse", warehouse, "--json")
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(x["fatal"], x["rows_staged"]) for x in lines] == [(True, 0), (False, 2)]
    assert set(lines[0]) >= {"file", "fatal", "error", "rows_read", "rows_staged", "rows_rejected", "rejected_by_reason"}
    assert query(warehouse, "SELECT count(*) FROM stg_pengukuran")[0][0] == 2


def test_header_only_is_zero_rows_not_fatal(tmp_path, warehouse):
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", []))
    assert (result.fatal, result.rows_read, result.rows_staged) == (False, 0, 0)


def test_blank_and_total_rows_do_not_count(tmp_path, warehouse):
    jumlah = [""] * 19
    jumlah[0], jumlah[HEADER.index("JK")], jumlah[HEADER.index("Berat")] = "Jumlah", "L=2 P=0", "20,4"
    rows = [row(1), [""] * 19, row(2), ["TOTAL"] + [""] * 18, jumlah,
            ["Dicetak oleh: admin puskesmas"] + [""] * 18]
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", rows))
    assert (result.rows_read, result.rows_staged) == (2, 2)
    # a row with a date is data, whatever its first cell says
    [result] = load(warehouse, write_csv(tmp_path / "b.csv", [row(3, No="Total")]))
    assert (result.rows_read, result.rows_staged) == (1, 1)


def test_zscores_and_position_rule_in_staging(tmp_path, warehouse):
    # worked example 3 of the WHO rules: girl, 1000 days, 11.8 kg, 88.3 cm lying -> clen 87.6
    r = row(1, JK="P", Tgl_Lahir="2023-02-14", Tanggal_Pengukuran="2025-11-10", Berat="11,8",
            Tinggi="88,3", Cara_Ukur="Terlentang")
    load(warehouse, write_csv(tmp_path / "a.csv", [r]))
    got = query(warehouse, "SELECT age_days, clen, zlen, zwei, zwfl, zbmi, kat_tbu FROM stg_pengukuran")[0]
    assert got[0] == 1000
    assert got[1] == pytest.approx(87.6)
    assert got[2:6] == (-1.42, -0.93, -0.23, -0.06)
    assert got[6] == "Normal"


def test_future_date_against_today_without_extraction_date(tmp_path, warehouse):
    rows = [row(1, Tanggal_Pengukuran="2026-01-16"), row(2, Tanggal_Pengukuran="2026-01-15")]
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", rows, title=()))
    assert result.rejected_by_reason == {"future_date": 1} and result.rows_staged == 1


def test_duplicates_and_same_content_within_one_command(tmp_path, warehouse):
    """Files given together are staged as one batch: an overlap with an earlier file of the same
    command is a duplicate of that file's row, and a copy of a file is 'already loaded'."""
    first = write_csv(tmp_path / "jan.csv", [row(1), row(2)])
    overlap = write_csv(tmp_path / "feb.csv", [row(2), row(3)], title=("Data Tanggal : 2025-12-06",))
    copy = tmp_path / "jan_copy.csv"
    copy.write_bytes(first.read_bytes())
    r1, r2, r3 = load(warehouse, first, overlap, copy)
    assert (r1.rows_staged, r1.rows_rejected) == (2, 0)
    assert (r2.rows_staged, r2.rejected_by_reason) == (1, {"duplicate": 1})
    assert r3.already_loaded and (r3.rows_read, r3.rows_staged) == (2, 2)
    msg, file_name = query(warehouse, "SELECT message, file_name FROM rejects")[0]
    assert file_name == "feb.csv"
    assert msg == "same child and measurement date already staged from jan.csv row 5"
    assert query(warehouse, "SELECT count(*), count(DISTINCT file_sha256) FROM load_files")[0] == (2, 2)


def test_batch_boundaries_do_not_change_the_warehouse(tmp_path, monkeypatch):
    """One batch per file and one batch for all files load the same rows, rejects and counts."""
    import pipelines.ingest.load as load_module

    rows_a = [row(1), row(2, JK="X"), row(3)]
    rows_b = [row(3), row(4), row(4), row(5, Kec="Antah Berantah")]
    paths = [write_csv(tmp_path / "a.csv", rows_a), write_csv(tmp_path / "b.csv", rows_b)]

    together_wh, apart_wh = tmp_path / "together.duckdb", tmp_path / "apart.duckdb"
    results_together = load(together_wh, *paths)
    monkeypatch.setattr(load_module, "BATCH_FILES", 1)
    results_apart = load(apart_wh, *paths)
    together, contents_after = contents(together_wh), contents(apart_wh)
    assert [(r.rows_read, r.rows_staged, r.rejected_by_reason) for r in results_together] == \
        [(r.rows_read, r.rows_staged, r.rejected_by_reason) for r in results_apart] == \
        [(3, 2, {"sex": 1}), (4, 1, {"duplicate": 2, "kecamatan": 1})]
    assert together == contents_after


def test_missing_file_is_fatal_and_the_others_load(tmp_path, warehouse):
    good = write_csv(tmp_path / "good.csv", [row(1)])
    missing, good_result = load(warehouse, tmp_path / "nope.csv", good)
    assert (missing.fatal, missing.error) == (True, "no such file")
    assert (good_result.fatal, good_result.rows_staged) == (False, 1)


def test_large_files_read_in_place_load_the_same_warehouse(tmp_path, monkeypatch):
    """A file over OWN_TABLE_BYTES joins its batch through the src_norm view instead of being
    copied: all files in place, none, or a mix (with an XLSX, extra columns, a fatal file and a
    duplicate across files) load the same rows, rejects, raw rows and counts."""
    import pipelines.ingest.load as load_module

    big = write_csv(tmp_path / "big.csv", [row(i) for i in range(1, 40)] + [row(40, JK="X")])
    small = write_csv(tmp_path / "small.csv", [row(39), row(41, Kec="Antah Berantah")],
                      title=("Data Tanggal : 2025-12-06",))
    book = write_xlsx(tmp_path / "book.xlsx", [row(42), row(43, Berat="abc")])
    broken = tmp_path / "broken.csv"
    broken.write_text("just some words\nand no header at all\n")
    paths = [big, broken, small, book]

    loaded = {}
    for name, threshold in (("copied", 2**62), ("in_place", 0),
                            ("mixed", big.stat().st_size)):
        monkeypatch.setattr(load_module, "OWN_TABLE_BYTES", threshold)
        results = load(tmp_path / f"{name}.duckdb", *paths)
        loaded[name] = ([(r.fatal, r.rows_read, r.rows_staged, r.rejected_by_reason)
                         for r in results], contents(tmp_path / f"{name}.duckdb"))
    assert loaded["copied"][0] == [(False, 40, 39, {"sex": 1}), (True, 0, 0, {}),
                                   (False, 2, 0, {"duplicate": 1, "kecamatan": 1}),
                                   (False, 2, 1, {"bad_number": 1})]
    assert loaded["in_place"] == loaded["copied"]
    assert loaded["mixed"] == loaded["copied"]
    assert all(loaded["copied"][1])  # every table has rows: the comparison is not empty


def test_negative_weight_or_height_is_staged_without_a_value(tmp_path, warehouse):
    """A value below 0 is a number, so an implausible value: staged (not no_measurement nor
    bad_number), with no weight or height in staging (WHO: <= 0 is missing), the text in raw."""
    rows = [row(1, Berat="-5", Tinggi=""), row(2, Berat="-5", Tinggi="80,1"),
            row(3, Berat="10,2", Tinggi="-80")]
    [result] = load(warehouse, write_csv(tmp_path / "neg.csv", rows))
    assert (result.rows_staged, result.rejected_by_reason) == (3, {})
    got = query(warehouse, "SELECT row_number, weight_kg, lenhei_cm, zwei IS NOT NULL "
                           "FROM stg_pengukuran ORDER BY row_number")
    assert got == [(4, None, None, False), (5, None, 80.1, False), (6, 10.2, None, True)]
    assert query(warehouse, "SELECT berat FROM raw_pengukuran WHERE row_number = 4") == [("-5",)]


def test_unknown_personal_columns_never_reach_raw(tmp_path, warehouse):
    """Raw keeps the spec's columns and its allowed extras ("Catatan Kader", "Lingkar Kepala"):
    a second NIK or Nama column, "NIK Balita", "Nama Lengkap", "No HP", "Alamat Rumah" or any
    other unknown column is dropped and named in the load record."""
    header = HEADER + ["NIK", "Nama", "NIK Balita", "Nama Lengkap", "No HP", "No. KK",
                       "Alamat Rumah", "KK Miskin", "Lingkar Kepala"]
    secrets = ["3509019999990001", "SITI AMINAH", "3509018888880002", "BUDI SANTOSO",
               "081234567890", "3509017777770003", "JL. MELATI 9"]
    rows = [row(1) + secrets + ["ya", "45,5"]]
    [result] = load(warehouse, write_csv(tmp_path / "pii.csv", rows, header=header))
    assert result.rows_staged == 1
    [(extra,)] = query(warehouse, "SELECT extra FROM raw_pengukuran")
    assert json.loads(extra) == {"Catatan Kader": None, "Lingkar Kepala": "45,5"}
    [(dropped,)] = query(warehouse, "SELECT dropped_columns FROM load_files")
    assert dropped == ["NIK", "Nama", "NIK Balita", "Nama Lengkap", "No HP", "Alamat Rumah",
                       "KK Miskin"]
    everything = " ".join(str(v) for t in ("raw_pengukuran", "stg_pengukuran", "rejects",
                                           "load_files")
                          for r in query(warehouse, f"SELECT * FROM {t}") for v in r)
    assert not any(s in everything for s in secrets)


def test_placeholder_nik_is_no_identity(tmp_path, warehouse):
    """Newborns without a NIK get a placeholder (0000000000000000): two different babies with it
    on the same day are two children, keyed by name; a real NIK stays the key."""
    rows = [row(1, NIK="0000000000000000", Nama="BAYI SATU"),
            row(2, NIK="0000000000000000", Nama="BAYI DUA"),
            row(3, NIK="1111111111111111", Nama="BAYI TIGA"),
            row(4, NIK="3509010000000000", Nama="BAYI EMPAT"),
            row(5, NIK="'3509014501240001", Nama="BAYI LIMA")]
    [result] = load(warehouse, write_csv(tmp_path / "bayi.csv", rows))
    assert (result.rows_staged, result.rejected_by_reason) == (5, {})
    assert query(warehouse, "SELECT child_key_source, count(*) FROM stg_pengukuran GROUP BY ALL "
                            "ORDER BY ALL") == [("name", 4), ("nik", 1)]
    # any other 16 digits are a NIK, whatever they start with: same NIK, another spelling of the
    # name, same day = the same child measured twice
    rows = [row(6, NIK="0012345678901234", Nama="ANAK ENAM"),
            row(7, NIK="0012345678901234", Nama="ANAK  ENAM.")]
    [result] = load(warehouse, write_csv(tmp_path / "nik0.csv", rows))
    assert (result.rows_staged, result.rejected_by_reason) == (1, {"duplicate": 1})


def test_build_failure_is_a_clear_error_and_publishes_nothing(tmp_path, warehouse):
    """A build that runs out of memory (or disk) ends with a message that says nothing was
    published and what to do, exit code 3, and the published warehouse byte for byte as it was."""
    import os

    first = write_csv(tmp_path / "first.csv", [row(1)])
    assert cli_ingest(first, "--warehouse", warehouse).returncode == 0
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    config = tmp_path / "tiny.toml"
    config.write_text('[warehouse]\nmemory_limit = "1MB"\n')  # every other key: its default
    more = write_csv(tmp_path / "more.csv", [row(i) for i in range(2, 200)])
    proc = cli_ingest(more, "--warehouse", warehouse,
                       env={**os.environ, "TUMBUH_CONFIG": str(config)})
    assert proc.returncode == 3, proc.stderr
    assert "Nothing was published" in proc.stderr and "memory_limit" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest


def test_locked_warehouse_is_a_clear_error(tmp_path, warehouse):
    import fcntl

    lock = warehouse.with_name(warehouse.name + ".lock")
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = cli_ingest(write_csv(tmp_path / "a.csv", [row(1)]), "--warehouse", warehouse)
    assert proc.returncode == 3
    assert "another tumbuh process is writing" in proc.stderr and "Traceback" not in proc.stderr


def test_only_kabkota_refuses_the_whole_load(tmp_path, warehouse):
    """`--only-kabkota` (an operator's upload): a staged row of another kab/kota discards the
    build, exit 3, nothing published; rows of that kab/kota alone load."""
    jember = write_csv(tmp_path / "jember.csv", [row(1), row(2)])
    done = cli_ingest(jember, "--warehouse", warehouse, "--only-kabkota", "35.07")
    assert done.returncode == 3
    assert "rows outside kab/kota 35.07 (jember.csv: 35.09)" in done.stderr
    assert not warehouse.exists()
    done = cli_ingest(jember, "--warehouse", warehouse, "--only-kabkota", "35.09")
    assert done.returncode == 0, done.stderr
    assert query(warehouse, "SELECT count(*) FROM stg_pengukuran") == [(2,)]
