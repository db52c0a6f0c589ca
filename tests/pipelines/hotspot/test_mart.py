"""mart_hotspot and mart_moran built by the real pipeline (tests/pipelines/hotspot/conftest.py): one row
per kecamatan and period, the statistics PySAL gives on the same period, the FDR correction,
suppressed kecamatan left out of the weights, clusters crossing a kab/kota border, incremental
recomputation of the changed periods only, the export and the audit."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from geo.weights import KECAMATAN_FILE, kecamatan_contiguity, period_weights
from pipelines.config import SQL_DIR, Hotspot
from pipelines.hotspot import DECIMALS, analyse
from tests.pipelines.marts.conftest import marts_config

MODEL = SQL_DIR / "marts" / "stunting" / "70_mart_hotspot.py"


def model() -> object:
    spec = importlib.util.spec_from_file_location("hotspot_model", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_row_per_kecamatan_and_period(hcon):
    periods = hcon.execute("SELECT DISTINCT period_type, period FROM mart_prevalensi "
                           "ORDER BY ALL").fetchall()
    assert periods == [("bulan", "2024-01"), ("bulan", "2024-02"), ("bulan_timbang", "2024-02"),
                       ("tahun", "2024")]
    n, distinct = hcon.execute("SELECT count(*), count(DISTINCT (kode, period_type, period)) "
                               "FROM mart_hotspot").fetchone()
    assert n == distinct == 666 * len(periods)
    assert hcon.execute("SELECT period_type, period FROM mart_moran ORDER BY ALL").fetchall() \
        == periods
    moran = hcon.execute("SELECT * FROM mart_moran").df()
    assert (moran["status"] == "analysed").all() and (moran["permutations"] == 999).all()
    counts = hcon.execute("SELECT period_type, period, count(*) AS n FROM mart_hotspot "
                          "WHERE status = 'analysed' GROUP BY ALL").df()
    assert moran.merge(counts, on=["period_type", "period"]).eval("n == n_units").all()
    # the synthetic HAZ means differ by kab/kota: strong, significant clustering
    assert (moran["moran_i"] > 0.3).all() and (moran["p_sim"] == 0.001).all()


def test_value_is_the_smoothed_rate_and_suppressed_units_are_left_out(hcon):
    rows = hcon.execute("""
        SELECT h.status, h.pct_stunted_eb AS value, p.pct_stunted_eb AS eb, p.suppressed,
               h.p_lisa, h.cluster, h.gi_z
        FROM mart_hotspot AS h
        LEFT JOIN mart_prevalensi AS p ON p.level = 'kecamatan' AND p.kode = h.kode
             AND p.period_type = h.period_type AND p.period = h.period""").df()
    analysed = rows[rows["status"] == "analysed"]
    assert (analysed["value"] == analysed["eb"]).all()
    hidden = rows[rows["suppressed"].fillna(False).astype(bool)]
    assert len(hidden) > 300 and (hidden["status"] == "suppressed").all()
    assert hidden[["value", "p_lisa", "cluster", "gi_z"]].isna().all().all()


def test_weights_are_rebuilt_on_the_units_of_the_period(hcon):
    """January: half the kecamatan are suppressed; a unit's neighbours are its queen neighbours
    that are analysed too, plus the fallback's links."""
    contiguity = kecamatan_contiguity(KECAMATAN_FILE)
    df = hcon.execute("SELECT kode, n_neighbours, n_knn FROM mart_hotspot WHERE period = "
                      "'2024-01' AND status = 'analysed'").df()
    analysed = set(df["kode"])
    queen = df["kode"].map(lambda k: len(contiguity.neighbours[k] & analysed))
    assert (df["n_neighbours"] == queen + df["n_knn"]).all()
    assert (df["n_neighbours"] > 0).all() and (df["n_knn"] > 0).sum() > 5
    components = hcon.execute("SELECT n_components, n_knn_units FROM mart_moran "
                              "WHERE period = '2024-01'").fetchone()
    assert components[0] > 5 and components[1] == (df["n_knn"] > 0).sum()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # esda's notice about alternative=
@pytest.mark.filterwarnings("ignore::UserWarning")  # libpysal: "not fully connected"
def test_a_period_equals_pysal_called_directly(hcon):
    import esda

    df = hcon.execute("SELECT kode, pct_stunted_eb, lisa_i, p_lisa, quadrant, gi_z "
                      "FROM mart_hotspot WHERE period_type = 'bulan' AND period = '2024-01' "
                      "AND status = 'analysed' ORDER BY kode").df()
    weights = period_weights(kecamatan_contiguity(KECAMATAN_FILE), df["kode"])
    assert list(weights.codes) == list(df["kode"])
    y = df["pct_stunted_eb"].round(DECIMALS).to_numpy()  # the model analyses 4 decimals
    w = weights.w()
    w.transform = "r"
    np.random.seed(Hotspot().seed)
    moran = esda.Moran(y, w, permutations=999)
    lisa = esda.Moran_Local(y, w, permutations=999, seed=Hotspot().seed, n_jobs=1)
    gi = esda.G_Local(y, weights.w(), transform="B", star=True, permutations=0, n_jobs=1)
    row = hcon.execute("SELECT moran_i, z_sim, p_sim FROM mart_moran WHERE period_type = 'bulan' "
                       "AND period = '2024-01'").fetchone()
    assert row == (moran.I, moran.z_sim, moran.p_sim)
    assert np.array_equal(df["lisa_i"], lisa.Is) and np.array_equal(df["p_lisa"], lisa.p_sim)
    assert np.allclose(df["gi_z"], gi.Zs, rtol=1e-12)


def test_fdr_correction_is_applied(hcon):
    moran = hcon.execute("SELECT * FROM mart_moran").df()
    kept = moran[["n_hh", "n_ll", "n_hl", "n_lh"]].sum(axis=1)
    assert (kept < moran["n_signif_raw"]).all()  # some p <= 0.05 lose their cluster
    rows = hcon.execute("SELECT p_lisa, p_lisa_fdr, signif_fdr, cluster, quadrant "
                        "FROM mart_hotspot WHERE status = 'analysed'").df()
    assert ((rows["cluster"] != "ns") == (rows["p_lisa_fdr"] <= 0.05)).all()
    assert ((rows["p_lisa"] <= 0.05) & (rows["cluster"] == "ns")).any()
    assert (rows["p_lisa_fdr"] >= rows["p_lisa"]).all()
    clustered = rows[rows["cluster"] != "ns"]
    assert (clustered["cluster"] == clustered["quadrant"]).all()
    assert set(clustered["cluster"]) >= {"HH", "LL"}


def test_clusters_crossing_a_kabkota_border(hcon, hotspot_warehouse):
    from dashboard import queries as q
    from dashboard.repository import Repository

    df = hcon.execute("SELECT * FROM mart_hotspot WHERE period_type = 'tahun'").df()
    weights = period_weights(kecamatan_contiguity(KECAMATAN_FILE),
                             df.loc[df["status"] == "analysed", "kode"])
    crossing = df[df["border_kabkota"].notna()]
    assert len(crossing) > 20
    cluster = dict(zip(df["kode"], df["cluster_id"].astype(object).where(df["cluster_id"].notna())))
    for _, r in crossing.iterrows():
        for kab in r["border_kabkota"].split(","):
            assert kab != r["kode_kabkota"]
            same = [n for n in weights.neighbours[r["kode"]]
                    if n.startswith(kab + ".") and cluster[n] == r["cluster_id"]]
            assert same, (r["kode"], kab)
    kab = crossing["border_kabkota"].str.split(",").explode().value_counts().index[0]
    Repository.clear_cache()
    shown = q.hotspot.local(Repository(hotspot_warehouse), "tahun", "2024", kab)
    own = df[df["kode_kabkota"] == kab]
    outside = shown[shown["kode_kabkota"] != kab]
    assert set(own["kode"]) <= set(shown["kode"]) and len(outside) > 0
    assert outside["border_kabkota"].str.split(",").map(lambda ks: kab in ks).all()
    assert set(outside["cluster_id"]) <= set(own["cluster_id"].dropna())


def test_only_changed_periods_are_recomputed_and_equal_a_full_build(hotspot_warehouse,
                                                                     tmp_path: Path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(hotspot_warehouse, copy)
    config = marts_config()
    m = model()
    with duckdb.connect(str(copy)) as con:
        before = con.execute("SELECT * FROM mart_moran ORDER BY period_type, period").df()
        m.build(con, config)  # nothing changed: nothing recomputed
        pd.testing.assert_frame_equal(
            before, con.execute("SELECT * FROM mart_moran ORDER BY period_type, period").df())
        con.execute("UPDATE mart_prevalensi SET pct_stunted_eb = pct_stunted_eb + 5 "
                    "WHERE level = 'kecamatan' AND kode LIKE '35.09.%' AND period = '2024-01'")
        con.execute("CREATE TEMP TABLE old_hotspot AS SELECT * FROM mart_hotspot")
        m.build(con, config)
        after = con.execute("SELECT * FROM mart_moran ORDER BY period_type, period").df()
        changed = before.compare(after).index
        assert list(after.loc[changed, "period"].unique()) == ["2024-01"]
        untouched = con.execute(
            "SELECT count(*) FROM (SELECT * FROM mart_hotspot WHERE period <> '2024-01' "
            "EXCEPT SELECT * FROM old_hotspot)").fetchone()[0]
        assert untouched == 0
        incremental = con.execute("SELECT * FROM mart_hotspot ORDER BY ALL").fetchall()
        con.execute("DROP TABLE state_hotspot_input")  # what a full rebuild does
        m.build(con, config)
        assert con.execute("SELECT * FROM mart_hotspot ORDER BY ALL").fetchall() == incremental
        assert con.execute("SELECT * FROM mart_moran ORDER BY period_type, period").df().equals(
            after)


def test_analyse_is_the_model_step():
    """The model's rows come from pipelines.hotspot.analyse on the period's weights (checked on
    a tiny input: fewer units than min_units are not analysed)."""
    weights = period_weights(kecamatan_contiguity(KECAMATAN_FILE),
                             [f"35.09.{i:02d}" for i in range(1, 32)])
    rng = np.random.default_rng(0)
    local, overall = analyse(weights, dict(zip(weights.codes, rng.uniform(10, 30, 31))),
                             Hotspot())
    assert overall["n_units"] == 31 and len(local["kode"]) == 31
    assert overall["n_components"] >= 1 and all(n > 0 for n in local["n_neighbours"])


@pytest.mark.parametrize("name,suffix", [("mart_hotspot", ".csv"), ("hotspot", ".xlsx"),
                                         ("moran", ".parquet")])
def test_export(hotspot_warehouse, tmp_path, name, suffix):
    from pipelines.export import list_exports
    from pipelines.warehouse import connect_readonly
    from tumbuh_cli import main

    with connect_readonly(hotspot_warehouse) as con:
        names = dict(list_exports(con))
    assert names["hotspot"].startswith("one row per kecamatan")
    assert names["moran"].startswith("one row per period")
    out = tmp_path / f"{name}{suffix}"
    assert main(["export", name, "--out", str(out), "--warehouse", str(hotspot_warehouse)]) == 0
    reader = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".parquet": pd.read_parquet}[suffix]
    df = reader(out)
    assert len(df) == (666 * 4 if "hotspot" in name else 4)
    assert "cluster" in df.columns if "hotspot" in name else "moran_i" in df.columns


def test_audit_catches_a_cluster_that_is_not_significant(hotspot_warehouse, tmp_path):
    from pipelines.marts import run_audits

    copy = tmp_path / "copy.duckdb"
    shutil.copy(hotspot_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert "stunting_hotspot_consistent" not in run_audits(con, {"stunting"})
        con.execute("UPDATE mart_hotspot SET cluster = quadrant WHERE cluster = 'ns' "
                    "AND kode = (SELECT min(kode) FROM mart_hotspot WHERE cluster = 'ns')")
        assert run_audits(con, {"stunting"}).get("stunting_hotspot_consistent", 0) > 0


def _config_with(paths: dict) -> object:
    return marts_config().replace(paths=paths)


def test_kecamatan_missing_from_the_boundary_file_and_no_file(hotspot_warehouse, tmp_path):
    import gzip
    import json

    data = json.loads(gzip.decompress(KECAMATAN_FILE.read_bytes()))
    dropped = {"35.09.01", "35.09.02", "35.78.01"}
    data["features"] = [f for f in data["features"] if f["properties"]["kode"] not in dropped]
    trimmed = tmp_path / "kecamatan.geojson.gz"
    trimmed.write_bytes(gzip.compress(json.dumps(data).encode()))
    copy = tmp_path / "copy.duckdb"
    shutil.copy(hotspot_warehouse, copy)
    m = model()
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP TABLE state_hotspot_input")  # a full build, as after a new file
        m.build(con, _config_with({"boundaries_kecamatan": str(trimmed)}))
        status = dict(con.execute("SELECT kode, status FROM mart_hotspot WHERE period_type = "
                                  "'tahun'").fetchall())
        assert {k for k, v in status.items() if v == "no_boundary"} == dropped
        n_units = con.execute("SELECT n_units FROM mart_moran WHERE period_type = 'tahun'"
                              ).fetchone()[0]
        assert n_units == sum(v == "analysed" for v in status.values())
        from pipelines.marts import run_audits

        assert "stunting_hotspot_consistent" not in run_audits(con, {"stunting"})
        con.execute("DROP TABLE state_hotspot_input")
        m.build(con, _config_with({"boundaries_kecamatan": ""}))  # boundaries turned off
        assert con.execute("SELECT DISTINCT status FROM mart_moran").fetchall() == [
            ("no_boundaries",)]
        assert {r[0] for r in con.execute("SELECT DISTINCT status FROM mart_hotspot")
                   .fetchall()} == {"not_analysed", "suppressed", "no_data"}
        assert "stunting_hotspot_consistent" not in run_audits(con, {"stunting"})

