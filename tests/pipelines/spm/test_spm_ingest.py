"""`tumbuh ingest spm`: posyandu SPM service records -> raw_spm, stg_spm, rejects."""

from __future__ import annotations

import datetime
import json

HEADER = ["No", "Kab/Kota", "Kec", "Desa/Kel", "Posyandu", "Bulan", "Bidang", "Kode Indikator",
          "Indikator", "Satuan", "Sasaran", "Dilayani", "Nama Kader"]
KADER = "Dewi Kader Posyandu"


def rec(no, posyandu, bidang, kode, sasaran, dilayani, bulan="2025-08", desa="Padomasan",
        kec="Jombang", kab="KAB. JEMBER"):
    return [no, kab, kec, desa, posyandu, bulan, bidang, kode, "label", "anak", sasaran, dilayani,
            KADER]


def test_good_records_staged(tmp_path, csv_file, load, query):
    rows = [
        rec(1, "Posyandu Melati 1", "Kesehatan", "KES01", 40, 30),
        rec(2, "POSYANDU MELATI 1", "BIDANG KESEHATAN", "kes-02", 40, 42),  # over target: staged
        rec(3, "Mawar", "Pendidikan", "PDK01", "10", "5,0", desa="Keting", bulan="Agustus 2025"),
        rec(4, "Mawar", "PU", "PU01", 8, 2, desa="Keting", bulan="09/2025"),
        rec(5, "Mawar", "trantibumlinmas", "TR01", 0, 0, desa="Keting", bulan="09/2025"),
    ]
    [result] = load(csv_file(tmp_path / "spm_good.csv", HEADER, rows, delimiter=","))
    assert (result.rows_read, result.rows_staged, result.rows_rejected) == (5, 5, 0)
    assert query("SELECT kode_desa, posyandu_key, posyandu_nama, bulan, bidang, kode_indikator, "
                 "sasaran, dilayani FROM stg_spm ORDER BY row_number") == [
        ("35.09.01.2001", "35.09.01.2001|MELATI 1", "Melati 1", datetime.date(2025, 8, 1),
         "Kesehatan", "KES01", 40, 30),
        ("35.09.01.2001", "35.09.01.2001|MELATI 1", "Melati 1", datetime.date(2025, 8, 1),
         "Kesehatan", "KES02", 40, 42),
        ("35.09.01.2002", "35.09.01.2002|MAWAR", "Mawar", datetime.date(2025, 8, 1),
         "Pendidikan", "PDK01", 10, 5),
        ("35.09.01.2002", "35.09.01.2002|MAWAR", "Mawar", datetime.date(2025, 9, 1),
         "Pekerjaan Umum", "PU01", 8, 2),
        ("35.09.01.2002", "35.09.01.2002|MAWAR", "Mawar", datetime.date(2025, 9, 1),
         "Trantibumlinmas", "TR01", 0, 0),
    ]


def test_every_reject_reason_and_accounting(tmp_path, csv_file, xlsx_file, load, query, rejects):
    rows = [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30),                       # row 4: staged
        rec(2, "Melati 1", "Kesehatan", "KES02", 40, 30, bulan="Agustus"),      # 5 period
        rec(3, "Melati 1", "Kesehatan", "KES02", 40, 30, bulan="2025-12"),      # 6 future_date
        rec(4, "Kenanga", "Kesehatan", "KES01", 40, 30, kab="Kab. Atlantis"),   # 7 kabkota
        rec(5, "Melati 1", "Kesehatan", "KES02", 40, 30, kec="Kec. Entah"),     # 8 kecamatan
        rec(6, "Melati 1", "Kesehatan", "KES02", 40, 30, desa="Antah"),         # 9 desa
        rec(7, None, "Kesehatan", "KES02", 40, 30),                             # 10 posyandu
        rec(8, "Melati 1", "Kebersihan", "KES02", 40, 30),                      # 11 bidang
        rec(9, "Melati 1", "Kesehatan", "KES99", 40, 30),                       # 12 indikator (unknown)
        rec(10, "Melati 1", "Kesehatan", "PDK01", 40, 30),                      # 13 indikator (other field)
        rec(11, "Melati 1", "Kesehatan", "KES03", 12, None),                    # 14 no_value
        rec(12, "Melati 1", "Kesehatan", "KES04", 12.5, 3),                     # 15 bad_number
        rec(13, "Melati 1", "Kesehatan", "KES05", 12, -3),                      # 16 bad_number
        rec(14, "Posyandu Melati 1", "Kesehatan", "KES01", 41, 31),             # 17 duplicate of row 4
    ]
    titles = ["LAPORAN LAYANAN 6 SPM POSYANDU", "Data Tanggal : 05/11/2025"]
    path = xlsx_file(tmp_path / "spm_rejects.xlsx", HEADER, rows, titles=titles)
    [result] = load(path)
    assert (result.rows_read, result.rows_staged, result.rows_rejected) == (14, 1, 13)
    got = rejects("spm_rejects.xlsx")
    assert {n: r[0] for n, r in got.items()} == {
        5: "period", 6: "future_date", 7: "kabkota", 8: "kecamatan", 9: "desa", 10: "posyandu",
        11: "bidang", 12: "indikator", 13: "indikator", 14: "no_value", 15: "bad_number",
        16: "bad_number", 17: "duplicate"}
    assert got[6][2] == "month 2025-12 starts after the file's extraction date 2025-11-05"
    assert got[12][1:] == ("Kode Indikator", ("Kode Indikator 'KES99' is not in the SPM indicator "
                           "catalogue (pipelines/reference/spm_indikator.csv)"))
    assert got[13][2] == "Kode Indikator PDK01 belongs to bidang Pendidikan, not Kesehatan"
    assert got[14][1:] == ("Dilayani", "Dilayani is empty")
    assert got[15][1:] == ("Sasaran", "Sasaran '12.5' is not a whole number of 0 or more")
    assert got[16][1:] == ("Dilayani", "Dilayani '-3' is not a whole number of 0 or more")
    assert "as row 4 of this file" in got[17][2]
    assert query("SELECT count(*) FROM raw_spm")[0][0] == 14
    assert query("SELECT sheet, header_row, extraction_date FROM load_files") == [
        ("Rekap", 3, datetime.date(2025, 11, 5))]
    # the kader's name is a personal column: never stored anywhere
    assert query("SELECT count(*) FROM raw_spm WHERE extra LIKE ?", [f"%{KADER}%"])[0][0] == 0
    assert "nama_kader" not in [r[0] for r in query("DESCRIBE raw_spm")]


def test_reload_and_duplicate_across_files(tmp_path, csv_file, load, query, rejects):
    first = csv_file(tmp_path / "spm_a.csv", HEADER, [rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30)])
    load(first)
    again = load(first)
    assert again[0].already_loaded and again[0].rows_staged == 1
    [later] = load(csv_file(tmp_path / "spm_b.csv", HEADER, [
        rec(1, "MELATI  1", "Kesehatan", "KES01", 40, 35),
        rec(2, "Melati 1", "Kesehatan", "KES02", 40, 35)]))
    assert (later.rows_staged, later.rejected_by_reason) == (1, {"duplicate": 1})
    assert rejects("spm_b.csv")[2][2] == ("same posyandu, month and indicator already staged "
                                          "from spm_a.csv row 2")
    assert query("SELECT count(*) FROM stg_spm")[0][0] == 2


def test_duplicate_in_a_later_batch_of_the_same_command(tmp_path, csv_file, load, query,
                                                        rejects, monkeypatch):
    """One batch per file: the second file's batch reads the first one's rows from the files
    the first batch wrote, not only from the published warehouse."""
    import pipelines.ingest.load as load_module

    monkeypatch.setattr(load_module, "BATCH_FILES", 1)
    first = csv_file(tmp_path / "spm_a.csv", HEADER, [rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30)])
    second = csv_file(tmp_path / "spm_b.csv", HEADER, [rec(1, "Melati 1", "Kesehatan", "KES01", 40, 31)])
    a, b = load(first, second)
    assert (a.rows_staged, b.rows_staged, b.rejected_by_reason) == (1, 0, {"duplicate": 1})
    assert rejects("spm_b.csv")[2][2] == ("same posyandu, month and indicator already staged "
                                          "from spm_a.csv row 2")
    assert query("SELECT count(*) FROM stg_spm")[0][0] == 1


def test_missing_required_column_is_fatal(tmp_path, csv_file, load, query):
    header = [h for h in HEADER if h != "Sasaran"]
    rows = [[c for h, c in zip(HEADER, rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30)) if h != "Sasaran"]]
    [result] = load(csv_file(tmp_path / "spm_no_sasaran.csv", header, rows))
    assert result.fatal and "Sasaran" in result.error
    assert query("SELECT count(*) FROM load_files")[0][0] == 0
    assert query("SELECT count(*) FROM raw_spm")[0][0] == 0


def test_cli_prints_the_same_summaries_as_posyandu(tmp_path, csv_file, warehouse, capsys):
    from tumbuh_cli import main

    path = csv_file(tmp_path / "spm_cli.csv", HEADER, [
        rec(1, "Melati 1", "Kesehatan", "KES01", 40, 30),
        rec(2, "Melati 1", "Kesehatan", "KES99", 40, 30)])
    assert main(["ingest", "spm", str(path), "--warehouse", str(warehouse), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("rows_read", "rows_staged", "rows_rejected",
                                    "rejected_by_reason", "already_loaded")} == {
        "rows_read": 2, "rows_staged": 1, "rows_rejected": 1,
        "rejected_by_reason": {"indikator": 1}, "already_loaded": False}
    assert main(["ingest", "spm", str(path), "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out == (
        f"{path}: 2 rows read, 1 staged, 1 rejected (indikator 1) "
        "[already loaded: same content, nothing changed]\n")
