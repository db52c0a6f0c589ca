"""SKDN and growth faltering (domain.md 1.6, docs/marts_skdn.md) on the hand-built weighing
sequences of skdn_sequences.py: each child's N/T/O/B, 2T and BGM per month (KBM exactly at the
threshold, one gram under it, a floating-point gain, the KBM of the age at the weighing, missed
months, first visits, two weighings in a month, a measurement without weight, a child past 59
months), the agreement with the export's own `Naik Berat Badan`, the marts and the 2T list
through a real build, their export, and loads in any order equal to a full rebuild."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines import skdn
from pipelines.export import export, list_exports
from pipelines.skdn import chunks, months_to_recompute, run_skdn_step, shift
from pipelines.warehouse import building, connect_readonly, init_schema
from tests.pipelines.marts import skdn_sequences as seq
from tests.pipelines.marts.conftest import insert, marts_config
from tests.pipelines.marts.test_incremental import assert_equal_to_rebuild

STATUS_COLUMNS = {"n_n": "N", "n_t": "T", "n_o": "O", "n_b": "B"}


def _staged(months: set[str] | None = None) -> list[dict]:
    rows = seq.staging_rows()
    return [r for r in rows if months is None or f"{r['measurement_date']:%Y-%m}" in months]


def _bare(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    init_schema(con)
    insert(con, "stg_pengukuran", [{k: v for k, v in r.items() if k != "_kia"} for r in rows])
    insert(con, "raw_pengukuran", seq.raw_rows(rows))
    insert(con, "load_files", seq.load_files_rows(rows))
    return con


@pytest.fixture(scope="module")
def step() -> Iterator[duckdb.DuckDBPyConnection]:
    """The SKDN step alone, on a bare connection holding every sequence (a full build)."""
    con = _bare(_staged())
    run_skdn_step(con, None, [], full=True)
    yield con
    con.close()


def _statuses(con: duckdb.DuckDBPyConnection, table: str = "tmp_skdn_lokasi"
              ) -> dict[tuple[str, str], str]:
    """(posyandu, month) -> the one status its single child has there."""
    out = {}
    for row in con.execute(f"SELECT lokasi, strftime(bulan, '%Y-%m'), n_d, n_n, n_t, n_o, n_b "
                           f"FROM {table}").fetchall():
        lokasi, month, n_d, *counts = row
        assert n_d == 1 == sum(counts), row
        out[(lokasi, month)] = list(STATUS_COLUMNS.values())[counts.index(1)]
    return out


def _counts(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"SELECT * EXCLUDE (bulan, lokasi), bulan, lokasi FROM {table} "
                       "ORDER BY bulan, lokasi").fetchall()


def test_every_child_has_the_status_domain_1_6_gives_it(step):
    assert _statuses(step) == seq.expected_statuses()


def test_boundaries_one_by_one(step):
    status = _statuses(step)

    def of(key: str, month: str) -> str | None:
        return status.get((f"{seq.DESA}|{key.upper()}", f"2025-{month}"))

    assert of("kbm_tepat", "02") == "N"        # +500 g = KBM 500 g at 5 months
    assert of("kbm_kurang", "02") == "T"       # +499 g
    assert of("kbm_desimal", "02") == "N"      # 8.2 - 8.0 in floating point, 200 g
    assert (of("umur_batas", "02"), of("umur_batas", "03")) == ("T", "N")  # 10 vs 11 months
    assert of("celah", "02") is None and of("celah", "03") == "O"  # missed month
    assert of("baru_maret", "03") == "B"       # first visit after the data's first month
    assert of("tanpa_berat", "02") is None and of("tanpa_berat", "03") == "O"
    assert not [k for k in status if k[0].endswith("|UMUR_60")]   # 61 months: not a balita


def test_2t_needs_two_consecutive_t(step):
    t2 = {(r[0], r[1]) for r in step.execute(
        "SELECT lokasi, strftime(bulan, '%Y-%m') FROM tmp_skdn_lokasi WHERE n_2t > 0").fetchall()}
    assert t2 == {(c.posyandu_key, m) for c in seq.CHILDREN for m in c.t2}
    assert t2 == {(f"{seq.DESA}|DUA_T", "2025-03"), (f"{seq.DESA}|DUA_T", "2025-04")}


def test_bgm_is_waz_below_minus_3_unflagged(step):
    bgm = step.execute("SELECT lokasi, strftime(bulan, '%Y-%m') FROM tmp_skdn_lokasi "
                       "WHERE n_bgm > 0").fetchall()
    assert bgm == [(f"{seq.DESA}|BGM", "2025-01")]   # not -3.0, not the flagged -6.5


def test_totals_k_and_agreement_with_the_export(step):
    n_d, n_n, n_t, n_o, n_b, n_k, n_k_diisi, banding, sama, kosong = step.execute(
        "SELECT sum(n_d), sum(n_n), sum(n_t), sum(n_o), sum(n_b), sum(n_k), sum(n_k_diisi), "
        "sum(n_naik_bb_banding), sum(n_naik_bb_sama), sum(n_naik_bb_kosong) "
        "FROM tmp_skdn_lokasi").fetchone()
    expected = [s for c in seq.CHILDREN for s in c.status.values()]
    assert n_d == len(expected) == 32
    assert (n_n, n_t, n_o, n_b) == tuple(expected.count(s) for s in "NTOB") == (8, 9, 4, 11)
    assert (n_k, n_k_diisi) == (2, 4)   # kbm_tepat "Ya" twice, kbm_kurang "Tidak" twice
    # the export's N/T where tumbuh judged N/T: kbm_tepat N=N, kbm_kurang N<>T, kbm_desimal N=N,
    # umur_batas T=T and N=N, dua_t T=T, T=T, N<>T, N=N: 9 compared, 7 the same
    assert (banding, sama) == (9, 7)
    assert kosong == n_d - 9


def test_2t_rows_say_where_the_kader_finds_the_child(step):
    rows = step.execute(
        "SELECT strftime(bulan, '%Y-%m'), posyandu_key, file_name, row_number, no_ekspor, "
        "umur_bulan, berat_lalu_2_kg, berat_lalu_kg, berat_kg, naik_lalu_g, naik_g, kbm_g "
        "FROM tmp_skdn_2t ORDER BY bulan").fetchall()
    staged = {(r["file_sha256"], r["child_key"]): r["row_number"] for r in _staged()}
    mar, apr = staged[("skdn-2025-03", "key-dua_t")], staged[("skdn-2025-04", "key-dua_t")]
    key = f"{seq.DESA}|DUA_T"
    assert rows == [("2025-03", key, "skdn-2025-03.csv", mar, str(mar), 21, 9.0, 9.1, 9.1, 100, 0, 200),
                    ("2025-04", key, "skdn-2025-04.csv", apr, str(apr), 22, 9.1, 9.1, 9.0, 0, -100, 200)]
    columns = {r[0] for r in step.execute("DESCRIBE tmp_skdn_2t").fetchall()}
    assert not columns & {"child_key", "birth_date", "nik", "nama"}


def test_months_a_load_recomputes():
    every = [f"2025-{m:02d}" for m in range(1, 13)]
    assert shift("2025-11", 2) == "2026-01" and shift("2025-01", -1) == "2024-12"
    assert months_to_recompute(["2025-03"], set(), every) == ["2025-03", "2025-04", "2025-05"]
    # a child first weighed in August is no longer B there when March arrives
    assert months_to_recompute(["2025-03"], {"2025-08"}, every) == [
        "2025-03", "2025-04", "2025-05", "2025-08"]
    assert months_to_recompute(["2025-12"], set(), every) == ["2025-12"]  # no data after


def test_passes_stay_within_the_row_budget():
    rows = {"2025-01": 5, "2025-02": 4, "2025-03": 9, "2025-04": 1, "2025-05": 1}
    assert chunks(list(rows), rows, 9) == [["2025-01", "2025-02"], ["2025-03"],
                                           ["2025-04", "2025-05"]]
    assert chunks(["2025-03"], rows, 2) == [["2025-03"]]  # a month over the budget: on its own
    assert chunks(list(rows), rows, 100) == [list(rows)]
    assert chunks([], rows, 9) == [[]]


def test_one_month_per_pass_gives_the_one_pass_counts(step, monkeypatch):
    """A province build recomputes its months in passes (CHUNK_ROWS); a pass per month must
    count and list exactly what one pass over every month does."""
    monkeypatch.setattr(skdn, "CHUNK_ROWS", 1)
    con = _bare(_staged())
    recomputed = run_skdn_step(con, None, [], full=True)
    assert len(recomputed) == len({f"{r['measurement_date']:%Y-%m}" for r in _staged()}) > 3
    assert _counts(con, "tmp_skdn_lokasi") == _counts(step, "tmp_skdn_lokasi")
    listed = "SELECT * FROM tmp_skdn_2t ORDER BY ALL"
    assert con.execute(listed).fetchall() == step.execute(listed).fetchall()
    assert con.execute("SELECT count(*) FROM tmp_skdn_bulan").fetchone()[0] == len(recomputed)
    left = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary "
                                      "AND table_name LIKE 'tmp_skdn%'").fetchall()}
    assert left == {"tmp_skdn_bulan", "tmp_skdn_lokasi", "tmp_skdn_2t", "tmp_skdn_pertama_log"}
    con.close()


def test_kbm_reference_is_the_demos():
    """The reference table and the demo generator's KBM (which writes the exports' own N/T) are
    the same Buku KIA values."""
    from demo.posyandu import KBM

    with open(Path(__file__).parents[3] / "pipelines" / "reference" / "kbm.csv") as fh:
        table = {int(r["umur_bulan"]): int(r["kbm_gram"]) for r in csv.DictReader(fh)}
    assert sorted(table) == list(range(60))
    assert table == {age: round(KBM[age] * 1000) for age in range(60)}


# -- through a real build ----------------------------------------------------------------------


def _load(warehouse: Path, months: set[str] | None, config, spm: bool = False) -> None:
    rows = _staged(months)
    with building(warehouse, config) as build:
        insert(build.con, "stg_pengukuran", [{k: v for k, v in r.items() if k != "_kia"}
                                             for r in rows])
        insert(build.con, "raw_pengukuran", seq.raw_rows(rows))
        insert(build.con, "load_files", seq.load_files_rows(rows))
        if spm:  # the posyandu kbm_tepat reports its sasaran balita (KES01) for February
            insert(build.con, "stg_spm", [{
                "file_sha256": "spm-skdn", "row_number": 1, "kode_kabkota": seq.KAB,
                "kode_kecamatan": seq.KEC, "kode_desa": seq.DESA,
                "posyandu_key": f"{seq.DESA}|KBM_TEPAT", "posyandu_nama": "kbm_tepat",
                "bulan": seq.d(2, 1), "bidang": "Kesehatan", "kode_indikator": "KES01",
                "sasaran": 4, "dilayani": 1}])
            insert(build.con, "raw_spm", [{"file_sha256": "spm-skdn", "file_name": "spm.csv",
                                           "row_number": 1, "loaded_at": seq.LOADED_AT}])
            insert(build.con, "load_files", [{
                "file_sha256": "spm-skdn", "source": "spm", "file_name": "spm.csv",
                "format": "csv", "rows_read": 1, "rows_staged": 1, "rows_rejected": 0,
                "loaded_at": seq.LOADED_AT}])
        build.changed = True


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("skdn") / "w.duckdb"
    _load(warehouse, None, marts_config(prevalence={"min_cell": 1}), spm=True)
    return warehouse


def test_mart_skdn_per_posyandu_and_province(built):
    with connect_readonly(built) as con:
        assert _statuses(con, "state_skdn_lokasi") == seq.expected_statuses()
        row = con.execute(
            "SELECT nama, n_s, s_sumber, n_d, n_n, n_k, pct_ds, pct_nd FROM mart_skdn "
            "WHERE level = 'posyandu' AND kode = ? AND period = '2025-02'",
            [f"{seq.DESA}|KBM_TEPAT"]).fetchone()
        assert row == ("kbm_tepat", 4, "spm_kes01", 1, 1, 1, 25.0, 100.0)
        prov = con.execute(
            "SELECT period, n_d, n_n, n_t, n_o, n_b, n_2t, n_bgm, pct_nd, pct_2td, s_sumber "
            "FROM mart_skdn WHERE level = 'provinsi' ORDER BY period").fetchall()
        # March: umur_batas N, dua_t T (2T), celah O, tanpa_berat O, baru_maret B, bgm T
        assert prov[2][:8] == ("2025-03", 6, 1, 2, 2, 1, 1, 0)
        assert prov[2][8] == pytest.approx(100 / 6) and prov[2][9] == pytest.approx(100 / 6)
        assert {p[10] for p in prov} == {"referensi"}
        levels = con.execute("SELECT DISTINCT level FROM mart_skdn ORDER BY 1").fetchall()
        assert [lv for (lv,) in levels] == ["desa", "kabkota", "kecamatan", "posyandu", "provinsi"]
        assert con.execute("SELECT count(*) FROM mart_skdn_2t").fetchone()[0] == 2
        failing = con.execute("SELECT audit, n_failing FROM meta_audit WHERE domain = 'skdn'"
                              ).fetchall()
        assert sorted(failing) == [("skdn_2t_list_matches_counts", 0),
                                   ("skdn_counts_consistent", 0),
                                   ("skdn_no_personal_columns", 0)]


def test_small_units_are_suppressed_as_in_mart_prevalensi(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _load(warehouse, {"2025-01", "2025-02"}, marts_config())   # min_cell 10
    with connect_readonly(warehouse) as con:
        rows = con.execute("SELECT level, period, suppressed, n_d, pct_nd, n_s FROM mart_skdn "
                           "WHERE level IN ('provinsi', 'posyandu') ORDER BY ALL").fetchall()
        hidden = con.execute("SELECT level, period, suppressed_anak FROM mart_prevalensi "
                             "WHERE level = 'provinsi' AND period_type = 'bulan' ORDER BY ALL"
                             ).fetchall()
    # January: 10 balita, shown; February: 9 measured (8 weighed), hidden as mart_prevalensi
    # hides them; every one-child posyandu hidden; the sasaran stays (a published figure)
    assert hidden == [("provinsi", "2025-01", False), ("provinsi", "2025-02", True)]
    province = [r for r in rows if r[0] == "provinsi"]
    assert province[0][1:5] == ("2025-01", False, 10, 0.0)   # every child B: N/D 0 %
    assert province[1][1:5] == ("2025-02", True, None, None) and province[1][5] > 0
    assert {r[2:5] for r in rows if r[0] == "posyandu"} == {(True, None, None)}


def test_no_ratio_over_fewer_weighings_than_min_cell(tmp_path):
    """February: 9 balita measured, 8 of them weighed. With min_cell 9 its children are shown
    (mart_prevalensi shows the province) but every ratio over D (8 < 9) is hidden; the counts
    stay, as mart_prevalensi shows the counts of a unit it shows."""
    warehouse = tmp_path / "w.duckdb"
    _load(warehouse, {"2025-01", "2025-02"}, marts_config(prevalence={"min_cell": 9}))
    with connect_readonly(warehouse) as con:
        feb = con.execute(
            "SELECT suppressed, n_d, pct_nd, pct_td, pct_2td, pct_bgmd, pct_nd_dinilai, "
            "pct_naik_bb_sama FROM mart_skdn WHERE level = 'provinsi' AND period = '2025-02'"
        ).fetchall()
        jan = con.execute("SELECT n_d, pct_nd FROM mart_skdn WHERE level = 'provinsi' "
                          "AND period = '2025-01'").fetchall()
        shown = con.execute("SELECT suppressed_anak FROM mart_prevalensi WHERE level = "
                            "'provinsi' AND period_type = 'bulan' AND period = '2025-02'").fetchall()
    assert shown == [(False,)]
    assert feb == [(False, 8, None, None, None, None, None, None)]
    assert jan == [(10, 0.0)]


def test_export_of_the_new_marts(built, tmp_path):
    with connect_readonly(built) as con:
        names = dict(list_exports(con))
    assert names["skdn"].startswith("one row per level") and "follow-up" in names["skdn_2t"]
    assert export("skdn_2t", tmp_path / "2t.csv", built) == 2
    with open(tmp_path / "2t.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["file_name"] for r in rows) == ["skdn-2025-03.csv", "skdn-2025-04.csv"]
    assert export("skdn", tmp_path / "skdn.parquet", built) > 0


@pytest.mark.slow
@pytest.mark.parametrize("passes", ["one", "per month"])
def test_loads_in_any_order_equal_a_full_rebuild(tmp_path, monkeypatch, passes):
    """(Recomputed in one pass, and a pass per month as at province scale.) May-June first (every child there is B), then January: the children weighed in January
    too are B no longer in May or June, months beyond the two after January that the load must
    recompute as well; then March, February (March's O become N/T and 2T) and April."""
    if passes == "per month":
        monkeypatch.setattr(skdn, "CHUNK_ROWS", 1)
    warehouse, config = tmp_path / "w.duckdb", marts_config(prevalence={"min_cell": 1})
    loaded: set[str] = set()
    for months in ({"2025-05", "2025-06"}, {"2025-01"}, {"2025-03"}, {"2025-02"}, {"2025-04"}):
        _load(warehouse, months, config)
        loaded |= months
        # after every load: the counts a full computation over the months loaded so far gives
        full = _bare(_staged(loaded))
        run_skdn_step(full, None, [], full=True)
        with connect_readonly(warehouse) as con:
            assert _counts(con, "state_skdn_lokasi") == _counts(full, "tmp_skdn_lokasi"), months
        full.close()
    with connect_readonly(warehouse) as con:
        assert con.execute("SELECT mode FROM meta_build").fetchone()[0] == "incremental"
        assert _statuses(con, "state_skdn_lokasi") == seq.expected_statuses()
        assert con.execute("SELECT count(*) FROM mart_skdn_2t").fetchone()[0] == 2
    compared = assert_equal_to_rebuild(warehouse, config, tmp_path)
    assert compared["mart_skdn"] > 0 and compared["mart_skdn_2t"] == 2
    assert compared["state_skdn_lokasi"] == len(seq.expected_statuses())
