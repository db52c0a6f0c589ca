"""Small building blocks shared by the pages: pickers, the data caption every page shows, the
message for a mart that is not in the warehouse yet, and the one data grid every table goes
through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import fmt
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.repository import Repository
from pipelines.safe_cells import inert_frame

PERIOD_TYPES = ("bulan", "bulan_timbang", "tahun")


def available(repo: Repository, *tables: str, what: str) -> bool:
    """True when every table is in the warehouse; else an info message naming the data."""
    missing = [name for name in tables if not q.build.has(repo, name)]
    if missing:
        st.info(t("common.not_available", what=what, tables=", ".join(missing)))
        return False
    return True


def period_picker(repo: Repository, key: str, types: Sequence[str] | None = None,
                  periods_of: dict[str, list[str]] | None = None) -> tuple[str, str] | None:
    """Period type and period (newest first). `periods_of` overrides where the periods come
    from (default: mart_prevalensi)."""
    if periods_of is None:
        periods_of = {p: q.stunting.periods(repo, p)
                      for p in (types or q.stunting.period_types(repo))}
    periods_of = {k: v for k, v in periods_of.items() if v}
    if not periods_of:
        st.info(t("common.no_periods"))
        return None
    left, right = st.columns(2)
    period_type = left.selectbox(t("common.period_type"), list(periods_of),
                                 format_func=lambda p: t(f"period_type.{p}"), key=f"{key}.type")
    period = right.selectbox(t("common.period"), periods_of[period_type],
                             format_func=fmt.period, key=f"{key}.period")
    return period_type, period


def own_index(repo: Repository, options: Sequence[object]) -> int:
    """Where a picker starts: on the user's own kab/kota when it is one of the options (a
    kab/kota user opens her own kabupaten, not the first in the list), else the first."""
    return list(options).index(repo.scope) if repo.scope in options else 0


def kabkota_picker(repo: Repository, key: str, label: str | None = None,
                   default: str | None = None, container: object = st) -> str | None:
    ref = q.wilayah.kabkota(repo)
    if ref.empty:
        return None
    kodes = list(ref["kode"])
    names = dict(zip(ref["kode"], ref["nama"]))
    index = kodes.index(default) if default in kodes else own_index(repo, kodes)
    return container.selectbox(label or t("common.kabkota"), kodes, index=index,  # type: ignore[attr-defined]
                               format_func=lambda k: names.get(k, k), key=key)


def source_caption(repo: Repository, sources: Sequence[str], period: str | None = None,
                   extra: str | None = None, kode: str | None = None,
                   span: tuple[str, str] | None = None) -> None:
    """Which data the page shows: source labels, period, extraction date and build time, and
    the files behind it (for wilayah `kode`, default the province, and the period)."""
    info = q.build.build_info(repo)
    parts = [t("caption.source", sources="; ".join(t(f"source.{s}") for s in sources))]
    if period:
        parts.append(t("caption.period", period=fmt.period(period)))
    dates = [info["extraction"].get(q.build.LINEAGE_SOURCE.get(s, s)) for s in sources]
    dates = [d for d in dates if d is not None and not pd.isna(d)]
    if dates:
        parts.append(t("caption.as_of", date=fmt.day(max(dates))))
    if info["built_at"] is not None:
        built = pd.Timestamp(info["built_at"])
        parts.append(t("caption.built", date=fmt.day(built), time=built.strftime("%H:%M")))
    if extra:
        parts.append(extra)
    st.caption(" · ".join(parts))
    files_behind(repo, sources, span or period, kode, info["code"])


def files_behind(repo: Repository, sources: Sequence[str], period: str | tuple[str, str] | None,
                 kode: str | None, code: dict | None) -> None:
    """The provenance of what the page shows: every loaded file with rows in its wilayah and
    period (name, extraction date, load time, SHA-256, rows), folded away."""
    files = q.build.files_behind(repo, sources, kode, period)
    if files.empty:
        return
    with st.expander(t("caption.files", n=fmt.num(len(files), 0))):
        shown = files.assign(file_sha256=files["file_sha256"].str[:16])
        show_table(shown, {"source": "col.source", "file_name": "col.file",
                           "extraction_date": "col.extraction_date", "loaded_at": "col.loaded_at",
                           "file_sha256": "col.sha256", "n_rows": "col.n_rows"},
                   {"extraction_date": "date", "n_rows": "int"}, height=240)
        if repo.scope is not None:
            st.caption(t("caption.files_scope"))
        if code:  # what the build ran with (source_caption's build_info)
            st.caption(t("caption.code", version=code["tumbuh_version"],
                         code=str(code["code_sha256"])[:12], config=str(code["config_sha256"])[:12],
                         commit=str(code["git_commit"] or "–")[:12]))


def show_table(df: pd.DataFrame, columns: dict[str, str], formats: dict[str, str] | None = None,
               height: int | None = None, key: str | None = None) -> pd.DataFrame:
    """Show the named columns with translated headers and Indonesian number formats; returns
    the displayed (raw-valued) frame so downloads can match it exactly."""
    shown = df[[c for c in columns if c in df.columns]]
    display = fmt.frame(shown, formats or {}).rename(columns={c: t(k) for c, k in columns.items()})
    kwargs = {"height": height} if height else {}
    grid(display, key=key, **kwargs)
    return shown


def grid(df: pd.DataFrame, key: str | None = None, **kwargs: Any) -> None:
    """st.dataframe with inert text cells: the grid's own "Download as CSV" writes what it is
    given, so a name such as `=HYPERLINK(...)` must reach it as `'=HYPERLINK(...)`. Every table
    of the dashboard is shown through here."""
    st.dataframe(inert_frame(df), hide_index=True, width="stretch", key=key, **kwargs)
