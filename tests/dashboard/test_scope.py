"""Row scoping by wilayah (D26, dashboard/scope.py): a kab/kota-scoped user (kabupaten; analis or
operator of a kab/kota) reads its own kab/kota down to posyandu and the others only at kab/kota
level, through every query function, every page (widgets set to another kab/kota included), the
downloads and the SQL console; the province reads everything; cached rows never cross scopes.

OWN is Kabupaten Malang (35.07), OTHER Jember (35.09); the fixture warehouse has two kecamatan,
desa and posyandu in each of the 38 kab/kota."""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries as q
from dashboard import scope as scope_mod
from dashboard.app import PAGES, single_page_script
from dashboard.auth import LOCAL, Principal
from dashboard.repository import RESULTS, Repository
from dashboard.sql_console import ConsoleError, ConsoleLimits, open_console, run_query
from pipelines.config import Config, default_config
from tests.dashboard.frames import content_frames

OWN, OTHER = "35.07", "35.09"
PAGE_NAMES = [name for name, _ in PAGES]
# a kecamatan, desa or posyandu code (or anything finer): "35.NN.NN..."
SUB_KABKOTA = re.compile(r"^35\.\d\d\.\d")


# -- what counts as a leak ---------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, pd.DataFrame):
        for col in value.columns:
            if value[col].dtype == object or pd.api.types.is_string_dtype(value[col]):
                yield from (v for v in value[col].dropna().unique() if isinstance(v, str))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _strings(v)


def foreign(value: Any, kab: str = OWN) -> list[str]:
    """Codes below kab/kota level that lie outside `kab`, anywhere in a result (any column)."""
    return sorted({s for s in _strings(value) if SUB_KABKOTA.match(s)
                   and not s.startswith(kab + ".")})


def inside(value: Any, kab: str = OWN) -> list[str]:
    return sorted({s for s in _strings(value) if SUB_KABKOTA.match(s) and s.startswith(kab + ".")})


# -- every query function ----------------------------------------------------------------------


def query_functions() -> list[tuple[str, Any]]:
    """Every public function defined in a module of dashboard/queries/ (not `_base`)."""
    found = []
    for module_name in q.__all__:
        module = getattr(q, module_name)
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ == module.__name__ and not name.startswith("_"):
                found.append((f"{module_name}.{name}", func))
    return found


@pytest.fixture(scope="module")
def candidates(warehouse: Path) -> dict[str, list[Any]]:
    """Values to try for each parameter name of the query functions (a new parameter must be
    added here: the test fails naming it)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        kec_other = [r[0] for r in con.execute(
            "SELECT kode FROM ref_wilayah WHERE tingkat = 'kecamatan' AND kode_induk = ? "
            "ORDER BY kode LIMIT 2", [OTHER]).fetchall()]
        bidang = con.execute("SELECT min(bidang) FROM mart_spm_field").fetchone()[0]
        campaign = con.execute("SELECT min(campaign_id) FROM ref_campaign").fetchone()[0]
    finally:
        con.close()
    return {
        "level": ["kecamatan", "desa", "posyandu", "kabkota"],
        "period_type": ["bulan", "tahun"],
        "period": ["2025-08", "2025"],
        "kode_kabkota": [None, OWN, OTHER],
        "kodes": [None, [OTHER], kec_other],
        "kodes_kabkota": [(), [OTHER], [OWN, OTHER]],
        "first": ["0"],
        "last": ["9999"],
        "bidang": [None, bidang],
        "campaign_id": [campaign],
        "activity": ["remeasured"],
        "day": [pd.Timestamp("2025-11-30")],
        "kode": ["35", OWN, OTHER],
        "names": [("mart_prevalensi",)],
        "prefixes": [("mart_", "ref_")],
        "sources": [["pengukuran", "spm", "pkk", "intervensi"]],
    }


def calls(func: Any, candidates: dict[str, list[Any]]) -> Iterator[tuple[tuple, dict]]:
    """(args, kwargs) after the repository: every combination of the parameters' candidates."""
    params = [p for p in inspect.signature(func).parameters.values() if p.name != "repo"]
    missing = [p.name for p in params if p.name not in candidates
               and p.default is inspect.Parameter.empty]
    assert not missing, f"{func.__qualname__}: add candidates for {missing}"
    named = [p for p in params if p.name in candidates]
    for values in itertools.product(*(candidates[p.name] for p in named)):
        args: tuple = ()
        kwargs = {}
        for p, value in zip(named, values):
            if p.kind is p.VAR_POSITIONAL:
                args = tuple(value)
            elif not (value is None and p.name == "kodes"):
                kwargs[p.name] = value
        yield args, kwargs


def test_every_query_function_is_scoped(warehouse, candidates):
    """For a kab/kota principal no query function returns another kab/kota's kecamatan, desa or
    posyandu rows, whatever kab/kota, level or unit codes it is asked for; the province, asked the
    same, gets them (so the test can see a leak), and the kab/kota its own."""
    Repository.clear_cache()
    scoped, province = Repository(warehouse, scope=OWN), Repository(warehouse)
    functions = query_functions()
    assert len(functions) >= 25
    leaks: dict[str, list[str]] = {}
    n_calls = seen_by_province = own_rows = 0
    for name, func in functions:
        for args, kwargs in calls(func, candidates):
            result = func(scoped, *args, **kwargs)
            n_calls += 1
            bad = foreign(result)
            if bad:
                leaks.setdefault(name, []).extend(bad[:3])
            own_rows += len(inside(result))
            seen_by_province += len(foreign(func(province, *args, **kwargs)))
    assert leaks == {}
    assert seen_by_province > 0 and own_rows > 0
    assert n_calls > 100


def test_own_kabkota_is_seen_whole_and_others_at_kabkota_level(repo, warehouse):
    scoped = Repository(warehouse, scope=OWN)
    for level in ("kecamatan", "desa", "posyandu"):
        mine = q.stunting.prevalensi(scoped, level, "bulan", "2025-08", OWN)
        assert len(mine) > 0
        assert mine.equals(q.stunting.prevalensi(repo, level, "bulan", "2025-08", OWN))
        assert q.stunting.prevalensi(scoped, level, "bulan", "2025-08", OTHER).empty
        assert set(q.stunting.prevalensi(scoped, level, "bulan", "2025-08")["kode_kabkota"]) == {OWN}
    # kab/kota and province rows of everyone stay (ranking and peer comparison need them)
    for level in ("kabkota", "provinsi"):
        assert q.stunting.prevalensi(scoped, level, "bulan", "2025-08").equals(
            q.stunting.prevalensi(repo, level, "bulan", "2025-08"))
    assert len(q.wilayah.kabkota(scoped)) == 38
    assert set(q.wilayah.kecamatan(scoped)["kode_induk"]) == {OWN}
    assert q.wilayah.kecamatan(scoped, OTHER).empty


def test_provinsi_sees_everything(repo, warehouse, wh_con):
    """The province's repository (LOCAL, provinsi, analis or operator of "35") reads the tables
    as they are."""
    assert LOCAL.kabkota is None
    assert Principal("a@x", "analis", "35", "").kabkota is None
    assert Principal("a@x", "operator", "35", "").kabkota is None
    n = wh_con.execute("SELECT count(*) FROM mart_prevalensi WHERE level = 'kecamatan' AND "
                       "period_type = 'bulan' AND period = '2025-08'").fetchone()[0]
    assert len(q.stunting.prevalensi(repo, "kecamatan", "bulan", "2025-08")) == n > 38
    assert repo.scope is None


def test_every_table_has_a_rule_and_holds_it(warehouse):
    """Every table of the warehouse's main schema is named in RULES (a new mart needs a
    decision), and read whole by a scoped repository it holds no foreign sub-kab/kota rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()]
    finally:
        con.close()
    assert sorted(set(tables) - set(scope_mod.RULES)) == []
    Repository.clear_cache()
    scoped, province = Repository(warehouse, scope=OWN), Repository(warehouse)
    hidden_rows = 0
    for name in tables:
        mine = scoped.query(f"SELECT * FROM {name}")
        assert foreign(mine) == [], name
        everything = province.query(f"SELECT * FROM {name}")
        hidden_rows += len(everything) - len(mine)
        if scope_mod.RULES[name] == "all":
            assert len(mine) == len(everything), name
        if "level" in mine.columns:  # every kab/kota and province row stays
            upper = everything[everything["level"].isin(["provinsi", "kabkota"])]
            assert len(mine[mine["level"].isin(["provinsi", "kabkota"])]) == len(upper), name
    assert hidden_rows > 0
    # the load manifest: only its own kab/kota's files
    files = scoped.query("SELECT source, file_name FROM load_files")
    assert len(files) > 0 and all(OWN in f for f in files["file_name"])
    # every source's files of its own kab/kota, none hidden (an operator checks its uploads)
    every = province.query("SELECT source, file_name FROM load_files")
    own = every[every["file_name"].str.contains(OWN, regex=False)]
    assert sorted(files["file_name"]) == sorted(own["file_name"])
    assert {"posyandu", "spm", "pkk"} <= set(files["source"])  # Malang has no campaign file
    # a rejected file of Jember (35.09) is hidden from Malang, seen by Jember
    assert scoped.query("SELECT * FROM load_rejects").empty
    assert len(Repository(warehouse, scope=OTHER).query("SELECT * FROM load_rejects")) > 0


def test_an_unknown_table_is_judged_by_its_columns():
    by = scope_mod._rule_by_columns
    assert by({"level", "kode", "kode_kabkota", "x"}) == "level"
    assert by({"kode_kabkota", "posyandu_key"}) == "sub_kabkota"
    assert by({"kode_kabkota", "n"}) == "all"
    assert by({"lokasi", "n"}) == "hidden"  # cannot tell where its rows are: fail closed
    assert by({"kode", "n"}) == "hidden"
    assert by({"n", "label"}) == "all"
    with pytest.raises(ValueError):
        scope_mod.check_scope("35.07' OR true --")
    with pytest.raises(ValueError):
        Repository("w.duckdb", scope="35")


def test_the_query_layer_refuses_catalog_qualified_names(warehouse):
    from dashboard.queries._base import run

    scoped = Repository(warehouse, scope=OWN)
    for sql in ("SELECT * FROM warehouse.main.mart_prevalensi",
                "SELECT * FROM warehouse.mart_prevalensi",
                'SELECT * FROM "warehouse".mart_prevalensi',
                "SELECT * FROM temp.main.mart_prevalensi",
                "SELECT * FROM system.main.duckdb_tables()"):
        with pytest.raises(ValueError):
            run(scoped, sql)


def test_cache_never_serves_one_scope_to_another(warehouse):
    Repository.clear_cache()
    province, mine, theirs = (Repository(warehouse), Repository(warehouse, scope=OWN),
                              Repository(warehouse, scope=OTHER))
    args = ("kecamatan", "bulan", "2025-08")
    # the province first (its rows cached), then the kab/kota: never the province's rows
    everything = q.stunting.prevalensi(province, *args)
    assert set(q.stunting.prevalensi(mine, *args)["kode_kabkota"]) == {OWN}
    assert set(q.stunting.prevalensi(theirs, *args)["kode_kabkota"]) == {OTHER}
    assert q.stunting.prevalensi(province, *args).equals(everything)
    # and the other way round, on a cold cache
    Repository.clear_cache()
    assert set(q.stunting.prevalensi(mine, *args)["kode_kabkota"]) == {OWN}
    assert q.stunting.prevalensi(province, *args).equals(everything)
    scopes = {key[2] for key in RESULTS._data}
    assert scopes == {None, OWN}


# -- the SQL console ---------------------------------------------------------------------------

LIMITS = ConsoleLimits(timeout_s=20, max_rows=5000)


def test_console_reads_only_the_scope(warehouse):
    sql = ("SELECT level, count(*) AS n, count(DISTINCT kode_kabkota) AS n_kab FROM mart_prevalensi "
           "WHERE period_type = 'bulan' AND period = '2025-08' GROUP BY level ORDER BY level")
    mine = run_query(warehouse, sql, LIMITS, scope=OWN).frame.set_index("level")
    everything = run_query(warehouse, sql, LIMITS).frame.set_index("level")
    for level in ("kecamatan", "desa", "posyandu"):
        assert mine.loc[level, "n_kab"] == 1 and everything.loc[level, "n_kab"] == 38
    assert mine.loc["kabkota", "n"] == everything.loc["kabkota", "n"] == 38
    # main.<table>, joins, subqueries and CTEs read the same views
    sql = ("WITH k AS (SELECT * FROM main.mart_prevalensi WHERE level = 'kecamatan') "
           "SELECT k.kode FROM k JOIN ref_wilayah AS w ON w.kode = k.kode "
           "UNION ALL SELECT kode FROM (SELECT kode FROM mart_spm_field WHERE level = 'posyandu')")
    codes = run_query(warehouse, sql, LIMITS, scope=OWN).frame
    assert len(codes) > 0 and foreign(codes) == []


@pytest.mark.parametrize("sql, why", [
    ("SELECT * FROM warehouse.main.mart_prevalensi", "main schema"),
    ("SELECT * FROM warehouse.mart_prevalensi", "main schema"),
    ('SELECT * FROM "warehouse"."main"."mart_prevalensi"', "main schema"),
    ("SELECT * FROM temp.main.mart_prevalensi", "main schema"),
    ("SELECT * FROM memory.main.mart_prevalensi", "main schema"),
    ("SELECT * FROM system.main.duckdb_tables()", "table functions"),
    ("WITH mart_x AS (SELECT * FROM warehouse.main.mart_prevalensi) SELECT * FROM mart_x",
     "main schema"),
    (("SELECT * FROM mart_kualitas_data WHERE kode IN "
      "(SELECT kode FROM warehouse.main.mart_prevalensi)"), "main schema"),
    ("SELECT * FROM read_parquet('warehouse.store/*/*.parquet')", "table functions"),
    ("SELECT * FROM duckdb_tables()", "table functions"),
    ("SELECT * FROM query_table('mart_prevalensi')", "table functions"),
    ("SELECT * FROM pragma_table_info('mart_prevalensi')", "table functions"),
    ("SELECT duckdb_tables() IS NULL", "duckdb_tables"),
    ("SELECT current_database()", "current_database"),
    ("SELECT * FROM mart_prevalensi WHERE getvariable('x') IS NULL", "getvariable"),
    ("ATTACH 'warehouse.duckdb' AS w2 (READ_ONLY)", "only SELECT"),
    ("DETACH warehouse", "only SELECT"),
    ("DROP VIEW mart_prevalensi", "only SELECT"),
    ("USE memory", "only SELECT"),
    ("SET search_path = 'warehouse.main'", "only SELECT"),
])
def test_console_bypass_attempts_are_refused(warehouse, sql, why):
    with pytest.raises(ConsoleError, match=why):
        run_query(warehouse, sql, LIMITS, scope=OWN)


def test_console_connection_is_scoped_on_its_own(warehouse):
    """Layer 1 alone (no parse-tree check): the scoped console connection reads the views under
    the bare and the `main.` names, also after a search path change. (DROP VIEW would work on
    this connection: the temp catalog is writable; only SELECT statements ever reach it.)"""
    con = open_console(warehouse, scope=OWN)
    try:
        for name in ("mart_prevalensi", "main.mart_prevalensi"):
            kabs = con.execute(f"SELECT DISTINCT kode_kabkota FROM {name} "
                               "WHERE level IN ('kecamatan', 'desa', 'posyandu')").fetchall()
            assert kabs == [(OWN,)]
        con.execute("SET search_path = 'warehouse.main'")
        kabs = con.execute("SELECT DISTINCT kode_kabkota FROM mart_prevalensi "
                           "WHERE level IN ('kecamatan', 'desa', 'posyandu')").fetchall()
        assert kabs == [(OWN,)]
    finally:
        con.close()


# -- the pages ---------------------------------------------------------------------------------


@pytest.fixture()
def spy(monkeypatch) -> list[tuple[str | None, pd.DataFrame]]:
    """Every frame the repository hands to a page, with the scope it was read under."""
    seen: list[tuple[str | None, pd.DataFrame]] = []
    original = Repository.query

    def query(self: Repository, sql: str, params: Any = ()) -> pd.DataFrame:
        frame = original(self, sql, params)
        seen.append((self.scope, frame))
        return frame

    monkeypatch.setattr(Repository, "query", query)
    return seen


def shown_leaks(at: AppTest, seen: list[tuple[str | None, pd.DataFrame]]) -> list[str]:
    bad = [c for _, frame in seen for c in foreign(frame)]
    for element in at.get("dataframe"):
        bad += foreign(element.value)
    return sorted(set(bad))


def scoped_page(warehouse: Path, page: str) -> AppTest:
    at = AppTest.from_function(single_page_script, args=(str(warehouse), page, "id", OWN),
                               default_timeout=60)
    return at.run()


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_page_is_scoped(warehouse, spy, page):
    Repository.clear_cache()
    at = scoped_page(warehouse, page)
    assert not at.exception, page
    if page == "unggah":  # the uploads page reads no mart (its log and rejects files are its own)
        assert spy == []
        return
    assert spy and {scope for scope, _ in spy} == {OWN}
    assert shown_leaks(at, spy) == []


# Widgets set to another kab/kota (as a URL or a crafted session would): only kab/kota rows.
WIDGETS = {
    "peta": [("radio", "peta.level", "kecamatan"), ("selectbox", "peta.kabkota", OTHER)],
    "spm": [("selectbox", "spm.kabkota", OTHER)],
    "kualitas": [("radio", "kualitas.level", "posyandu"), ("selectbox", "kualitas.kabkota", OTHER)],
    "eksplorasi": [("radio", "eksplorasi.level", "kecamatan"),
                   ("multiselect", "eksplorasi.kabkota", [OTHER])],
    "intervensi": [("selectbox", "intervensi.kab", OTHER)],
    "perbandingan": [("selectbox", "perbandingan.kabkota", OTHER)],
    "pertumbuhan": [("radio", "pertumbuhan.level", "posyandu"),
                    ("selectbox", "pertumbuhan.kabkota", OTHER)],
}


@pytest.mark.parametrize("page", sorted(WIDGETS))
def test_choosing_another_kabkota_shows_only_kabkota_rows(warehouse, spy, page):
    Repository.clear_cache()
    at = scoped_page(warehouse, page)
    for kind, key, value in WIDGETS[page]:
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, (page, key)
    assert shown_leaks(at, spy) == []
    if page in ("peta", "spm", "kualitas", "eksplorasi"):  # its own kab/kota: rows down below
        spy.clear()
        for kind, key, value in WIDGETS[page]:
            value = [OWN] if kind == "multiselect" else OWN if value == OTHER else value
            getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception
        assert any(inside(frame) for _, frame in spy), page


# The kab/kota pickers of each page: a kab/kota user starts on her own kab/kota.
PICKERS = {"peta": "peta.kabkota", "spm": "spm.kabkota", "kualitas": "kualitas.kabkota",
           "perbandingan": "perbandingan.kabkota", "pertumbuhan": "pertumbuhan.kabkota"}


@pytest.mark.parametrize("page", sorted(PICKERS))
def test_kabkota_pickers_start_on_the_users_own(warehouse, page):
    Repository.clear_cache()
    assert scoped_page(warehouse, page).selectbox(key=PICKERS[page]).value == OWN
    province = AppTest.from_function(single_page_script, args=(str(warehouse), page, "id"),
                                     default_timeout=60).run()
    assert province.selectbox(key=PICKERS[page]).value != OWN  # the province: the list's first


def test_eksplorasi_downloads_come_from_the_scoped_rows(warehouse):
    """The CSV/XLSX buttons hold the pivot built from q.stunting.prevalensi_span: scoped."""
    from dashboard import explore

    Repository.clear_cache()
    scoped = Repository(warehouse, scope=OWN)
    df = q.stunting.prevalensi_span(scoped, "kecamatan", "bulan", "0", "9999", [OWN, OTHER])
    wide = explore.pivot(df, "pct_stunted")
    assert len(wide) > 0 and foreign(wide) == [] and inside(wide)
    assert OTHER + "." not in explore.to_csv(wide, "pct_stunted").decode("utf-8-sig")
    at = scoped_page(warehouse, "eksplorasi")
    at.radio(key="eksplorasi.level").set_value("kecamatan").run()
    at.multiselect(key="eksplorasi.kabkota").set_value([OTHER]).run()
    assert not at.exception
    assert not at.get("download_button")  # nothing of Jember's kecamatan to download
    at.multiselect(key="eksplorasi.kabkota").set_value([OWN, OTHER]).run()
    assert len(at.get("download_button")) == 2
    assert foreign(content_frames(at)[0].value) == [] and inside(content_frames(at)[0].value)
    # the XLSX's "Sumber" sheet: the files behind the table, only its own kab/kota's
    import io

    import pandas as pd
    sources = q.build.files_behind(scoped, ["pengukuran"])
    book = pd.read_excel(io.BytesIO(explore.to_xlsx(wide, files=sources)), sheet_name=None,
                         engine="openpyxl")
    assert list(book) == ["tumbuh", "Sumber"]
    assert len(book["Sumber"]) == len(sources) > 0
    assert all(OWN in name for name in book["Sumber"]["file_name"])


# -- the whole app: the principal's scope reaches the repository ---------------------------------

AUTH = {
    "server_metadata_url": "https://sso.example/realms/jatim/.well-known/openid-configuration",
    "client_id": "tumbuh", "client_secret": "s", "cookie_secret": "c" * 64,
    "redirect_uri": "https://tumbuh.example/oauth2callback",
}
USERS = [("budi@malangkab.example", "kabupaten", OWN), ("sari@jemberkab.example", "analis", OTHER),
         ("op@malangkab.example", "operator", OWN), ("ratna@jatim.example", "provinsi", "35")]


def app_script() -> None:
    from dashboard.app import main

    main()


@pytest.mark.parametrize("email, role, wilayah", USERS)
def test_the_signed_in_principal_scopes_the_app(tmp_path, monkeypatch, warehouse, spy, email,
                                                role, wilayah):
    users = "".join(f'[[users]]\nemail = "{e}"\nrole = "{r}"\nwilayah = "{w}"\n'
                    for e, r, w in USERS)
    path = tmp_path / "tumbuh.toml"
    path.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in AUTH.items()) + users)
    monkeypatch.setenv("TUMBUH_CONFIG", str(path))
    monkeypatch.setenv("TUMBUH_WAREHOUSE", str(warehouse))
    default_config.cache_clear()
    Repository.clear_cache()
    try:
        at = AppTest.from_function(app_script, default_timeout=60)
        at.user = {"is_logged_in": True, "email": email}
        at.secrets = {"auth": dict(AUTH)}
        at.run()
        assert not at.exception
        expected = None if wilayah == "35" else wilayah
        assert spy and {s for s, _ in spy} == {expected}
        if expected:
            assert shown_leaks_for(at, spy, expected) == []
    finally:
        default_config.cache_clear()


def shown_leaks_for(at: AppTest, seen: list, kab: str) -> list[str]:
    bad = [c for _, frame in seen for c in foreign(frame, kab)]
    for element in at.get("dataframe"):
        bad += foreign(element.value, kab)
    return sorted(set(bad))


def test_config_without_auth_is_the_province():
    assert Config().auth is None
    assert LOCAL.kabkota is None


def test_the_files_behind_a_page_are_scoped(warehouse):
    from dashboard import queries as q
    Repository.clear_cache()
    province = q.build.files_behind(Repository(warehouse), ["pengukuran", "spm"])
    mine = q.build.files_behind(Repository(warehouse, scope=OWN), ["pengukuran", "spm"])
    assert len(province) > len(mine) > 0
    assert all(OWN in name for name in mine["file_name"])
    assert sorted(mine["file_name"]) == sorted(
        n for n in province["file_name"] if OWN in n)
    # asking for another kab/kota's files gives none to a kab/kota user
    assert q.build.files_behind(Repository(warehouse, scope=OWN), ["pengukuran"], OTHER).empty


# -- child-level rows: the 2T follow-up list (decision D35) -------------------------------------


def test_roles_that_may_see_child_rows():
    assert LOCAL.child_rows
    assert Principal("a@x", "provinsi", "35", "").child_rows
    assert Principal("a@x", "kabupaten", OWN, "").child_rows
    assert not Principal("a@x", "analis", "35", "").child_rows
    assert not Principal("a@x", "operator", OWN, "").child_rows


def test_a_kabkota_user_never_gets_another_kabkotas_2t_rows(warehouse):
    """A kabupaten user (child rows, scope OWN) reads the 2T list of its own kab/kota only,
    whatever kab/kota it asks for; the province reads every kab/kota's; a role without child
    rows reads none, even province-wide, through the query layer and the console."""
    Repository.clear_cache()
    mine = Repository(warehouse, scope=OWN, child_rows=True)
    province = Repository(warehouse, child_rows=True)
    for kode in (None, OWN, OTHER):
        rows = q.skdn.follow_up_2t(mine, "2025-08", kode)
        assert foreign(rows) == []
        assert set(rows["kode_kabkota"]) <= {OWN}
    assert len(q.skdn.follow_up_2t(mine, "2025-08")) == 12      # its own 12 children
    assert set(q.skdn.follow_up_2t(province, "2025-08", OTHER)["kode_kabkota"]) == {OTHER}
    assert len(q.skdn.follow_up_2t(province, "2025-08")) == 450
    for repo in (Repository(warehouse), Repository(warehouse, scope=OWN)):   # analis, operator
        assert q.skdn.follow_up_2t(repo, "2025-08").empty
        assert repo.query("SELECT count(*) AS n FROM mart_skdn_2t")["n"].iloc[0] == 0
        assert len(q.skdn.rows(repo, "kabkota", "2025-08")) == 38   # the counts stay
    with pytest.raises(ValueError):   # nothing names the table past the views
        Repository(warehouse).query("SELECT * FROM warehouse.main.mart_skdn_2t")
    sql = "SELECT kode_kabkota, count(*) AS n FROM mart_skdn_2t GROUP BY ALL"
    assert run_query(warehouse, sql, LIMITS).frame.empty
    assert run_query(warehouse, sql, LIMITS, scope=OWN).frame.empty
    own = run_query(warehouse, sql, LIMITS, scope=OWN, child_rows=True).frame
    assert own.values.tolist() == [[OWN, 12]]
    assert len(run_query(warehouse, sql, LIMITS, child_rows=True).frame) == 38


def test_the_2t_list_page_shows_only_the_own_kabkota(warehouse, spy):
    Repository.clear_cache()
    at = AppTest.from_function(single_page_script, default_timeout=60,
                               args=(str(warehouse), "pertumbuhan", "id", OWN, True)).run()
    at.selectbox(key="pertumbuhan.period").set_value("2025-08").run()
    assert at.selectbox(key="pertumbuhan.kabkota").value == OWN
    at.radio(key="pertumbuhan.level").set_value("posyandu").run()
    assert not at.exception
    follow = at.dataframe[-1].value
    assert len(follow) == 12 and set(follow["File"]) == {f"posyandu/2025-08-{OWN}.csv"}
    at.selectbox(key="pertumbuhan.kabkota").set_value(OTHER).run()
    assert not at.exception
    assert not any("Nomor baris file" in df.value.columns for df in at.dataframe)  # no Jember
    assert shown_leaks(at, spy) == []
