"""Sign-in without a browser: the users table, the Principal and page gating (dashboard/auth.py),
the `[auth]` settings and their handoff to Streamlit (dashboard/serve.py), and the app's gate
under AppTest with `st.user` set by the test (the browser tests: test_login_browser.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, serve
from dashboard.app import PAGES
from dashboard.i18n import strings
from pipelines.config import ROLES, Config, ConfigError, default_config

PAGE_NAMES = [name for name, _ in PAGES]
AUTH = {
    "server_metadata_url": "https://sso.example/realms/jatim/.well-known/openid-configuration",
    "client_id": "tumbuh",
    "client_secret": "from-the-file",
    "redirect_uri": "https://tumbuh.example/oauth2callback",
    "cookie_secret": "c" * 64,
}
USERS = [
    {"email": "Ratna@Dinkes.Jatim.example", "role": "provinsi"},
    {"email": "budi@malangkab.example", "role": "kabupaten", "wilayah": "35.07"},
    {"email": "sari@jemberkab.example", "role": "analis", "wilayah": "35.09"},
    {"email": "op@jatim.example", "role": "operator", "wilayah": "35"},
]


def config(auth_section: dict | None = None, users: list | None = None) -> Config:
    raw: dict = {"auth": dict(AUTH if auth_section is None else auth_section)}
    raw["users"] = USERS if users is None else users
    return Config.from_dict(raw, source="tumbuh.toml")


# -- the users table ---------------------------------------------------------------------------


def test_users_table_is_read_by_lower_case_email():
    users = auth.users_table(config())
    assert set(users) == {"ratna@dinkes.jatim.example", "budi@malangkab.example",
                          "sari@jemberkab.example", "op@jatim.example"}
    assert users["ratna@dinkes.jatim.example"].wilayah == "35"  # provinsi: the province
    assert users["ratna@dinkes.jatim.example"].kabkota is None
    assert users["budi@malangkab.example"].kabkota == "35.07"
    assert auth.users_table(Config()) == {}


@pytest.mark.parametrize("entry, problem", [
    ({"email": "a@x.example", "role": "admin", "wilayah": "35"},
     "users[5].role: expected one of 'provinsi', 'kabupaten', 'analis', 'operator'"),
    ({"email": "a@x.example", "role": "kabupaten", "wilayah": "35.99"},
     'users[5].wilayah: expected "35" (the province) or one of the 38 kab/kota codes'),
    ({"email": "a@x.example", "role": "kabupaten", "wilayah": "3507"}, "users[5].wilayah: expected"),
    ({"email": "a@x.example", "role": "kabupaten", "wilayah": "35.07.01"},
     "users[5].wilayah: expected"),
    ({"email": "a@x.example", "role": "kabupaten", "wilayah": "35"},
     'users[5].wilayah: a kabupaten user has a kab/kota code such as "35.07"'),
    ({"email": "a@x.example", "role": "kabupaten"}, "users[5].wilayah: missing"),
    ({"email": "a@x.example", "role": "provinsi", "wilayah": "35.07"},
     'users[5].wilayah: a provinsi user has wilayah "35"'),
    ({"email": "not an address", "role": "provinsi"}, "users[5].email: expected an e-mail"),
    ({"role": "provinsi"}, "users[5].email: missing"),
    ({"email": "a@x.example", "role": "provinsi", "kabkota": "35.07"},
     "users[5].kabkota: unknown key"),
    ({"email": "Ratna@dinkes.jatim.example", "role": "analis", "wilayah": "35"},
     "users[5].email: 'Ratna@dinkes.jatim.example' is listed twice (also users[1])"),
])
def test_a_bad_users_entry_is_refused_by_name(entry, problem):
    """Checked when the config is read (pipelines/config.py User): a broken table stops
    `tumbuh serve` and the app before anyone signs in."""
    with pytest.raises(ConfigError, match=re.escape(f"tumbuh.toml: {problem}")):
        config(users=[*USERS, entry])


def test_users_must_be_an_array_of_tables():
    with pytest.raises(ConfigError, match=re.escape("users: expected an array of tables")):
        config(users={"email": "a@x.example"})
    with pytest.raises(ConfigError, match=re.escape("users[1]: expected a table")):
        config(users=["a@x.example"])


# -- who is signed in ----------------------------------------------------------------------------


def signed_in(email: str, **claims: object) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


def test_principal_of_a_listed_user():
    users = auth.users_table(config())
    p = auth.principal_for(signed_in("RATNA@dinkes.jatim.example", name="Ratna W",
                                     email_verified=True), users)
    assert p == auth.Principal(email="ratna@dinkes.jatim.example", role="provinsi",
                               wilayah="35", name="Ratna W")
    p = auth.principal_for(signed_in("budi@malangkab.example"), users)
    assert (p.role, p.wilayah, p.name) == ("kabupaten", "35.07", "budi@malangkab.example")


@pytest.mark.parametrize("user", [
    {},
    {"email": "budi@malangkab.example"},  # AppTest's default user: no is_logged_in
    {"is_logged_in": False, "email": "budi@malangkab.example"},
    {"is_logged_in": "true", "email": "budi@malangkab.example"},
    signed_in("stranger@contoh.example"),
    signed_in(""),
    signed_in("budi@malangkab.example", email_verified=False),
    signed_in("budi@malangkab.example", email_verified="false"),
])
def test_no_principal_unless_signed_in_listed_and_verified(user):
    assert auth.principal_for(user, auth.users_table(config())) is None


def test_pages_by_role():
    """provinsi every page, kabupaten every page but uploads (its rows are scoped by the query
    layer), analis only Eksplorasi, operator the read pages and uploads but not the console."""
    pages = {role: [n for n in PAGE_NAMES if auth.Principal("", role, "35", "").may_open(n)]
             for role in ROLES}
    assert pages["provinsi"] == PAGE_NAMES
    assert "unggah" in PAGE_NAMES
    assert pages["kabupaten"] == [n for n in PAGE_NAMES if n != "unggah"]
    assert pages["analis"] == ["eksplorasi"]
    assert pages["operator"] == [n for n in PAGE_NAMES if n != "eksplorasi"]
    assert set(auth.ROLE_PAGES) == set(ROLES)
    for names in auth.ROLE_PAGES.values():  # only real pages
        assert set(names) <= set(PAGE_NAMES)
    assert auth.LOCAL.role == "provinsi" and auth.LOCAL.wilayah == "35"


def test_role_and_page_labels_in_both_languages():
    keys = [f"role.{r}" for r in ROLES]
    keys += [f"auth.{k}" for k in ("login_title", "login_text", "login_button", "logout_button",
                                   "no_access_title", "no_access_text", "no_access_help",
                                   "misconfigured", "forbidden_title", "forbidden_text",
                                   "forbidden_link", "identity")]
    for lang in ("id", "en"):
        assert [k for k in keys if k not in strings(lang)] == []


# -- the [auth] settings -----------------------------------------------------------------------


def test_sign_in_is_on_with_any_auth_section():
    assert not auth.auth_required(Config.from_dict({}))
    assert not auth.auth_required(Config.from_dict({"auth": {}}))  # an empty [auth]: no [auth]
    assert not auth.auth_required(default_config())  # the shipped config: off
    assert auth.auth_required(Config.from_dict({"auth": {"client_id": "x"}}))  # incomplete


def test_settings_become_streamlits_auth_secrets():
    settings = auth.oidc_settings(config(), env={})
    assert settings == AUTH
    with_kwargs = auth.oidc_settings(config({**AUTH, "client_kwargs": {"prompt": "login"}}),
                                     env={})
    assert with_kwargs["client_kwargs"] == {"prompt": "login"}


def test_secrets_from_the_environment_win():
    env = {"TUMBUH_OIDC_CLIENT_SECRET": "from-env", "TUMBUH_OIDC_COOKIE_SECRET": "e" * 40}
    settings = auth.oidc_settings(config(), env=env)
    assert settings["client_secret"] == "from-env"
    assert settings["cookie_secret"] == "e" * 40
    named = {**AUTH, "client_secret_env": "MY_SECRET"}
    del named["client_secret"]
    assert auth.oidc_settings(config(named), env={"MY_SECRET": "s"})["client_secret"] == "s"
    with pytest.raises(auth.AuthConfigError, match="set the environment variable MY_SECRET"):
        auth.oidc_settings(config(named), env=env)


def test_a_missing_cookie_secret_is_made_random():
    no_cookie = {k: v for k, v in AUTH.items() if k != "cookie_secret"}
    first = auth.oidc_settings(config(no_cookie), env={})["cookie_secret"]
    second = auth.oidc_settings(config(no_cookie), env={})["cookie_secret"]
    assert len(first) == 64 and first != second


@pytest.mark.parametrize("change, problem", [
    ({"client_id": ""}, "client_id is missing"),
    ({"server_metadata_url": None}, "server_metadata_url is missing"),
    ({"redirect_uri": "https://tumbuh.example/"}, "must end with /oauth2callback"),
    ({"redirect_uri": "tumbuh.example/oauth2callback"}, "absolute http"),
    ({"server_metadata_url": "sso.example/.well-known"}, "absolute http"),
    ({"cookie_secret": "short"}, "shorter than 32"),
])
def test_bad_auth_settings_are_refused(change, problem):
    section = {k: v for k, v in {**AUTH, **change}.items() if v is not None}
    with pytest.raises(auth.AuthConfigError, match=problem):
        auth.oidc_settings(config(section), env={})


@pytest.mark.parametrize("change, problem", [
    ({"clientid": "x"}, "auth.clientid: unknown key; expected one of client_id, "),
    ({"client_kwargs": "prompt=login"}, "auth.client_kwargs: expected a table"),
    ({"client_id": 7}, "auth.client_id: expected a string, got 7"),
])
def test_a_misspelt_or_mistyped_auth_key_stops_the_config(change, problem):
    with pytest.raises(ConfigError, match=re.escape(f"tumbuh.toml: {problem}")):
        config({**AUTH, **change})


# -- the handoff to Streamlit ----------------------------------------------------------------------


def test_secrets_file_round_trips_any_text():
    settings = {**AUTH, "client_secret": 'q"uo\\te\nnewline ünï 🙂 #[x]',
                "client_kwargs": {"prompt": "login", "max_age": 3600, "hd": "jatimprov.go.id"}}
    assert tomllib.loads(serve.secrets_toml(settings)) == {"auth": settings}


def test_private_secrets_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    with serve.private_secrets(AUTH) as path:
        assert path.parent.parent == tmp_path
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
        assert tomllib.loads(path.read_text()) == {"auth": AUTH}
    assert not path.parent.exists()


def test_streamlit_reads_only_the_secrets_file_it_is_given(tmp_path):
    """`--secrets.files` replaces Streamlit's default list (./.streamlit/secrets.toml and
    ~/.streamlit/secrets.toml), so no other secrets file can add or change [auth]."""
    cmd = serve.command(8600, tmp_path / "w.duckdb", secrets_file=tmp_path / "s" / "secrets.toml")
    flags = cmd[5:cmd.index("--")]
    assert flags[flags.index("--secrets.files") + 1] == str(tmp_path / "s" / "secrets.toml")
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show", *flags],
                           cwd=tmp_path, env={**os.environ, "HOME": str(tmp_path)},
                           capture_output=True, text=True, timeout=60, check=True).stdout
    block = shown[shown.index("[secrets]"):]
    files = block[block.index("files = ["):block.index("]", block.index("files = ["))]
    assert str(tmp_path / "s" / "secrets.toml") in files and files.count('"') == 2


class FakePopen:
    """Stands in for Streamlit: records the command and the secrets file it was given."""

    seen: ClassVar[list[tuple[list[str], str | None]]] = []

    def __init__(self, cmd: list[str], **_kwargs: object) -> None:
        path = cmd[cmd.index("--secrets.files") + 1] if "--secrets.files" in cmd else None
        mode = Path(path).stat().st_mode & 0o777 if path else None
        FakePopen.seen.append((cmd, path and (Path(path).read_text(), mode)))
        self.returncode = 0

    def poll(self) -> int:
        return 0

    def wait(self, _timeout: float | None = None) -> int:
        return 0


def test_serve_hands_the_settings_to_streamlit_and_removes_them(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(serve.subprocess, "Popen", FakePopen)
    monkeypatch.setenv("TUMBUH_OIDC_CLIENT_SECRET", "from-env")
    FakePopen.seen = []
    assert serve.main(8620, tmp_path / "w.duckdb", "0.0.0.0", config=config()) == 0
    cmd, (text, mode) = FakePopen.seen[-1]
    assert mode == 0o600
    assert tomllib.loads(text)["auth"]["client_secret"] == "from-env"
    assert not Path(cmd[cmd.index("--secrets.files") + 1]).exists()  # removed on exit
    assert "from-env" not in " ".join(cmd)
    assert "sign-in on: open it as https://tumbuh.example" in capsys.readouterr().err
    # without [auth]: no secrets file
    assert serve.main(8621, tmp_path / "w.duckdb", config=Config()) == 0
    assert FakePopen.seen[-1][1] is None


def test_serve_refuses_broken_sign_in_settings(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(serve.subprocess, "Popen", FakePopen)
    FakePopen.seen = []
    broken = config({**AUTH, "redirect_uri": "", "cookie_secret": "short"})
    assert serve.main(8622, tmp_path / "w.duckdb", config=broken) == 2
    err = capsys.readouterr().err
    assert "redirect_uri is missing" in err and "shorter than 32" in err
    assert FakePopen.seen == []


# -- the app's gate under AppTest ----------------------------------------------------------------

DATA_ELEMENTS = ("metric", "dataframe", "table")


def app_script() -> None:
    from dashboard.app import main

    main()


@pytest.fixture()
def signed_app(tmp_path, monkeypatch, warehouse):
    """The whole app (dashboard/app.py main) with a config that has [auth] and [[users]]."""
    users = "".join(f'[[users]]\nemail = "{u["email"]}"\nrole = "{u["role"]}"\n'
                    f'wilayah = "{u.get("wilayah", "35")}"\n' for u in USERS)
    path = tmp_path / "tumbuh.toml"
    path.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in AUTH.items()) + users)
    monkeypatch.setenv("TUMBUH_CONFIG", str(path))
    monkeypatch.setenv("TUMBUH_WAREHOUSE", str(warehouse))
    default_config.cache_clear()

    def make(user: dict, lang: str = "id", secrets: bool = True) -> AppTest:
        at = AppTest.from_function(app_script, default_timeout=60)
        at.user = user
        if secrets:  # as `tumbuh serve` gives them
            at.secrets = {"auth": dict(AUTH)}
        at.session_state["lang"] = lang
        return at.run()

    yield make
    default_config.cache_clear()


def shows_no_data(at: AppTest) -> bool:
    return not any(len(at.get(kind)) for kind in DATA_ELEMENTS)


def test_anonymous_gets_the_login_page(signed_app):
    at = signed_app({"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Masuk"]
    assert shows_no_data(at)
    assert "tumbuh.principal" not in at.session_state
    at = signed_app({"is_logged_in": False}, lang="en")
    assert [b.label for b in at.button] == ["Sign in"]


def test_unlisted_user_gets_no_access(signed_app):
    at = signed_app(signed_in("stranger@contoh.example"))
    assert at.title[0].value == "Belum ada akses"
    assert "stranger@contoh.example" in at.error[0].value
    assert [b.label for b in at.button] == ["Keluar"]
    assert shows_no_data(at)
    at = signed_app(signed_in("stranger@contoh.example"), lang="en")
    assert at.title[0].value == "No access yet"


def test_unverified_email_gets_no_access(signed_app):
    at = signed_app(signed_in("budi@malangkab.example", email_verified=False))
    assert at.title[0].value == "Belum ada akses" and shows_no_data(at)


def test_without_streamlits_secrets_nobody_gets_in(signed_app):
    """`streamlit run` straight on a config with [auth]: an error page, no login button."""
    at = signed_app({"is_logged_in": False}, secrets=False)
    assert "tumbuh serve" in at.error[0].value
    assert len(at.button) == 0 and shows_no_data(at)


def test_provinsi_user_gets_the_dashboard(signed_app):
    at = signed_app(signed_in("ratna@dinkes.jatim.example", name="Ratna W"))
    assert not at.exception
    assert len(at.metric) >= 4  # Ringkasan's headline figures
    assert "Provinsi · Jawa Timur" in [c.value for c in at.sidebar.caption]
    assert at.session_state["tumbuh.principal"].role == "provinsi"
    at.run()  # the next run keeps the session's principal
    assert at.session_state["tumbuh.principal"].name == "Ratna W"


def test_kabupaten_user_sees_its_role_and_wilayah(signed_app):
    at = signed_app(signed_in("budi@malangkab.example", name="Budi"), lang="en")
    assert "Kabupaten/kota · Kabupaten Malang" in [c.value for c in at.sidebar.caption]
    assert "Budi" in at.sidebar.markdown[0].value
    assert [b.label for b in at.sidebar.button] == ["Sign out"]


def test_analis_lands_on_eksplorasi(signed_app):
    at = signed_app(signed_in("sari@jemberkab.example"))
    assert not at.exception
    assert at.title[0].value.startswith("Eksplorasi")


def test_without_auth_everyone_is_local(monkeypatch, warehouse, tmp_path):
    path = tmp_path / "tumbuh.toml"
    path.write_text("[prevalence]\nmin_cell = 10\n")
    monkeypatch.setenv("TUMBUH_CONFIG", str(path))
    monkeypatch.setenv("TUMBUH_WAREHOUSE", str(warehouse))
    default_config.cache_clear()
    try:
        at = AppTest.from_function(app_script, default_timeout=60)
        at.user = {"is_logged_in": False}
        at.run()
        assert not at.exception
        assert len(at.metric) >= 4
        assert not [b for b in at.sidebar.button]  # no identity box, no logout
    finally:
        default_config.cache_clear()
