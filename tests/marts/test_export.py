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
