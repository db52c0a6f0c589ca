"""pipelines.export: the list of exports and CSV / Parquet / XLSX output."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from pipelines import store
from pipelines.export import PENGUKURAN_COLUMNS, ExportError, export, list_exports
from pipelines.warehouse import connect_readonly


def test_list_exports(con):
    names = dict(list_exports(con))
    for name in (
        "prevalensi",
        "prevalensi_kabkota",
        "survey_vs_admin",
        "target_list",
        "kualitas_data",
        "kualitas_ambang",
        "pengukuran",
    ):
        assert name in names
    assert "meta_build" not in names and "build" not in names
    assert names["prevalensi_kabkota"].startswith("one row per kab/kota")
    assert "no personal data" in names["pengukuran"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_export_prevalensi_kabkota(fixture_warehouse, tmp_path, suffix):
    out = tmp_path / f"prevalensi_kabkota{suffix}"
    n = export("prevalensi_kabkota", out, fixture_warehouse)
    assert n == 38 * 4
    if suffix == ".csv":
        df = pd.read_csv(out, dtype={"kode": str, "kode_kabkota": str})
    elif suffix == ".parquet":
        df = pd.read_parquet(out)
    else:
        df = pd.read_excel(out, dtype={"kode": str, "kode_kabkota": str})
    assert len(df) == n
    jember = df[(df["kode"] == "35.09") & (df["period_type"] == "tahun")].iloc[0]
    assert jember["n_stunted"] == 6 and jember["pct_stunted"] == pytest.approx(37.5)
    assert {"prov_pct_stunted", "diff_pts", "signif", "rank", "rank_lo", "rank_hi"} <= set(df)


def test_export_pengukuran_has_no_personal_columns(fixture_warehouse, tmp_path):
    out = tmp_path / "pengukuran.parquet"
    n = export("pengukuran", out, fixture_warehouse)
    df = pd.read_parquet(out)
    assert n == len(df) == 61
    assert list(df.columns) == list(PENGUKURAN_COLUMNS)
    for personal in ("nik", "nama", "nama_ortu", "alamat", "rt", "rw"):
        assert personal not in df.columns


def test_export_never_leaks_a_new_staging_column(fixture_warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(fixture_warehouse.read_bytes())
    shutil.copytree(store.store_root(fixture_warehouse), store.store_root(copy))
    # a stored staging file that (say, from a newer version) carries a personal column
    with duckdb.connect() as con:
        for path in store.store_root(copy).glob("stg_pengukuran/*/*.parquet"):
            con.execute(f"COPY (SELECT *, 'Siti' AS nama_anak FROM '{path}') TO '{path}.new' "
                        "(FORMAT parquet)")
            path.with_name(path.name + ".new").replace(path)
    with connect_readonly(copy) as con:
        assert con.execute("SELECT count(nama_anak) FROM stg_pengukuran").fetchone()[0] > 0
    export("pengukuran", tmp_path / "p.csv", copy)
    assert "nama_anak" not in pd.read_csv(tmp_path / "p.csv").columns


def test_unknown_name_lists_the_valid_ones(fixture_warehouse, tmp_path):
    with pytest.raises(ExportError, match="valid names: .*prevalensi_kabkota"):
        export("prevalensi_kota", tmp_path / "x.csv", fixture_warehouse)


def test_unknown_extension(fixture_warehouse, tmp_path):
    with pytest.raises(ExportError, match=".csv, .parquet, .xlsx"):
        export("prevalensi", tmp_path / "x.json", fixture_warehouse)


def test_an_export_that_cannot_be_written_ends_with_exit_3_and_no_partial_file(
        fixture_warehouse, tmp_path, capsys, monkeypatch):
    import pipelines.export as export_module
    from tumbuh_cli import main

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the folder should be")
    code = main(["export", "prevalensi", "--out", str(blocker / "p.csv"),
                 "--warehouse", str(fixture_warehouse)])
    err = capsys.readouterr().err
    assert code == 3
    assert "could not write" in err and "no partial file" in err and "Traceback" not in err
    # a write that fails halfway (disk full) leaves the target as it was and no part file
    target = tmp_path / "p.xlsx"
    target.write_bytes(b"old")

    def half_then_full_disk(con, query, name, out_path):
        out_path.write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "_write_xlsx", half_then_full_disk)
    code = main(["export", "prevalensi", "--out", str(target), "--warehouse",
                 str(fixture_warehouse)])
    assert code == 3 and "No space left on device" in capsys.readouterr().err
    assert target.read_bytes() == b"old"
    assert not list(tmp_path.glob(".p.xlsx.part-*"))
