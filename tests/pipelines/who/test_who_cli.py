"""`run_zscore` (tumbuh zscore IN.csv OUT.csv): CSV round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipelines.who.cli import run_zscore

ADDED = ["zlen", "zwei", "zwfl", "zbmi", "flen", "fwei", "fwfl", "fbmi"]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_round_trip_keeps_rows_columns_and_text(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,sex,age_days,weight_kg,lenhei_cm,measure,posyandu\n"
        'a,1,500,9.2,76.40,l,"Mawar, 1"\n'
        "b,m,500,9.2,76.4,H,Melati\n"
        "c,2,1000,11.8,88.3,,\n"  # unknown position
        "d,F,abc,11.8,88.3,,\n"  # non-numeric age: unknown, WHZ only (height table, >= 87)
        "e,3,1000,11.8,88.3,l,\n"  # invalid sex: nothing
        "f,1,1827,17.0,108.0,h,\n"  # 60 months: nothing
        "g,2,800,9.0,64.5,h,\n"  # flags and an empty WHZ
        'h,1,600,10.5,"80,37",l,\n',  # decimal comma
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert run_zscore(str(src), str(out)) == 8
    header, rows = _read(out)
    assert header == [
        "id",
        "sex",
        "age_days",
        "weight_kg",
        "lenhei_cm",
        "measure",
        "posyandu",
        *ADDED,
    ]
    by_id = {r[0]: dict(zip(header, r)) for r in rows}
    assert [r[0] for r in rows] == list("abcdefgh")
    # input cells unchanged, as text
    assert by_id["a"]["lenhei_cm"] == "76.40" and by_id["a"]["posyandu"] == "Mawar, 1"
    assert by_id["b"]["sex"] == "m" and by_id["b"]["measure"] == "H"
    assert by_id["h"]["lenhei_cm"] == "80,37"

    def zs(row_id: str) -> list[str]:
        return [by_id[row_id][c] for c in ADDED]

    assert zs("a") == ["-1.63", "-1.29", "-0.75", "-0.42", "0", "0", "0", "0"]
    assert zs("b") == ["-1.36", "-1.29", "-0.91", "-0.66", "0", "0", "0", "0"]
    assert zs("c") == ["-1.23", "-0.93", "-0.40", "-0.25", "0", "0", "0", "0"]
    assert zs("d") == ["", "", "-0.40", "", "", "", "0", ""]
    assert zs("e") == [""] * 8
    assert zs("f") == [""] * 8
    assert zs("g") == ["-6.93", "-2.38", "", "3.58", "1", "0", "", "0"]
    assert zs("h") == ["-1.27", "-0.65", "-0.02", "0.20", "0", "0", "0", "0"]


def test_row_order_survives_parallel_execution(tmp_path):
    # enough rows for DuckDB to run several threads; every row differs
    n = 30_000
    lines = ["sex,age_days,weight_kg,lenhei_cm,measure,seq"]
    lines += [
        f"{1 + i % 2},{i % 1800},{6 + (i % 97) / 10},{60 + (i % 400) / 10},l,{i}" for i in range(n)
    ]
    src = tmp_path / "in.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_zscore(str(src), str(out)) == n
    header, rows = _read(out)
    assert [int(r[header.index("seq")]) for r in rows] == list(range(n))
    # and the z-scores belong to their rows: same input, same output
    zl = header.index("zlen")
    assert rows[0][zl] == rows[3600][zl] != ""  # i and i + 3600 share every input value


def test_measure_column_is_optional_and_stale_outputs_are_replaced(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("sex,age_days,weight_kg,lenhei_cm,zlen\n2,1000,11.8,88.3,99\n")
    out = tmp_path / "out.csv"
    assert run_zscore(str(src), str(out)) == 1
    header, rows = _read(out)
    assert header == ["sex", "age_days", "weight_kg", "lenhei_cm", *ADDED]
    assert rows[0][header.index("zlen")] == "-1.23"  # unknown position, as example 4


def test_missing_required_column_is_an_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("sex,age_days,weight_kg\n1,500,9.2\n")
    with pytest.raises(ValueError, match="lenhei_cm"):
        run_zscore(str(src), str(tmp_path / "out.csv"))


def test_cara_ukur_words_and_numeric_sex(tmp_path):
    """e-PPGBM's Cara Ukur words are the positions the WHO rules map them to, and a sex written
    as a number (1.0) is that number: the same z-scores as the plain l/h and 1/2 rows."""
    src = tmp_path / "in.csv"
    src.write_text(
        "id,sex,age_days,weight_kg,lenhei_cm,measure\n"
        "a,1,500,9.2,76.4,l\n"
        "b,1.0,500,9.2,76.4,Terlentang\n"
        "c,2,1000,11.8,88.3,h\n"
        "d,2.0,1000,11.8,88.3,BERDIRI\n"
        "e,1.5,1000,11.8,88.3,h\n",  # not a sex: nothing
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    run_zscore(str(src), str(out))
    _, rows = _read(out)
    z = {r[0]: r[6:] for r in rows}
    assert z["a"] == z["b"] and z["a"][0] != ""
    assert z["c"] == z["d"] and z["c"][0] != ""
    assert z["e"] == [""] * 8
