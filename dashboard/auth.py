"""Who is looking: sign-in settings, the users table and the session's `Principal`.

The only module that uses `[auth]` and `[[users]]` of the tumbuh config (docs/decisions.md
D25); their keys, types and the rules of a users entry are checked when the config is read
(pipelines/config.py `Auth`, `User`: a mistake stops `tumbuh serve` with the key named, D31).
`tumbuh serve` turns `[auth]` into Streamlit's secrets (`oidc_settings`;
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

from pipelines.config import PROVINCE, REFERENCE_DIR, Config, default_config

# Page names are the url paths of dashboard/app.py's PAGES; "unggah" is the uploads page
# (dashboard/views/unggah.py, docs/decisions.md D27).
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
MIN_COOKIE_SECRET = 32  # characters; `python3 -c "import secrets; print(secrets.token_hex(32))"`
SESSION_KEY = "tumbuh.principal"


class AuthConfigError(ValueError):
    """`[auth]` cannot be used as written (incomplete, a bad URL, no secret); the message says
    every problem."""


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


def auth_required(config: Config) -> bool:
    """Whether the dashboard asks visitors to sign in: an `[auth]` section with any key. An
    incomplete one is an error (`oidc_settings`), never an open dashboard."""
    return config.auth is not None


def _secret(value: str, variable: str, env: Mapping[str, str]) -> str:
    """A secret from the environment variable `variable` where it is set, else `value` (the
    config file's)."""
    from_env = env.get(variable, "") if variable else ""
    return from_env or value


def oidc_settings(config: Config, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`[auth]` as the `[auth]` section of Streamlit's secrets: server_metadata_url, client_id,
    client_secret, redirect_uri, cookie_secret (and client_kwargs when given). Secrets come from
    the environment first (`client_secret_env`, `cookie_secret_env`). Without a cookie secret a
    random one is made (everyone is signed out when the server restarts). Raises AuthConfigError
    naming every problem."""
    env = os.environ if env is None else env
    auth = config.auth
    if auth is None:
        raise AuthConfigError("[auth]: the config has no [auth] section")
    problems: list[str] = []
    settings: dict[str, Any] = {
        "server_metadata_url": auth.server_metadata_url,
        "client_id": auth.client_id,
        "client_secret": _secret(auth.client_secret, auth.client_secret_env, env),
        "redirect_uri": auth.redirect_uri,
        "cookie_secret": (_secret(auth.cookie_secret, auth.cookie_secret_env, env)
                          or secrets.token_hex(32)),
    }
    for key in ("server_metadata_url", "client_id", "redirect_uri"):
        if not settings[key]:
            problems.append(f"[auth]: {key} is missing")
    if not settings["client_secret"]:
        problems.append("[auth]: no client secret: set the environment variable "
                        f"{auth.client_secret_env} (or client_secret in the file)")
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
    if auth.client_kwargs:
        settings["client_kwargs"] = dict(auth.client_kwargs)
    if problems:
        raise AuthConfigError("\n".join(problems))
    return settings


def users_table(config: Config) -> dict[str, Principal]:
    """The config's `[[users]]` (checked when it was read) as {lower-case e-mail: Principal};
    name empty unless the entry gives one (the identity provider's comes first)."""
    return {normalise_email(u.email): Principal(email=normalise_email(u.email), role=u.role,
                                                wilayah=u.wilayah, name=u.name)
            for u in config.users}


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
