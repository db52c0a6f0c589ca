"""Sign-in end to end in headless chromium: a local OpenID provider (`oidc-provider-mock`, in a
thread of this test process), the dashboard started as `tumbuh serve` starts it (the `[auth]`
settings checked by `dashboard.auth`, handed to Streamlit in a private secrets file) over the
fixture warehouse, and a browser that signs in by typing an e-mail on the provider's form.

Screenshots go to data/screenshots/login/."""

from __future__ import annotations

import os
import re
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import auth, serve
from pipelines.config import PROJECT_ROOT, load_config
from tests.dashboard.cdp import READY_JS, Browser, chromium_binary
from tests.dashboard.test_browser import free_port, wait_healthy

with warnings.catch_warnings():  # it imports Authlib's deprecated JOSE and httpx modules
    pytest.importorskip("authlib.deprecate")  # which sets an "always" filter when imported
    warnings.simplefilter("ignore", DeprecationWarning)
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

SCREENSHOTS = PROJECT_ROOT / "data" / "screenshots" / "login"
pytestmark = [
    pytest.mark.slow,
    # oidc-provider-mock 0.3.4 calls Authlib's legacy get_jwt_config
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (make browser)"),
]
# email -> (display name the provider sends, role, wilayah)
PEOPLE = {
    "ratna@dinkes.jatim.example": ("Ratna Wulandari", "provinsi", "35"),
    "budi@malangkab.example": ("Budi Santoso", "kabupaten", "35.07"),
    "sari@jemberkab.example": ("Sari Analis", "analis", "35.09"),
}
STRANGER = "tamu@contoh.example"  # signs in at the provider, is in no [[users]] entry
SECRET_ENV = "TUMBUH_TEST_OIDC_SECRET"
# Elements that carry data from the marts; none may be on a page before a listed user signs in.
DATA_MARKERS = ('data-testid="stMetric"', 'data-testid="stDataFrame"', 'data-testid="stTable"',
                'data-testid="stPlotlyChart"', 'data-testid="stDeckGlJsonChart"',
                'data-testid="stDownloadButton"', "js-plotly-plot")
ERROR_MARKERS = ('data-testid="stException"',)
# A number as the dashboard prints a rate or count (14,7 %, 1.234), or a kab/kota name.
DATA_TEXT = re.compile(r"\d+,\d+\s*%|\d\.\d{3}|Jember|Sampang|Kabupaten Malang|Kota Batu")


@pytest.fixture(scope="module")
def oidc() -> Iterator[str]:
    users = [oidc_provider_mock.User(sub=email, claims={"email": email, "email_verified": True,
                                                       "name": name})
             for email, (name, _, _) in PEOPLE.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def config_text(oidc_url: str) -> str:
    users = "".join(f'\n[[users]]\nemail = "{email}"\nrole = "{role}"\nwilayah = "{wilayah}"\n'
                    for email, (_, role, wilayah) in PEOPLE.items())
    # No cookie_secret: a random one is made. The client secret comes from the environment.
    return f"""
[auth]
server_metadata_url = "{oidc_url}/.well-known/openid-configuration"
client_id = "tumbuh-test"
client_secret_env = "{SECRET_ENV}"
redirect_uri = "http://localhost:{{port}}/oauth2callback"
{users}"""


@pytest.fixture(scope="module")
def app(oidc: str, warehouse: Path, tmp_path_factory) -> Iterator[str]:
    """The dashboard with sign-in, as `tumbuh serve` runs it; its URL (by the host name the
    redirect URI names, so that the sign-in cookies match)."""
    folder = tmp_path_factory.mktemp("login")
    config_path = folder / "tumbuh.toml"
    config_path.write_text(config_text(oidc))
    settings = auth.oidc_settings(load_config(config_path), env={SECRET_ENV: "test-secret"})
    port = free_port()
    log_path = folder / "streamlit.log"
    with serve.private_secrets(settings) as secrets_file, open(log_path, "w") as log:
        assert secrets_file.stat().st_mode & 0o777 == 0o600
        assert secrets_file.parent.stat().st_mode & 0o777 == 0o700
        proc = subprocess.Popen(serve.command(port, warehouse, serve.LOOPBACK, secrets_file),
                                stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1",
                                     "TUMBUH_CONFIG": str(config_path)})
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc, log_path)
            yield f"http://localhost:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


@pytest.fixture(autouse=True)
def signed_out(browser: Browser) -> None:
    browser.call("Network.clearBrowserCookies")


def evaluate(browser: Browser, expression: str) -> object:
    """Like Browser.evaluate, but None while the tab is between two documents (the sign-in and
    sign-out redirects)."""
    try:
        return browser.evaluate(expression)
    except RuntimeError as exc:
        if "navigated or closed" in str(exc) or "context" in str(exc).lower():
            return None
        raise


def wait_for(browser: Browser, expression: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not evaluate(browser, expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout} s: {expression}\n"
                               f"at {browser.evaluate('location.href')}:\n{text(browser)[:2000]}")
        time.sleep(0.25)


def wait_drawn(browser: Browser, settle: float = 1.5) -> None:
    """Streamlit has finished the run and drawn its elements (as Browser.open waits)."""
    wait_for(browser, READY_JS)
    time.sleep(settle)
    wait_for(browser, READY_JS)


def text(browser: Browser) -> str:
    return str(browser.evaluate("document.body ? document.body.innerText : ''"))


def click_button(browser: Browser, label: str) -> None:
    found = browser.evaluate(
        f"(() => {{ const b = [...document.querySelectorAll('button')]"
        f".find(e => e.innerText.trim().endsWith({label!r})); if (b) b.click(); return !!b; }})()")
    assert found, f"no button {label!r} on {browser.evaluate('location.href')}"


def click_button_or_link(browser: Browser, label: str) -> None:
    found = browser.evaluate(
        f"(() => {{ const b = [...document.querySelectorAll('button, a')]"
        f".find(e => e.innerText.trim().endsWith({label!r})); if (b) b.click(); return !!b; }})()")
    assert found, f"no button or link {label!r} on {browser.evaluate('location.href')}"


def sign_in(browser: Browser, app: str, oidc: str, email: str) -> None:
    """Open the app, press Masuk, type the e-mail on the provider's form, come back signed in."""
    browser.open(app + "/")
    click_button(browser, "Masuk")
    wait_for(browser, f"location.href.startsWith({oidc!r}) && !!document.querySelector("
                      "'input[name=sub]')")
    browser.evaluate(f"(() => {{ const i = document.querySelector('input[name=sub]');"
                     f" i.value = {email!r}; i.form.submit(); }})()")
    wait_for(browser, f"location.href.startsWith({app!r})")
    # signed in: the sidebar's or the no-access page's logout button is drawn
    wait_for(browser, "document.body.innerText.includes('Keluar')")
    wait_drawn(browser)


def assert_no_data(browser: Browser, where: str) -> None:
    dom = browser.dom()
    for marker in DATA_MARKERS + ERROR_MARKERS:
        assert marker not in dom, f"{where}: {marker} on the page"
    shown = DATA_TEXT.search(text(browser))
    assert shown is None, f"{where}: {shown.group(0)!r} on the page"


def sidebar(browser: Browser) -> str:
    return str(browser.evaluate(
        "(document.querySelector('[data-testid=\"stSidebar\"]') || {}).innerText || ''"))


@pytest.mark.parametrize("path", ["/", "/peta?kabkota=35.09", "/eksplorasi?sql=select%201",
                                  "/kualitas", "/perbandingan?level=kecamatan&kode=35.07"])
def test_anonymous_visitor_sees_only_the_login_page(app, browser, path):
    browser.open(app + path)
    body = text(browser)
    if path == "/":
        browser.screenshot(SCREENSHOTS / "login.png")
    assert "Masuk" in body and "tumbuh" in body
    assert_no_data(browser, path)
    assert 'data-testid="stSidebarNav"' not in browser.dom()  # no page list either
    assert "Page not found" not in body


def test_provinsi_user_sees_the_dashboard(app, oidc, browser):
    sign_in(browser, app, oidc, "ratna@dinkes.jatim.example")
    browser.screenshot(SCREENSHOTS / "provinsi_ringkasan.png")
    dom = browser.dom()
    assert 'data-testid="stMetric"' in dom  # the headline figures
    assert "Ringkasan" in text(browser)
    assert DATA_TEXT.search(text(browser))  # what assert_no_data looks for is here now
    side = sidebar(browser)
    assert "Ratna Wulandari" in side and "Provinsi · Jawa Timur" in side
    links = browser.evaluate("[...document.querySelectorAll("
                             "'[data-testid=\"stSidebarNavLink\"]')].length")
    assert links == 9  # the seven read pages (Pertumbuhan included), Eksplorasi and Unggah data


def test_kabupaten_user_sees_name_role_and_wilayah_in_the_sidebar(app, oidc, browser):
    sign_in(browser, app, oidc, "budi@malangkab.example")
    browser.screenshot(SCREENSHOTS / "kabupaten_ringkasan.png")
    side = sidebar(browser)
    assert "Budi Santoso" in side
    assert "Kabupaten/kota · Kabupaten Malang" in side
    assert "Keluar" in side


def test_analis_opens_eksplorasi_only(app, oidc, browser):
    sign_in(browser, app, oidc, "sari@jemberkab.example")
    assert "Analis · Kabupaten Jember" in sidebar(browser)
    assert "Eksplorasi" in text(browser)
    browser.open(app + "/ringkasan")
    browser.screenshot(SCREENSHOTS / "analis_ringkasan_forbidden.png")
    assert "Halaman tidak tersedia" in text(browser)
    dom = browser.dom()
    assert 'data-testid="stMetric"' not in dom and "js-plotly-plot" not in dom
    click_button_or_link(browser, "Buka Eksplorasi")
    # the role's first page, at the root URL
    wait_for(browser, "document.body.innerText.includes('Eksplorasi data')")
    assert "Halaman tidak tersedia" not in text(browser)


def test_unlisted_email_sees_no_access(app, oidc, browser):
    sign_in(browser, app, oidc, STRANGER)
    browser.screenshot(SCREENSHOTS / "no_access.png")
    body = text(browser)
    assert "Belum ada akses" in body and STRANGER in body
    assert_no_data(browser, "no access")
    browser.open(app + "/peta?kabkota=35.09")
    assert "Belum ada akses" in text(browser)
    assert_no_data(browser, "no access, deep link")


def test_logout_returns_to_the_login_page(app, oidc, browser):
    sign_in(browser, app, oidc, "ratna@dinkes.jatim.example")
    click_button(browser, "Keluar")
    # The provider's end-session page (its metadata has an end_session_endpoint) asks to confirm.
    wait_for(browser, f"location.href.startsWith({oidc!r})")
    click_button(browser, "End session")
    wait_for(browser, f"location.href.startsWith({app!r})")
    wait_for(browser, "document.body.innerText.includes('Masuk')")
    wait_drawn(browser)
    assert_no_data(browser, "after logout")
    browser.open(app + "/peta")  # the cookie is gone: a new session is anonymous too
    assert "Masuk" in text(browser)
    assert_no_data(browser, "after logout, deep link")
