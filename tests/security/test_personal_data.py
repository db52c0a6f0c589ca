"""Personal data by allow-list (issue 16, point 2): unknown columns are dropped when the header
is read and named in the load record; a NIK, phone or e-mail in any kept cell, and text like a
name in a column of values, are masked in raw and in reject messages; the mask rules agree in
Python and in DuckDB."""

from __future__ import annotations

import datetime as dt
import json
import random
import re

import duckdb
import pytest

from pipelines.config import SQL_DIR
from pipelines.ingest import SOURCE_MODULES, get_source
from pipelines.ingest.load import ingest_files
from pipelines.readers import read_table
from pipelines.readers.mask import (
    ADDRESS_MASK,
    NAME_MASK,
    VALUE_WORDS,
    is_address_like,
    is_name_like,
    mask_numbers,
    mask_numbers_cell_sql,
    mask_title,
)
from pipelines.warehouse import connect_readonly
from tests.pipelines.ingest.conftest import HEADER, row, write_csv
from tests.security.hostile_inputs import PERSONAL_HEADERS, personal_values

TODAY = dt.date(2026, 1, 15)


def load(warehouse, *paths, source="posyandu"):
    return ingest_files([(get_source(source), p) for p in paths], warehouse=warehouse, today=TODAY)


def query(warehouse, sql, params=()):
    with connect_readonly(warehouse) as con:
        return con.execute(sql, list(params)).fetchall()


def test_unknown_columns_are_dropped_and_named_in_the_load_record(tmp_path):
    header = HEADER + PERSONAL_HEADERS + ["Lingkar Kepala", "", "N.I.K"]
    rows = [row(1) + personal_values(1) + ["45", "x", "3509010000000099"]]
    warehouse = tmp_path / "w.duckdb"
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", rows, header=header))
    assert (result.rows_read, result.rows_staged) == (1, 1)
    [(dropped, extra)] = query(warehouse, "SELECT f.dropped_columns, r.extra FROM load_files f "
                                          "JOIN raw_pengukuran r USING (file_sha256)")
    # "N.I.K" is a second NIK column: dropped like the unknown ones; the empty header too
    assert dropped == PERSONAL_HEADERS + [f"column_{len(header) - 1}", "N.I.K"]
    assert json.loads(extra) == {"Catatan Kader": None, "Lingkar Kepala": "45"}


def test_the_allow_lists_hold_no_personal_header():
    from pipelines.readers.spec import PERSONAL_HEADER, normalise_header

    probe = {normalise_header(h) for h in PERSONAL_HEADERS}
    for name in SOURCE_MODULES:
        spec = get_source(name).spec
        aliases = [a for extra in spec.extras for a in extra.aliases]
        assert aliases, name
        assert not [a for a in aliases if PERSONAL_HEADER.search(a)], name
        assert not probe & {normalise_header(a) for a in aliases}, name


def test_values_in_the_wrong_column_are_masked_in_raw_and_messages(tmp_path):
    rows = [row(1, No="3509016602210004"),  # a NIK typed into No
            row(2, Tgl_Lahir="DEWI ANGGRAENI"),  # a name shifted into Tgl Lahir
            row(3, Tgl_Lahir="Kusumawardani"),  # one word is a name too
            row(4, Berat="0812-3498-7654"),  # a phone number as a weight
            row(5, JK="RUDI HARTONO"),
            row(6, Prov="YULIANTI"),
            row(7, Catatan_Kader="ortu: rudi77@yahoo.co.id, 3509 0123 4567 0008"),
            row(8, Tgl_Lahir="5 Des 2023", JK="Laki-laki")]  # words values use: kept
    warehouse = tmp_path / "w.duckdb"
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", rows))
    assert result.rejected_by_reason == {"birth_date": 3, "bad_number": 1, "sex": 1}
    raw = {r[0]: r[1:] for r in query(
        warehouse, "SELECT row_number, no, tgl_lahir, berat, jk, prov, extra FROM raw_pengukuran")}
    assert raw[4][0] == "35**************"
    assert raw[5][1] == raw[6][1] == NAME_MASK
    assert raw[7][2] == "08**********"
    assert raw[8][3] == NAME_MASK and raw[9][4] == NAME_MASK
    assert json.loads(raw[10][5]) == {"Catatan Kader": "ortu: [email disamarkan], 35**************"}
    assert raw[11][1:4:2] == ("5 Des 2023", "Laki-laki")
    messages = dict(query(warehouse, "SELECT row_number, message FROM rejects"))
    assert messages[5] == (f"Tgl Lahir '{NAME_MASK}' is not a valid date (YYYY-MM-DD, "
                           "DD/MM/YYYY, DD-MM-YYYY or an Excel serial)")
    assert "teks seperti nama disamarkan" in messages[6] and "teks seperti" in messages[8]
    assert messages[7] == "Berat '08**********' is not a number"
    everything = " ".join(str(v) for t in ("raw_pengukuran", "stg_pengukuran", "rejects")
                          for r in query(warehouse, f"SELECT * FROM {t}") for v in r)
    for secret in ("6602210004", "DEWI", "Kusumawardani", "34987654", "RUDI", "YULIANTI",
                   "rudi77", "4567 0008"):
        assert secret not in everything


def test_a_row_shifted_left_keeps_no_address(tmp_path):
    """A row missing its NIK cell shifts left: the parent's name lands in Tgl Lahir, the
    address (Alamat follows Posyandu in e-PPGBM) in Posyandu, a text column."""
    shifted = row(1)[:1] + row(1)[2:] + [""]
    warehouse = tmp_path / "w.duckdb"
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", [shifted, row(2)]))
    assert (result.rows_staged, result.rows_rejected) == (1, 1)
    [(tgl, posyandu)] = query(warehouse, "SELECT tgl_lahir, posyandu FROM raw_pengukuran "
                                         "WHERE row_number = 4")
    assert (tgl, posyandu) == (NAME_MASK, ADDRESS_MASK)
    text = " ".join(str(v) for t in ("raw_pengukuran", "rejects")
                    for r in query(warehouse, f"SELECT * FROM {t}") for v in r)
    assert "MAWAR 1" not in text and "AYAH" not in text


@pytest.mark.parametrize(("text", "address"), [
    ("JL. MAWAR 1", True), ("Jl Kenanga No. 17", True), ("Gg. Buntu 3", True),
    ("Perum Griya Asri B-2", True), ("Jalan Ahmad Yani 5", True), ("Blok C 12", True),
    ("POSYANDU MELATI 3", False), ("Perumahan Rakyat", False), ("Jelbuk", False),
    ("Gambirono", False), ("KAB. JEMBER", False), ("Jalan", False),
])
def test_address_like(text, address):
    assert is_address_like(text) is address


def test_no_wilayah_name_looks_like_an_address():
    import csv

    from pipelines.config import REFERENCE_DIR

    with open(REFERENCE_DIR / "wilayah_jatim.csv", encoding="utf-8") as fh:
        names = [r["nama"] for r in csv.DictReader(fh)]
    assert len(names) > 9000
    assert [n for n in names if is_address_like(n)] == []


def test_a_nik_as_a_weight_is_not_staged(tmp_path):
    """A 16-digit weight used to be staged as an implausible 3.5e15 kg, the NIK in staging."""
    warehouse = tmp_path / "w.duckdb"
    [result] = load(warehouse, write_csv(tmp_path / "a.csv", [row(1, Berat="3509016602210004")]))
    assert result.rejected_by_reason == {"bad_number": 1}
    assert query(warehouse, "SELECT count(*) FROM stg_pengukuran") == [(0,)]


def test_titles_sheet_and_file_names_are_masked(tmp_path):
    titles = ("Daftar Status Gizi Balita", "Nama Kader : ENDANG SUSILOWATI",
              "Petugas BUDI 081298765432", "Data Tanggal : 2025-12-05")
    path = write_csv(tmp_path / "posyandu_3509019876540005.csv", [row(1)], title=titles)
    warehouse = tmp_path / "w.duckdb"
    assert not load(warehouse, path)[0].fatal
    [(name, title, extraction)] = query(
        warehouse, "SELECT file_name, title_text, extraction_date FROM load_files")
    assert name == "posyandu_35**************.csv"
    assert title.splitlines() == ["Daftar Status Gizi Balita", "Nama Kader : [disamarkan]",
                                  "Petugas [disamarkan]", "Data Tanggal : 2025-12-05"]
    assert extraction == dt.date(2025, 12, 5)
    assert query(warehouse, "SELECT DISTINCT file_name FROM raw_pengukuran") == [(name,)]


@pytest.mark.parametrize(("text", "masked"), [
    ("3509012345670001", "35**************"),
    ("NIK:3509012345670001.", "NIK:35**************."),
    ("'3509012345670001", "'35**************"),
    ("3509 0123 4567 0001", "35**************"),
    ("3509-0123-4567-0001 dan 3509012345670002", "35************** dan 35**************"),
    ("081234567890", "08**********"),
    ("+62 812-3456-7890", "+628**********"),
    ("hub. 0857 3312 4455", "hub. 08**********"),
    ("siti.aminah@gmail.com", "[email disamarkan]"),
    # numbers that are no NIK or phone stay
    ("0.30000000000000004", "0.30000000000000004"),
    ("-1.2345678901234567", "-1.2345678901234567"),
    ("35.09.01.2003", "35.09.01.2003"),
    ("2025-12-05 10:30:00", "2025-12-05 10:30:00"),
    ("45234.5", "45234.5"),
    ("812345678", "812345678"),
])
def test_number_masks(text, masked):
    assert mask_numbers(text) == masked


def test_number_masks_agree_in_python_and_sql():
    rng = random.Random(16)
    alphabet = "0123456789 -.,+@:'abcXYZ_é"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
               for _ in range(3000)]
    samples += ["".join(rng.choice("0123456789 -") for _ in range(rng.randint(8, 30)))
                for _ in range(3000)]
    samples += [f"x{rng.randrange(10**15, 10**17)}y" for _ in range(200)]
    samples += [f"0{rng.choice(['', ' ', '-'])}8{rng.randrange(10**7, 10**12)}" for _ in range(200)]
    with duckdb.connect() as con:
        got = con.execute(f"SELECT {mask_numbers_cell_sql('v')} FROM unnest(?) AS t(v)",
                          [samples]).fetchall()
    assert [g for (g,) in got] == [mask_numbers(s) for s in samples]


@pytest.mark.parametrize("text", ["SITI AMINAH", "Aminah", "Budi", "Zoë", "JL MELATI", "Rina 2",
                                  "ibu Sri", "NIK 3509"])
def test_name_like(text):
    assert is_name_like(text)


@pytest.mark.parametrize("text", ["2025-12-05", "05/12/2025", "5 Des 2025", "Agt. 2025",
                                  "Laki-laki", "PEREMPUAN", "L", "P", "1 Thn 2 Bln", "10,2 kg",
                                  "#VALUE!", "#N/A", "JAWA TIMUR", "Prov. Jatim", "Senin, 05/01/2026",
                                  "2025-12-05T00:00:00", "3.5E+15", "Jumlah", "nan", "-", "RT 01"])
def test_values_are_not_name_like(text):
    assert not is_name_like(text)


def test_every_month_word_staging_reads_is_a_value_word():
    """The PKK/SPM month parser's words must never be masked as names."""
    sql = (SQL_DIR / "staging" / "20_pkk_spm_macros.sql").read_text()
    words = re.findall(r"\('([A-Z]+)', \d+\)", sql)
    assert len(words) > 30
    assert {w.lower() for w in words} - VALUE_WORDS == set()


def test_title_mask():
    assert mask_title("Data Tanggal : 2025-12-05") == "Data Tanggal : 2025-12-05"
    assert mask_title("Dicetak oleh admin_siti") == "Dicetak oleh [disamarkan]"
    assert mask_title("Kab/Kota : KAB. JEMBER") == "Kab/Kota : KAB. JEMBER"


def test_reader_keeps_personal_columns_unmasked_for_the_key(tmp_path):
    """The NIK and Nama columns are read as they are (the child key needs them) and never
    written: the masks apply to what is kept."""
    con = duckdb.connect()
    spec = get_source("posyandu").spec
    path = write_csv(tmp_path / "a.csv", [row(1, NIK="3509010101010001", Nama="SITI AMINAH")])
    read_table(con, path, spec)
    assert con.execute("SELECT nik, nama FROM src_rows").fetchall() == [
        ("3509010101010001", "SITI AMINAH")]
