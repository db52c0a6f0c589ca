"""Header normalisation, alias matching and spec validation."""

from __future__ import annotations

import pytest
from readers_support import HEADER, SPEC

from pipelines.readers import ColumnSpec, TableSpec
from pipelines.readers.header import HeaderMatch, HeaderMiss, find_header
from pipelines.readers.spec import normalise_header


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Tgl Lahir", "tgllahir"),
        ("TGL_LAHIR", "tgllahir"),
        ("tgl. lahir", "tgllahir"),
        ("  Tgl\u00a0Lahir\n", "tgllahir"),
        ("Kab/Kota", "kabkota"),
        ("PMT Diterima (kg)", "pmtditerimakg"),
        ("Pukesmas", "pukesmas"),
        ("Puskesmas", "puskesmas"),
        ("ＮＩＫ", "nik"),  # full-width letters from copy-paste
    ],
)
def test_normalise_header(text, key):
    assert normalise_header(text) == key


def test_pukesmas_and_puskesmas_both_match():
    for spelling in ("Pukesmas", "PUSKESMAS"):
        cells = [spelling if h == "Pukesmas" else h for h in HEADER]
        match = find_header([(1, cells)], SPEC)
        assert isinstance(match, HeaderMatch)
        assert match.layout.canonical[HEADER.index("Pukesmas")] == "pukesmas"


def test_best_near_miss_is_reported():
    rows = [(1, ["Daftar"]), (2, ["JK", "Tgl Lahir"]), (3, ["JK", "Tgl Lahir", "Kab/Kota", "Kec"])]
    miss = find_header(rows, SPEC)
    assert isinstance(miss, HeaderMiss)
    assert miss.missing == ["Tanggal Pengukuran", "Desa/Kel", "Posyandu", "Berat or Tinggi"]


def test_one_of_a_required_group_is_enough():
    cells = [h for h in HEADER if h != "Berat"]
    assert isinstance(find_header([(1, cells)], SPEC), HeaderMatch)


def test_alias_shared_by_two_columns_is_refused():
    with pytest.raises(ValueError, match="matches both"):
        TableSpec("x", (ColumnSpec("a", ("Tgl Lahir",)), ColumnSpec("b", ("TGL-LAHIR",))), (), ())


def test_unknown_names_in_required_or_keys_are_refused():
    with pytest.raises(ValueError, match="not a column"):
        TableSpec("x", (ColumnSpec("a", ("A",)),), (("b",),), ())
    with pytest.raises(ValueError, match="not a column"):
        TableSpec("x", (ColumnSpec("a", ("A",)),), (("a",),), ("c",))


def test_reserved_names_are_refused():
    with pytest.raises(ValueError, match="invalid canonical"):
        TableSpec("x", (ColumnSpec("extra", ("Extra",)),), (), ())
