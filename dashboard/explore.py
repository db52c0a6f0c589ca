"""The exploration pivot and its downloads: the CSV and XLSX hold exactly the table on screen
(same rows, columns and headers; numbers at the shown precision; suppressed cells as text). Text
cells are inert in both (`pipelines.safe_cells`), as they are in the grid. Beside each period of a
percentage stands that period's measurement coverage, and a last column names the coverage's
denominator source(s) over the periods shown."""

from __future__ import annotations

import io

import pandas as pd

from dashboard import cakupan, fmt
from dashboard.i18n import current_language, t
from pipelines.safe_cells import XLSX_OPTIONS, inert_frame

MEASURES = {  # column -> format kind
    "pct_stunted": "pct", "pct_stunted_eb": "pct", "pct_severe": "pct", "pct_wasted": "pct",
    "pct_underweight": "pct", "pct_overweight": "pct", "n_children": "int", "n_haz": "int",
    "n_stunted": "int", "pct_coverage": "pct",
}


# the mart's suppression flag of each measure's family of counts (docs/marts_stunting.md)
SUPPRESSED_BY = {"pct_wasted": "suppressed_whz", "pct_overweight": "suppressed_whz",
                 "pct_underweight": "suppressed_waz", "n_children": "suppressed_anak"}


def pivot(df: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Wilayah x period of one measure; suppressed cells (suppressed on the measure's own
    denominator) hold the text "data tidak cukup". A percentage gets the period's measurement
    coverage beside each period ("<period> · cakupan") and the coverage sources last."""
    if df.empty:
        return pd.DataFrame()
    data = df.assign(value=_cells(df, measure), period_label=df["period"].map(fmt.period))
    order = list(dict.fromkeys(df.sort_values("period")["period"].map(fmt.period)))
    wide = _wide(data, "value", order)
    if MEASURES[measure] == "pct" and measure != "pct_coverage" and "pct_coverage" in df:
        coverage = _wide(data.assign(coverage=_cells(df, "pct_coverage")), "coverage", order,
                         like=wide)
        both = pd.DataFrame(index=wide.index)
        for label in order:
            both[label] = wide[label]
            both[f"{label} · {t('cakupan.col')}"] = coverage[label]
        sources = data.groupby(["kode", "nama"])["coverage_source"].agg(
            lambda s: "; ".join(sorted({cakupan.source_label(v) for v in s})))
        both[t("cakupan.col_source")] = sources.reindex(wide.index)
        wide = both
    wide = wide.reset_index()
    wide.columns.name = None
    return wide.rename(columns={"kode": t("col.kode"), "nama": t("col.nama")})


def _cells(df: pd.DataFrame, measure: str) -> pd.Series:
    """A measure's values at the shown precision, "data tidak cukup" where hidden."""
    decimals = 1 if MEASURES[measure] == "pct" else 0
    values = df[measure].astype(float).round(decimals).astype(object)
    flag = SUPPRESSED_BY.get(measure, "suppressed")
    hidden = df[flag] if flag in df else df["suppressed"]
    values[hidden.fillna(False).astype(bool).to_numpy()] = t("map.suppressed")
    return values


def _wide(data: pd.DataFrame, column: str, order: list[str],
          like: pd.DataFrame | None = None) -> pd.DataFrame:
    """(kode, nama) x period label of one column, periods in `order` (rows of `like`)."""
    wide = data.pivot_table(index=["kode", "nama"], columns="period_label", values=column,
                            aggfunc="first", sort=True, dropna=like is None)
    wide = wide.reindex(columns=order)
    return wide if like is None else wide.reindex(index=like.index)


def display(wide: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The pivot as shown: numbers formatted the Indonesian way (text cells unchanged)."""
    kind = MEASURES[measure]
    out = wide.copy()
    for col in out.columns[2:]:
        out[col] = out[col].map(lambda v: v if isinstance(v, str) else (
            fmt.pct(v) if kind == "pct" else fmt.num(v))).astype(object)
    return out


def to_csv(wide: pd.DataFrame, measure: str, files: pd.DataFrame | None = None) -> bytes:
    """The pivot as CSV; Indonesian Excel reads `;` separated files with a decimal comma. Numbers
    keep the shown precision without thousands separators, so they stay numbers. With `files`
    (queries.build.files_behind) the header lines first list the files behind the table, one per
    line (provenance travels with the download, as the XLSX's "Sumber" sheet), then a blank line."""
    decimals = 1 if MEASURES[measure] == "pct" else 0
    indonesian = current_language() == "id"
    out = wide.copy()
    for col in out.columns[2:]:
        out[col] = out[col].map(lambda v: v if isinstance(v, str) or pd.isna(v) else (
            f"{v:.{decimals}f}".replace(".", ",") if indonesian else f"{v:.{decimals}f}"))
    sep = ";" if indonesian else ","
    head = "" if files is None or files.empty else _provenance_lines(files, sep)
    return (head + _csv_text(out, sep)).encode("utf-8-sig")


def _csv_text(df: pd.DataFrame, sep: str) -> str:
    # CRLF line ends: the writer then also quotes a cell holding a lone CR, which would
    # otherwise start a new row (and a new, unprefixed cell) in a spreadsheet
    return inert_frame(df).to_csv(index=False, sep=sep, lineterminator="\r\n")


def _provenance_lines(files: pd.DataFrame, sep: str) -> str:
    """`Sumber data` (n files), the files' table (name, extraction date, load time, SHA-256,
    rows) and a blank line; file names are hostile input, so they go through inert_frame."""
    listed = pd.DataFrame({
        t("col.file"): files["file_name"],
        t("col.extraction_date"): files["extraction_date"].map(
            lambda d: "" if pd.isna(d) else str(d)[:10]),
        t("col.loaded_at"): files["loaded_at"].map(lambda d: "" if pd.isna(d) else str(d)[:19]),
        t("col.sha256"): files["file_sha256"],
        t("col.n_rows"): files["n_rows"].map(lambda n: "" if pd.isna(n) else str(int(n))),
    })
    title = t("caption.files", n=fmt.num(len(files), 0))
    return f"{_csv_text(pd.DataFrame({title: []}), sep)}{_csv_text(listed, sep)}\r\n"


def to_xlsx(wide: pd.DataFrame, sheet: str = "tumbuh", files: pd.DataFrame | None = None) -> bytes:
    """The table as XLSX; with `files` (queries.build.files_behind) a second sheet "Sumber"
    lists the files behind it (provenance travels with the download)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        inert_frame(wide).to_excel(writer, sheet_name=sheet[:31], index=False)
        if files is not None:
            inert_frame(files).to_excel(writer, sheet_name="Sumber", index=False)
    return buffer.getvalue()
