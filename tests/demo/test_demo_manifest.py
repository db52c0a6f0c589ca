"""The manifest tells the truth about the files: every listed cell holds what it says, every
corrupted row fails exactly the check its expected outcome names (and no earlier one), every
other row passes them all, and the per-file accounting adds up."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from demo import lms, mess
from tests.demo import demo_files as D


def test_every_file_is_listed_with_its_hash(small_demo, manifest):
    out = small_demo[0]
    own = {"manifest.json", "manifest_rows.csv", "hierarchy.csv"}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - own
    assert on_disk == {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]


def test_file_layout_follows_the_contract(small_demo, manifest):
    out = small_demo[0]
    by_source = pd.DataFrame(manifest["files"]).groupby("source")
    pos = by_source.get_group("posyandu")
    assert len(pos) == 38 * 24 and pos.path.str.fullmatch(r"posyandu/20(24|25)-\d\d/35\.\d\d_20\d\d-\d\d\.(csv|xlsx|xls)").all()
    assert (pos.path.str[9:16] == pos.month).all()
    counts = pos.format.value_counts()
    assert counts["csv"] > 0.85 * len(pos) and counts["xlsx"] >= 5 and counts["html"] >= 5
    for f in pos[pos.format == "html"].path:  # the e-PPGBM "Excel" download is an HTML table
        assert f.endswith(".xls") and (out / f).read_bytes().lstrip().startswith(b"<html")
    for f in pos[pos.format == "xlsx"].path:
        assert (out / f).read_bytes()[:4] == b"PK\x03\x04"
    assert len(by_source.get_group("pkk")) == 38 * 24
    spm = by_source.get_group("spm")
    assert len(spm) == 38 * 12 and spm.month.min() == "2025-01"
    iv = by_source.get_group("intervensi")
    assert iv.path.str.fullmatch(r"intervensi/35\.\d\d_2025-1[12]-\d\d\.csv").all()
    assert iv.tanggal.min() >= "2025-11-10" and iv.tanggal.max() <= "2025-12-05"


def test_rows_read_match_the_files(posyandu_rows, entries):
    got = posyandu_rows.groupby("file").size()
    for path, n in got.items():
        assert entries[path]["rows_read"] == n


def test_listed_cells_hold_the_written_values(judged):
    listed = judged[judged.kind.notna() & ~judged.kind.isin(["duplicate_in_file", "reexport"])]
    assert len(listed) > 0
    for _, r in listed.iterrows():
        for col, val in zip(r.column.split(","), r.written.split("|")):
            cell = r[col] or ""
            if cell != val.strip() and col in ("Tgl Lahir", "Tanggal Pengukuran"):
                # a workbook date cell reads back as a date, whatever text style the file uses
                assert D.parse_date(cell) == D.parse_date(val) is not None, (r.file, r.physical_row, col)
                continue
            assert cell == val.strip(), (r.file, r.physical_row, col)


def test_each_corrupted_row_fails_first_on_its_expected_reason(judged):
    listed = judged[judged.kind.notna() & ~judged.kind.isin(["duplicate_in_file", "reexport"])]
    for _, r in listed.iterrows():
        want = r.expected if r.expected in mess.REJECT_REASONS else ""
        assert r.reason == want, (r.file, r.physical_row, r.kind, r.reason)


def test_rows_not_listed_pass_every_check(judged):
    clean = judged[judged.kind.isna()]
    assert (clean.reason == "").all()


def _parsed(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    out["sex"] = df.JK.map(D.parse_sex)
    out["birth"] = df["Tgl Lahir"].map(D.parse_date)
    out["meas"] = df["Tanggal Pengukuran"].map(D.parse_date)
    out["age"] = [(m - b).days if m and b else -1 for m, b in zip(out.meas, out.birth)]
    out["kg"] = df.Berat.map(D.parse_num)
    out["cm"] = df.Tinggi.map(D.parse_num)
    out["measure"] = df["Cara Ukur"].map(D.parse_measure)
    return out


def test_flag_adjust_and_parse_kinds_mean_what_they_say(judged):
    listed = judged[judged.kind.notna()]
    p = _parsed(listed)
    k = listed.kind
    z_len = lms.haz(p.sex.fillna(1).astype(int), p.age.fillna(0).astype(int), p.cm.astype(float), p.measure)
    z_wei = lms.waz(p.sex.fillna(1).astype(int), p.age.fillna(0).astype(int), p.kg.astype(float))
    assert (np.abs(z_len[(k == "height_mm").to_numpy()]) > 6).all()
    assert (np.abs(z_wei[(k == "weight_grams").to_numpy()]) > 5).all()
    lie = (k == "lying_after_24m").to_numpy()
    assert ((p.measure[lie] == "l") & (p.age[lie] >= 731)).all()
    stand = (k == "standing_before_24m").to_numpy()
    assert ((p.measure[stand] == "h") & (p.age[stand] < 731) & (p.age[stand] >= 274)).all()
    for col, kind in (("Berat", "missing_berat"), ("Tinggi", "missing_tinggi"), ("Cara Ukur", "missing_cara_ukur")):
        assert listed.loc[k == kind, col].map(D.blank).all()
    # name variants differ from the usual form but resolve to the same codes
    for kind, col in (("kabkota_variant", "Kab/Kota"), ("kecamatan_variant", "Kec"), ("desa_variant", "Desa/Kel")):
        rows = listed[k == kind]
        assert (rows[col] != rows.original).all()
        for _, r in rows.iterrows():
            names = {"Kab/Kota": r["Kab/Kota"], "Kec": r.Kec, "Desa/Kel": r["Desa/Kel"]}
            before = D.resolve(*[r.original if c == col else names[c] for c in names])
            assert D.resolve(*names.values()) == before and before[2] is not None
    rows = listed[k == "date_variant"]
    for _, r in rows.iterrows():
        assert D.parse_date(r[r.column]) == D.parse_date(r.original) is not None
        assert r[r.column] != r.original
    rows = listed[k == "jk_variant"]
    assert (rows.JK.map(D.parse_sex) == rows.original.map(D.parse_sex)).all()
    rows = listed[k == "cara_ukur_variant"]
    assert (rows["Cara Ukur"].map(D.parse_measure) == rows.original.map(D.parse_measure)).all()
    rows = listed[k == "posyandu_variant"]

    def key(s):
        return re.sub(r"\s+", " ", re.sub(r"(?i)^(POSYANDU|PSY)[ .]+", "", s.strip())).upper()

    assert (rows.Posyandu.map(key) == rows.original.map(key)).all()


def _child_key(df: pd.DataFrame) -> pd.Series:
    nik = df.NIK.map(D.clean_nik)
    desa = [D.resolve(a, b, c)[2] for a, b, c in zip(df["Kab/Kota"], df.Kec, df["Desa/Kel"])]
    name = (df.Nama.str.strip().str.upper() + "|" + df["Tgl Lahir"].map(D.parse_date).astype(str) + "|"
            + df.JK.map(D.parse_sex).astype(str) + "|" + pd.Series(desa, index=df.index).astype(str))
    return nik.where(nik.notna(), "name:" + name)


def test_duplicates_repeat_a_row_already_staged_and_nothing_else_repeats(judged):
    # Files load in path order; the first staged occurrence of a child and date wins.
    df = judged[judged.reason == ""].sort_values(["file", "physical_row"]).copy()
    df["key"] = _child_key(df)
    df["meas"] = df["Tanggal Pengukuran"].map(D.parse_date)
    repeated = df.duplicated(["key", "meas"], keep="first")
    is_dup = df.expected == "duplicate"
    assert (repeated == is_dup).all()
    assert is_dup.sum() > 0
    # in-file duplicates point at their original row
    inside = df[df.kind == "duplicate_in_file"]
    by_pos = df.set_index(["file", "physical_row"])
    for _, r in inside.iterrows():
        origin = by_pos.loc[(r.file, int(r.original.split()[-1]))]
        assert origin.key == r.key and origin.meas == r.meas
    for _, r in df[df.kind == "reexport"].iterrows():
        path, _, row = r.original.rpartition(" row ")
        assert path < r.file and by_pos.loc[(path, int(row))].key == r.key


def test_accounting_adds_up_per_file(judged, entries):
    for path, rows in judged.groupby("file"):
        e = entries[path]
        expected = rows.expected[rows.expected.isin(mess.REJECT_REASONS)].value_counts().to_dict()
        assert e["rejects"] == dict(sorted(expected.items()))
        assert e["rows_read"] == len(rows) == e["rows_staged"] + e["rows_rejected"]
        staged = rows[~rows.expected.isin(mess.REJECT_REASONS)]
        nik = staged.NIK.map(D.clean_nik).notna().sum()
        assert (e["key_nik"], e["key_name"]) == (nik, len(staged) - nik)
        assert e["flags"]["flen"] == (rows.kind == "height_mm").sum()
        assert e["adjusted"] == rows.kind.isin(["lying_after_24m", "standing_before_24m"]).sum()


def test_every_kind_occurs_at_about_two_percent(lines, manifest):
    pos = lines[lines.source == "posyandu"]
    assert set(pos.kind) == set(mess.KIND_NAMES)
    n_rows = manifest["summary"]["sources"]["posyandu"]["rows"]
    assert 0.015 <= len(pos) / n_rows <= 0.025


def test_other_sources_lines_match_their_files(small_demo, lines, entries):
    out = small_demo[0]
    tables = {}
    other = lines[lines.source != "posyandu"]
    assert set(other.source) == {"pkk", "spm", "intervensi"}
    for _, r in other.iterrows():
        if r.file not in tables:
            tables[r.file] = D.read_table(out, entries[r.file]).set_index("physical_row")
        row = tables[r.file].loc[r.physical_row]
        if r.kind == "duplicate":
            origin = tables[r.file].loc[int(r.original.split()[-1])]
            assert row.drop("No", errors="ignore").equals(origin.drop("No", errors="ignore"))
        else:
            assert row[r.column] == r.written
    for path, e in entries.items():
        if e["source"] in ("pkk", "spm", "intervensi"):
            mine = other[other.file == path]
            expected = mine.expected[mine.expected.isin(mess.REJECT_REASONS)].value_counts().to_dict()
            assert e["rejects"] == dict(sorted(expected.items()))
