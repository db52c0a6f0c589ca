"""The dashboard on a warehouse whose names are hostile: every grid (whose own "Download as CSV"
exports what it is given), every download (pivot CSV/XLSX, the kab/kota profile and PDF report),
every tooltip and every caption gets the names inert; and no page builds a grid or a download
another way."""

from __future__ import annotations

import ast
import io
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts, explore
from dashboard import queries as q
from dashboard.app import single_page_script
from dashboard.i18n import language
from dashboard.mapdata import prevalence_hover, prevalence_rows
from dashboard.profile import profile_html
from dashboard.repository import Repository
from reports import Period, kabkota_pdf, provinsi_pdf
from tests.dashboard.fixture_warehouse import build_fixture
from tests.dashboard.frames import content_frames
from tests.security.hostile import (
    DDE,
    HOSTILE,
    HYPERLINK,
    SCRIPT,
    csv_cells,
    formula_like,
    xlsx_problems,
    xlsx_values,
)

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
PAGES = ("ringkasan", "peta", "perbandingan", "spm", "intervensi", "kualitas", "pertumbuhan",
         "eksplorasi")
SCRIPT_KAB, HYPERLINK_KAB = "35.09", "35.01"  # Jember (shown, highest prevalence), Pacitan
# Text columns from input files or reference lists, and the key whose hostile prefix they get
# (the same key gets the same prefix in every table, so joins on names still agree).
COLUMNS = ("nama", "posyandu_nama", "puskesmas", "file_name", "indikator", "label_id",
           "label_en", "metric_label", "catatan")
KEYS = ("kode", "kode_kabkota", "posyandu_key", "campaign_id", "file_sha256")


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def make_hostile(warehouse: Path) -> None:
    """Prefix every name and label of the marts, reference and lineage tables with a hostile
    string chosen by the row's key (SCRIPT for Jember, HYPERLINK for Pacitan)."""
    con = duckdb.connect(str(warehouse))
    choices = ", ".join(_sql(h) for h in HOSTILE)
    columns = con.execute(
        "SELECT table_name, list(column_name) FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND (table_name LIKE 'mart\\_%' ESCAPE '\\' OR table_name LIKE 'ref\\_%' ESCAPE '\\' "
        "OR table_name IN ('load_files', 'rejects')) GROUP BY 1").fetchall()
    for table, cols in columns:
        key = next((k for k in KEYS if k in cols), None)
        for column in (c for c in COLUMNS if c in cols):
            by = key or column
            prefix = (f"CASE CAST({by} AS VARCHAR) WHEN {_sql(SCRIPT_KAB)} THEN {_sql(SCRIPT)} "
                      f"WHEN {_sql(HYPERLINK_KAB)} THEN {_sql(HYPERLINK)} "
                      f"ELSE list_value({choices})[1 + CAST(hash({by}) % {len(HOSTILE)} AS BIGINT)] END")
            con.execute(f'UPDATE "{table}" SET "{column}" = {prefix} || \' \' || "{column}"')
    con.close()


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = build_fixture(tmp_path_factory.mktemp("security_dashboard"))
    make_hostile(warehouse)
    return warehouse


@pytest.fixture()
def repo(hostile_warehouse: Path) -> Iterator[Repository]:
    Repository.clear_cache()
    charts.clear_memo()
    yield Repository(hostile_warehouse)
    Repository.clear_cache()


@pytest.fixture()
def page_app(hostile_warehouse: Path) -> Callable[..., AppTest]:
    def make(page: str) -> AppTest:
        Repository.clear_cache()
        charts.clear_memo()
        return AppTest.from_function(single_page_script, args=(str(hostile_warehouse), page, "id"),
                                     default_timeout=60).run()

    return make


def strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def check_page(at: AppTest) -> dict[str, set[str]]:
    """Assert the page ran and leaks nothing; returns what its grids and figures showed."""
    assert not at.exception, [e.value for e in at.exception]
    shown: dict[str, set[str]] = {"grid": set(), "figure": set(), "text": set()}
    for frame in at.dataframe:
        df = frame.value
        bad = [c for c in df.columns if formula_like(c)]
        bad += [v for col in df.columns for v in df[col] if formula_like(v)]
        assert not bad, bad[:5]
        shown["grid"] |= {v for col in df.columns for v in df[col] if isinstance(v, str)}
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    specs += [json.loads(el.proto.json) for el in at.get("deck_gl_json_chart")]
    specs += [json.loads(el.proto.tooltip) for el in at.get("deck_gl_json_chart") if el.proto.tooltip]
    for text in (s for spec in specs for s in strings(spec)):
        for raw in ("<script", "<img", "<a "):
            assert raw not in text.lower(), text
        shown["figure"].add(text)
    for kind in ("markdown", "caption", "warning", "info", "subheader", "title"):
        for el in at.get(kind):
            assert "[klik](" not in el.value and "![x](" not in el.value, el.value
            shown["text"].add(el.value)
    return shown


@pytest.mark.parametrize("page", PAGES)
def test_every_page_keeps_hostile_names_inert(page_app, page):
    at = page_app(page)
    shown = check_page(at)
    if page in ("peta", "kualitas", "eksplorasi", "intervensi"):
        assert any(v.startswith(("'" + DDE, "'" + HYPERLINK)) for v in shown["grid"])
    if page in ("ringkasan", "peta", "perbandingan", "spm"):
        assert any("&lt;script&gt;" in s for s in shown["figure"]), page


def test_pydeck_tooltips_are_escaped(page_app):
    at = page_app("peta")
    at.radio(key="peta.renderer").set_value("pydeck").run()
    deck = at.get("deck_gl_json_chart")
    assert len(deck) == 1
    check_page(at)
    spec = json.loads(deck[0].proto.json)
    tips = [s for s in strings(spec) if "&lt;script&gt;alert(1)&lt;/script&gt;" in s]
    assert tips and all("<b>" in tip for tip in tips)  # the markup tumbuh builds stays markup


def test_drill_and_quality_levels(page_app):
    at = page_app("peta")
    at.session_state["peta.drill_target"] = SCRIPT_KAB
    at.run()
    check_page(at)
    at = page_app("kualitas")
    for level in ("posyandu", "kecamatan", "kabkota"):
        at.radio(key="kualitas.level").set_value(level).run()
        check_page(at)


def test_2t_list_file_names_are_inert(hostile_warehouse):
    """The 2T follow-up list shows export file names (from input files) to the roles that see
    child rows: Pacitan's, prefixed with a HYPERLINK formula, reach the grid inert."""
    Repository.clear_cache()
    at = AppTest.from_function(single_page_script, default_timeout=60, args=(
        str(hostile_warehouse), "pertumbuhan", "id", None, True)).run()
    at.selectbox(key="pertumbuhan.period").set_value("2025-08").run()
    at.selectbox(key="pertumbuhan.kabkota").set_value(HYPERLINK_KAB).run()
    shown = check_page(at)
    assert any(v.startswith("'" + HYPERLINK) for v in shown["grid"])


def test_perbandingan_of_a_hostile_kabkota(page_app):
    at = page_app("perbandingan")
    at.selectbox(key="perbandingan.kabkota").set_value(SCRIPT_KAB).run()
    check_page(at)
    at.selectbox(key="perbandingan.kabkota").set_value("35.79").run()  # suppressed: a warning
    shown = check_page(at)
    assert any("data tidak cukup" in w for w in shown["text"])


def test_sql_console_grid_is_inert(page_app):
    at = page_app("eksplorasi")
    at.text_area(key="eksplorasi.sql").set_value(
        "SELECT nama, kode, pct_stunted - 50 AS selisih FROM mart_prevalensi_kabkota "
        "WHERE period_type = 'bulan' ORDER BY kode")
    at.button(key="eksplorasi.run").click().run()
    check_page(at)
    result = content_frames(at)[-1].value
    assert result["nama"].iloc[0].startswith("'" + HYPERLINK)  # 35.01
    assert result["selisih"].dtype.kind == "f" and (result["selisih"] < 0).any()  # still numbers


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pivot_downloads_are_inert(repo, lang):
    df = pd.concat([q.stunting.prevalensi_series(repo, level, "bulan")
                    for level in ("kabkota", "kecamatan")], ignore_index=True)
    with language(lang):
        wide = explore.pivot(df, "pct_stunted")
        data = explore.to_csv(wide, "pct_stunted")
        files = pd.DataFrame({"source": ["posyandu"], "file_name": [HYPERLINK + ".csv"],
                              "extraction_date": [pd.Timestamp("2025-12-05")],
                              "loaded_at": [pd.Timestamp("2026-01-06 08:00")],
                              "file_sha256": ["ab" * 32], "n_rows": [12]})
        book = explore.to_xlsx(wide, files=files)  # an uploaded file's name is the uploader's
        with_files = explore.to_csv(wide, "pct_stunted", files=files)
    # the CSV's header lines (provenance) carry the file name inert too
    head = csv_cells(with_files, ";" if lang == "id" else ",")[:4]
    assert head[2][0] == "'" + HYPERLINK + ".csv" and head[3] == []
    assert not [cell for row in head for cell in row if formula_like(cell)]
    rows = csv_cells(data, ";" if lang == "id" else ",")
    assert len(rows) == len(wide) + 1 and {len(r) for r in rows} == {len(wide.columns)}
    assert not [cell for row in rows for cell in row if formula_like(cell)]
    names = [row[1] for row in rows[1:]]
    assert "'" + HYPERLINK + " Kabupaten Pacitan" in names
    assert not xlsx_problems(book)
    assert "'" + HYPERLINK + ".csv" in xlsx_values(book)  # the Sumber sheet, made inert
    assert "'" + HYPERLINK + " Kabupaten Pacitan" in xlsx_values(book)
    assert any(isinstance(v, float) for v in xlsx_values(book))  # numbers stay numbers


def test_profile_escapes_names_and_keeps_cells_inert(repo):
    page = profile_html(repo, SCRIPT_KAB, "bulan", "2025-12", "tetangga")
    assert SCRIPT not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    pacitan = profile_html(repo, HYPERLINK_KAB, "bulan", "2025-12", "jenis")
    tables = pd.read_html(io.StringIO(pacitan))
    cells = [v for t in tables for col in t.columns for v in [col, *t[col]]]
    assert not [v for v in cells if formula_like(v)]


def test_report_pdf_shows_hostile_names_as_text(repo, tmp_path):
    """The PDF reports print a name as the text it is: no markup of Typst, HTML or a spreadsheet
    is acted on (and the report still builds)."""
    period = Period("bulan", "2025-12")
    reports = {"kab": kabkota_pdf(repo, SCRIPT_KAB, period, "tetangga"),
               "prov": provinsi_pdf(repo, period)}
    # compared without white space: a long name wraps where the table cell ends
    texts = {k: "".join(subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                                       capture_output=True, check=True).stdout.decode().split())
             for k, data in reports.items()}
    bare = {name: "".join(name.split()) for name in (SCRIPT, HYPERLINK)}
    assert f"Laporanstunting{bare[SCRIPT]}KabupatenJember" in texts["kab"]
    assert f"{bare[HYPERLINK]}KabupatenPacitan" in texts["prov"]
    assert f"{bare[SCRIPT]}KabupatenJember" in texts["prov"]


def test_hover_builders_escape_names():
    row = pd.DataFrame({"kode": ["35.09"], "nama": [SCRIPT], "suppressed": [False],
                        "pct_stunted": [20.0], "pct_stunted_lo95": [15.0], "pct_stunted_hi95": [25.0],
                        "pct_stunted_eb": [None], "n_haz": [100], "n_stunted": [20],
                        "signif": ['<img src=x onerror="alert(1)">']})
    hover = prevalence_hover(row).iloc[0]
    assert hover.startswith("<b>&lt;script&gt;alert(1)&lt;/script&gt;</b><br>")
    # a class is shown by its label from the locale files; an unknown code shows as a dash
    assert "<img" not in hover and "onerror" not in hover
    suppressed = prevalence_hover(row.assign(suppressed=True)).iloc[0]
    assert "<script" not in suppressed


def test_prevalence_rows_of_the_hostile_warehouse(repo):
    rows = prevalence_rows(repo, "kabkota", "bulan", "2025-12")
    jember = rows[rows["kode"] == SCRIPT_KAB].iloc[0]
    assert jember["nama"].startswith(SCRIPT)  # the data itself is unchanged
    assert "<script" not in jember["hover"] and "&lt;script&gt;" in jember["hover"]


# -- no grid or download bypasses the helpers -----------------------------------------------

GRID_CALLS = ("dataframe", "data_editor", "table")  # st.table too: it has no download, but
# a table added later should go through the same helper
DOWNLOADS = {  # file -> the producers of its download buttons' data (all tested above)
    "views/eksplorasi.py": {"explore.to_csv(wide, measure, files=files)",
                            "explore.to_xlsx(wide, files=files)"},
    "views/perbandingan.py": {"lambda: profile_html(repo, kode, period_type, period, group)",
                              # the values reach Typst as JSON strings, never as markup
                              # (test_report_pdf_shows_hostile_names_as_text)
                              "lambda: kabkota_pdf(repo, kode, Period(period_type, period), group)"},
    # test_report_pdf_shows_hostile_names_as_text, as the kab/kota report
    "views/peta.py": {"lambda: provinsi_pdf(repo, period)"},
    # pipelines.rejects_file.rejects_xlsx: a formula cell comes back as text
    # (tests/dashboard/test_uploads.py, test_background_load_accounting_rejects_xlsx_and_log)
    "views/unggah.py": {'_rejects_file(repo.path, job["source"], r["file_sha256"])'},
}


def _calls(name: str) -> Iterator[tuple[str, ast.Call, str]]:
    for path in sorted(DASHBOARD.rglob("*.py")):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == name):
                yield path.relative_to(DASHBOARD).as_posix(), node, source


def test_grids_go_through_widgets_grid():
    sites = [(f, n.lineno) for name in GRID_CALLS for f, n, _ in _calls(name)
             if name != "table" or (isinstance(n.func.value, ast.Name) and n.func.value.id == "st")]
    assert [f for f, _ in sites] == ["widgets.py"], sites


def test_every_download_is_one_of_the_tested_producers():
    found: dict[str, set[str]] = {}
    for f, node, source in _calls("download_button"):
        data = next((k.value for k in node.keywords if k.arg == "data"), None)
        data = data if data is not None else node.args[1]
        found.setdefault(f, set()).add(ast.get_source_segment(source, data))
    assert found == DOWNLOADS
