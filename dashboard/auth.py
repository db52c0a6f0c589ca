"""Who is looking: sign-in settings, the users table and the session's `Principal`.

The only module that reads `[auth]` and `[[users]]` from the tumbuh config (docs/decisions.md
D25). `tumbuh serve` turns `[auth]` into Streamlit's secrets (`oidc_settings`;
`dashboard/serve.py` writes them to a private file); the app asks `current_principal()` once per
run and gates pages with `Principal.may_open`. Row scoping by wilayah is the query layer's job:
`app.main` hands `Principal.kabkota` to the session's Repository (D26, dashboard/scope.py; rules
in `current_principal`'s docstring).

Without `[auth]` nobody signs in and everyone is `LOCAL`, a provincial principal, as before
sign-in existed (`tumbuh serve` refuses a non-loopback address then, unless `--no-auth`).
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from pipelines.config import REFERENCE_DIR, Config, default_config

PROVINCE = "35"  # Jawa Timur's Kemendagri code
ROLES = ("provinsi", "kabupaten", "analis", "operator")
# Page names are the url paths of dashboard/app.py's PAGES; "unggah" is the uploads page
# (dashboard/views/unggah.py, docs/decisions.md D26).
READ_PAGES = ("ringkasan", "peta", "perbandingan", "spm", "intervensi", "kualitas",
              "pertumbuhan")
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "provinsi": (*READ_PAGES, "eksplorasi", "unggah"),
    "kabupaten": (*READ_PAGES, "eksplorasi"),
    "analis": ("eksplorasi",),
    "operator": ("unggah", *READ_PAGES),
}
# Roles that may read child-level rows (the 2T follow-up list, by export file and row): the
# province and a kab/kota's own programme staff, inside their wilayah (decision D35).
CHILD_ROW_ROLES = ("provinsi", "kabupaten")
SECRET_ENV_DEFAULTS = {"client_secret": "TUMBUH_OIDC_CLIENT_SECRET",
                       "cookie_secret": "TUMBUH_OIDC_COOKIE_SECRET"}
MIN_COOKIE_SECRET = 32  # characters; `python3 -c "import secrets; print(secrets.token_hex(32))"`
SESSION_KEY = "tumbuh.principal"


class AuthConfigError(ValueError):
    """`[auth]` or `[[users]]` cannot be used as written; the message says every problem."""


@dataclass(frozen=True)
class Principal:
    """A signed-in person as tumbuh sees them: e-mail (lower case, the key into `[[users]]`),
    role, wilayah (Kemendagri code: "35" the province, "35.07" a kab/kota) and a display name."""

    email: str
    role: str
    wilayah: str
    name: str

    @property
    def kabkota(self) -> str | None:
        """The kab/kota code of a kab/kota-scoped principal, None for the province."""
        return None if self.wilayah == PROVINCE else self.wilayah

    @property
    def child_rows(self) -> bool:
        """Whether the role may read child-level rows (within its wilayah)."""
        return self.role in CHILD_ROW_ROLES

    @property
    def pages(self) -> tuple[str, ...]:
        return ROLE_PAGES[self.role]

    def may_open(self, page: str) -> bool:
        return page in ROLE_PAGES[self.role]


# Everyone when sign-in is off: the whole province, every page (as before sign-in existed).
LOCAL = Principal(email="", role="provinsi", wilayah=PROVINCE, name="")


@cache
def kabkota_names() -> dict[str, str]:
    """Kemendagri code -> name of the 38 kab/kota (pipelines/reference/jatim_kabkota.csv)."""
    with open(REFERENCE_DIR / "jatim_kabkota.csv", newline="", encoding="utf-8") as fh:
        return {row["kode"]: row["nama"] for row in csv.DictReader(fh)}


def wilayah_name(code: str) -> str:
    return "Jawa Timur" if code == PROVINCE else kabkota_names().get(code, code)


def normalise_email(value: Any) -> str:
    return str(value or "").strip().casefold()


def parse_users(entries: Any) -> dict[str, Principal]:
    """`[[users]]` as {email: Principal} (name empty: it comes from the identity provider).
    Raises AuthConfigError naming every bad entry: an unknown role, a wilayah that is neither
    "35" nor one of the 38 kab/kota codes, a provinsi user on a kab/kota or a kabupaten user on
    the province, an e-mail listed twice."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise AuthConfigError("[[users]] must be an array of tables: [[users]] email = ...")
    users: dict[str, Principal] = {}
    problems: list[str] = []
    for i, entry in enumerate(entries, start=1):
        where = f"[[users]] entry {i}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: not a table")
            continue
        email = normalise_email(entry.get("email"))
        role = str(entry.get("role") or "").strip()
        wilayah = str(entry.get("wilayah") or ("35" if role == "provinsi" else "")).strip()
        where = f"{where} ({email or 'no email'})"
        unknown = sorted(set(entry) - {"email", "role", "wilayah", "name"})
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
        if "@" not in email:
            problems.append(f"{where}: email must be an e-mail address")
        if role not in ROLES:
            problems.append(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
        if wilayah != PROVINCE and wilayah not in kabkota_names():
            problems.append(f"{where}: wilayah must be \"35\" (the province) or a kab/kota "
                            f"code such as \"35.07\", not {wilayah!r}")
        elif role == "provinsi" and wilayah != PROVINCE:
            problems.append(f"{where}: a provinsi user has wilayah \"35\"")
        elif role == "kabupaten" and wilayah == PROVINCE:
            problems.append(f"{where}: a kabupaten user has a kab/kota code as wilayah")
        if email in users:
            problems.append(f"{where}: listed twice")
        users[email] = Principal(email=email, role=role, wilayah=wilayah,
                                 name=str(entry.get("name") or ""))
    if problems:
        raise AuthConfigError("\n".join(problems))
    return users


def auth_required(config: Config) -> bool:
    """Whether the dashboard asks visitors to sign in: any non-empty `[auth]` section. An
    incomplete one is an error (`oidc_settings`), never an open dashboard."""
    return bool(config.section("auth"))


def _secret(auth: Mapping[str, Any], key: str, env: Mapping[str, str]) -> str:
    """A secret from the environment variable `<key>_env` names (default in
    SECRET_ENV_DEFAULTS) where it is set, else from the config file."""
    variable = auth.get(f"{key}_env", SECRET_ENV_DEFAULTS[key])
    from_env = env.get(variable, "") if variable else ""
    return from_env or str(auth.get(key) or "")


def oidc_settings(config: Config, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`[auth]` as the `[auth]` section of Streamlit's secrets: server_metadata_url, client_id,
    client_secret, redirect_uri, cookie_secret (and client_kwargs when given). Secrets come from
    the environment first (`client_secret_env`, `cookie_secret_env`). Without a cookie secret a
    random one is made (everyone is signed out when the server restarts). Raises AuthConfigError
    naming every problem, and checks `[[users]]` too."""
    env = os.environ if env is None else env
    auth = config.section("auth")
    known = {"server_metadata_url", "client_id", "client_secret", "client_secret_env",
             "redirect_uri", "cookie_secret", "cookie_secret_env", "client_kwargs"}
    problems = [f"[auth]: unknown key {key!r}" for key in sorted(set(auth) - known)]
    settings: dict[str, Any] = {
        "server_metadata_url": str(auth.get("server_metadata_url") or ""),
        "client_id": str(auth.get("client_id") or ""),
        "client_secret": _secret(auth, "client_secret", env),
        "redirect_uri": str(auth.get("redirect_uri") or ""),
        "cookie_secret": _secret(auth, "cookie_secret", env) or secrets.token_hex(32),
    }
    for key in ("server_metadata_url", "client_id", "redirect_uri"):
        if not settings[key]:
            problems.append(f"[auth]: {key} is missing")
    if not settings["client_secret"]:
        problems.append("[auth]: no client secret: set the environment variable "
                        f"{auth.get('client_secret_env', SECRET_ENV_DEFAULTS['client_secret'])} "
                        "(or client_secret in the file)")
    for key in ("server_metadata_url", "redirect_uri"):
        parts = urlsplit(settings[key].replace("{port}", "8501"))
        if settings[key] and (parts.scheme not in ("http", "https") or not parts.netloc):
            problems.append(f"[auth]: {key} must be an absolute http(s) URL")
    if settings["redirect_uri"] and not settings["redirect_uri"].endswith("/oauth2callback"):
        problems.append("[auth]: redirect_uri must end with /oauth2callback (the dashboard's "
                        "address + /oauth2callback, as registered with the provider)")
    if len(settings["cookie_secret"]) < MIN_COOKIE_SECRET:
        problems.append(f"[auth]: the cookie secret is shorter than {MIN_COOKIE_SECRET} "
                        "characters; make one with: python3 -c \"import secrets; "
                        "print(secrets.token_hex(32))\"")
    kwargs = auth.get("client_kwargs")
    if kwargs is not None:
        if isinstance(kwargs, Mapping):
            settings["client_kwargs"] = dict(kwargs)
        else:
            problems.append("[auth]: client_kwargs must be a table ([auth.client_kwargs])")
    try:
        parse_users(config.raw.get("users"))
    except AuthConfigError as exc:
        problems.append(str(exc))
    if problems:
        raise AuthConfigError("\n".join(problems))
    return settings


def users_table(config: Config) -> dict[str, Principal]:
    """The `[[users]]` of the config; a broken table lets nobody in (serve refuses it first)."""
    try:
        return parse_users(config.raw.get("users"))
    except AuthConfigError:
        return {}


def principal_for(user: Mapping[str, Any], users: Mapping[str, Principal]) -> Principal | None:
    """The Principal of a signed-in identity (`st.user` as a dict), or None: not signed in, no
    e-mail, an e-mail the provider says is unverified (`email_verified` false), or not listed."""
    if user.get("is_logged_in") is not True:
        return None
    email = normalise_email(user.get("email"))
    if not email or user.get("email_verified") in (False, "false", "False"):
        return None
    listed = users.get(email)
    if listed is None:
        return None
    name = str(user.get("name") or listed.name or email)
    return Principal(email=email, role=listed.role, wilayah=listed.wilayah, name=name)


def current_principal(config: Config | None = None) -> Principal | None:
    """Who the current Streamlit session belongs to; the query layer scopes every read by it.

    - Sign-in off (no `[auth]`): `LOCAL`, the whole province.
    - Not signed in, or signed in but not allowed (not in `[[users]]`, no or unverified e-mail):
      None. Nothing may be read for None; the app shows only the login or no-access page.
    - Otherwise the Principal from `[[users]]`, computed once per session (kept in session
      state with the e-mail it belongs to; a new sign-in is a new session).

    Scope rules by role (enforced by the query layer with `Principal.kabkota` as the scope,
    dashboard/scope.py, not here):
    - provinsi (wilayah "35"): every row at every level.
    - kabupaten (wilayah "35.NN"): its own kab/kota at every level down to posyandu (kecamatan,
      desa, posyandu rows whose code starts with "35.NN."); other kab/kota only at kab/kota
      level (and the province's totals), which peer comparison needs; never another kab/kota's
      kecamatan, desa or posyandu rows, on any page, download, URL parameter or SQL query.
    - analis: Eksplorasi (SQL console and downloads) within its wilayah: "35" every row; a
      kab/kota code only rows inside that kab/kota (plus the province's totals).
    - operator: the read pages with a kabupaten's scope (wilayah "35": the province's), and
      uploads for its own kab/kota only ("35": any).
    """
    import streamlit as st

    config = config or default_config()
    if not auth_required(config):
        return LOCAL
    user = st.user.to_dict()
    email = normalise_email(user.get("email"))
    if user.get("is_logged_in") is not True or not email:
        return None
    cached = st.session_state.get(SESSION_KEY)
    if isinstance(cached, Principal) and cached.email == email:
        return cached
    principal = principal_for(user, users_table(config))
    if principal is not None:
        st.session_state[SESSION_KEY] = principal
    return principal
