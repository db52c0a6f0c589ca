"""tumbuh dashboard entry point: `streamlit run dashboard/app.py -- --warehouse PATH`.

Page config, the language switch in the sidebar, sign-in (with `[auth]` in the config: only the
login or no-access page until `dashboard.auth.current_principal()` names a listed user; see
dashboard/login.py) and `st.navigation` over the pages the user's role may open. Every
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
from streamlit.navigation.page import StreamlitPage

from dashboard import fmt, login
from dashboard import queries as q
from dashboard.auth import LOCAL, Principal, current_principal
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
    ("pertumbuhan", ":material/monitor_weight:"),
    ("eksplorasi", ":material/table_view:"),
    ("unggah", ":material/upload_file:"),
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

    return default_config().warehouse_path


def render_page(name: str, repo: Repository) -> None:
    # The language cannot change within a run (switching it starts a new run), so it is read
    # once: read from st.session_state for every formatted cell it cost ~20 µs a cell.
    with language(current_language()):
        importlib.import_module(f"dashboard.views.{name}").render(repo)


def single_page_script(warehouse: str, page: str, lang: str, scope: str | None = None,
                       child_rows: bool = False) -> None:
    """One page alone, for `AppTest.from_function` (tests, benchmark): AppTest runs this
    function's source as a script, so it imports what it needs itself. `scope` is the wilayah
    scope of the repository and `child_rows` whether it reads child-level rows, as `main` gives
    them from the principal. The page's own render
    time (without the test harness) is left in session state under "tumbuh.render_s"."""
    import time

    import streamlit as st

    from dashboard.app import render_page
    from dashboard.i18n import SESSION_KEY
    from dashboard.repository import Repository

    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = lang
    start = time.perf_counter()
    render_page(page, Repository(warehouse, scope=scope, child_rows=child_rows))
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


def _gate_runner(name: str, screen: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        screen()

    run.__name__ = f"gate_{name}"
    return run


def navigation(principal: Principal, repo: Repository) -> StreamlitPage:
    """The pages the principal's role may open; the others stay reachable by URL but show only
    that they are not for this role, with a link to the role's first page (no "page not found",
    no data)."""
    allowed = [name for name, _ in PAGES if principal.may_open(name)]
    icons = dict(PAGES)
    pages = {name: st.Page(_page_runner(name, repo), title=t(f"nav.{name}"), icon=icons[name],
                           url_path=name, default=(name == allowed[0])) for name in allowed}
    home = pages[allowed[0]]
    for name, icon in PAGES:
        if name not in pages:
            pages[name] = st.Page(_gate_runner(name, lambda: login.forbidden_page(home)),
                                  title=t(f"nav.{name}"), icon=icon, url_path=name,
                                  visibility="hidden")
    return st.navigation([pages[name] for name, _ in PAGES])


def main() -> None:
    st.set_page_config(page_title="tumbuh", page_icon=":material/child_care:", layout="wide")
    language_switch()
    principal = current_principal()
    if principal is None or not any(principal.may_open(name) for name, _ in PAGES):
        # Not signed in, or not allowed: one screen under every page's URL (a deep link with
        # query parameters included), and nothing read from the warehouse.
        screen = login.gate_screen() if principal is None else login.no_access_page
        pages = [st.Page(_gate_runner(name, screen), title=t("auth.login_title"),
                         url_path=name, default=(i == 0)) for i, (name, _) in enumerate(PAGES)]
        st.navigation(pages, position="hidden").run()
        return
    if principal is not LOCAL:
        login.identity_sidebar(principal)
    # every read of this session is scoped to the principal's wilayah (D26), and reads
    # child-level rows only for the roles that may (D35)
    repo = Repository(warehouse_path(), scope=principal.kabkota, child_rows=principal.child_rows)
    page = navigation(principal, repo)
    st.sidebar.caption(t("app.tagline"))
    if not repo.exists():
        st.warning(t("app.no_warehouse", path=str(repo.path)))
        if page.title != t("nav.unggah"):  # the first upload may create the warehouse
            return
        page.run()
        return
    info = q.build.build_info(repo)
    if info["built_at"] is not None:
        st.sidebar.caption(t("app.built", date=fmt.day(info["built_at"])))
    page.run()


if __name__ == "__main__":
    main()
