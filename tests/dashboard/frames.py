"""Helpers for reading an AppTest page."""

from __future__ import annotations


def content_frames(at) -> list:
    """The page's own tables, without the source files listed under its caption (a dataframe
    with a SHA-256 column, dashboard/widgets.files_behind)."""
    return [d for d in at.dataframe if "SHA-256" not in d.value.columns]
