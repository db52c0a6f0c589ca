"""Every UI string goes through one Indonesian-first dictionary (`locales/id.toml`); English
(`locales/en.toml`) is the second language and falls back to Indonesian for a missing key."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
SESSION_KEY = "lang"
_FORCED: ContextVar[str | None] = ContextVar("tumbuh_forced_language", default=None)


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@cache
def strings(lang: str) -> dict[str, str]:
    with open(LOCALES_DIR / f"{lang}.toml", "rb") as fh:
        return _flatten(tomllib.load(fh))


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Render in one language whatever the sidebar says (the downloadable profile is always
    Indonesian)."""
    token = _FORCED.set(lang)
    try:
        yield
    finally:
        _FORCED.reset(token)


def current_language() -> str:
    """The language picked in the sidebar; Indonesian outside a Streamlit session."""
    forced = _FORCED.get()
    if forced:
        return forced
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return DEFAULT_LANGUAGE
        import streamlit as st

        lang = st.session_state.get(SESSION_KEY, DEFAULT_LANGUAGE)
    except Exception:  # noqa: BLE001 - no session (bare import, tests): the default applies
        return DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The UI string for `key` in the current language, with `{name}` placeholders filled."""
    lang = lang or current_language()
    text = strings(lang).get(key)
    if text is None:
        text = strings(DEFAULT_LANGUAGE)[key]  # a missing Indonesian key is a bug: KeyError
    return text.format(**values) if values else text
