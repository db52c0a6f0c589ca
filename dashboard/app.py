"""tumbuh dashboard entry point: `streamlit run dashboard/app.py -- --warehouse PATH`.

Page config, the language switch in the sidebar and `st.navigation` over the seven pages. Every
page is `render(repo)` in `dashboard/views/`, reading the published warehouse only through the
query layer (`dashboard.queries`). The folder is not called `pages/`: Streamlit treats a
`pages/` folder beside the main script as the old multipage layout, which breaks st.navigation."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import fmt
from dashboard import queries as q
from dashboard.i18n import LANGUAGES, SESSION_KEY, current_language, language, t
from dashboard.repository import Repository

# (module name in dashboard.views = url path, icon)
PAGES = (
    ("ringkasan", ":material/dashboard:"),
    ("peta", ":material/map:"),
    ("perbandingan", ":material/compare_arrows:"),
    ("spm", ":material/grid_on:"),
    ("intervensi", ":material/trending_up:"),
    ("kualitas", ":material/fact_check:"),
    ("eksplorasi", ":material/table_view:"),
)


def warehouse_path(argv: list[str] | None = None) -> Path:
    """--warehouse after `--` on the streamlit command line, else TUMBUH_WAREHOUSE, else the
    configured warehouse."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.warehouse:
        return Path(args.warehouse)
    if os.environ.get("TUMBUH_WAREHOUSE"):
        return Path(os.environ["TUMBUH_WAREHOUSE"])
    from pipelines.config import default_config

    return default_config().warehouse


def render_page(name: str, repo: Repository) -> None:
    # The language cannot change within a run (switching it starts a new run), so it is read
    # once: read from st.session_state for every formatted cell it cost ~20 µs a cell.
    with language(current_language()):
        importlib.import_module(f"dashboard.views.{name}").render(repo)


def single_page_script(warehouse: str, page: str, lang: str) -> None:
    """One page alone, for `AppTest.from_function` (tests, benchmark): AppTest runs this
    function's source as a script, so it imports what it needs itself. The page's own render
    time (without the test harness) is left in session state under "tumbuh.render_s"."""
    import time

    import streamlit as st

    from dashboard.app import render_page
    from dashboard.i18n import SESSION_KEY
    from dashboard.repository import Repository

    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = lang
    start = time.perf_counter()
    render_page(page, Repository(warehouse))
    st.session_state["tumbuh.render_s"] = time.perf_counter() - start


def _page_runner(name: str, repo: Repository) -> Callable[[], None]:
    def run() -> None:
        render_page(name, repo)

    run.__name__ = name
    return run


def language_switch() -> None:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = LANGUAGES[0]
    st.sidebar.radio("Bahasa / Language", LANGUAGES, key=SESSION_KEY, horizontal=True,
                     format_func=lambda code: {"id": "Indonesia", "en": "English"}[code])


def main() -> None:
    st.set_page_config(page_title="tumbuh", page_icon=":material/child_care:", layout="wide")
    language_switch()
    repo = Repository(warehouse_path())
    pages = [st.Page(_page_runner(name, repo), title=t(f"nav.{name}"), icon=icon, url_path=name,
                     default=(name == PAGES[0][0])) for name, icon in PAGES]
    page = st.navigation(pages)
    st.sidebar.caption(t("app.tagline"))
    if not repo.exists():
        st.warning(t("app.no_warehouse", path=str(repo.path)))
        return
    info = q.build.build_info(repo)
    if info["built_at"] is not None:
        st.sidebar.caption(t("app.built", date=fmt.day(info["built_at"])))
    page.run()


if __name__ == "__main__":
    main()
