"""What a visitor sees before the dashboard: the login page, the no-access page, the page a role
may not open, and the signed-in person's name, role and wilayah with a logout button in the
sidebar. None of these reads the warehouse."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.navigation.page import StreamlitPage

from dashboard.auth import Principal, normalise_email, wilayah_name
from dashboard.i18n import t
from pipelines.safe_cells import markdown_text


def streamlit_has_auth() -> bool:
    """Whether Streamlit was given the `[auth]` secrets (by `tumbuh serve`)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))
    except Exception:  # noqa: BLE001 - an unreadable secrets file: sign-in is unavailable
        return False


def login_page() -> None:
    st.title(t("auth.login_title"))
    st.write(t("auth.login_text"))
    if st.button(t("auth.login_button"), type="primary", icon=":material/login:"):
        st.login()


def no_access_page() -> None:
    email = normalise_email(st.user.to_dict().get("email"))
    st.title(t("auth.no_access_title"))
    st.error(t("auth.no_access_text", email=markdown_text(email or "?")))
    st.write(t("auth.no_access_help"))
    logout_button(st.container())


def misconfigured_page() -> None:
    st.title(t("auth.login_title"))
    st.error(t("auth.misconfigured"))


def gate_screen() -> Callable[[], None]:
    """The page for a session without a Principal (`current_principal()` is None)."""
    if not streamlit_has_auth():
        return misconfigured_page
    if st.user.to_dict().get("is_logged_in") is True:
        return no_access_page
    return login_page


def forbidden_page(home: StreamlitPage) -> None:
    st.title(t("auth.forbidden_title"))
    st.info(t("auth.forbidden_text"))
    st.page_link(home, label=t("auth.forbidden_link", page=home.title), icon=home.icon or None)


def logout_button(where: DeltaGenerator) -> None:
    if where.button(t("auth.logout_button"), icon=":material/logout:", key="tumbuh.logout"):
        st.logout()


def identity_sidebar(principal: Principal) -> None:
    """Name, role and wilayah of the signed-in person, and the logout button."""
    box = st.sidebar.container(border=True)
    box.markdown(f"**{markdown_text(principal.name)}**")
    box.caption(t("auth.identity", role=t(f"role.{principal.role}"),
                  wilayah=markdown_text(wilayah_name(principal.wilayah))))
    if principal.name != principal.email:
        box.caption(markdown_text(principal.email))
    logout_button(box)
