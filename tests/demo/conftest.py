"""One small demo data set per test session (a few seconds to generate), read back once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from demo.generate import run
from tests.demo import demo_files as D

SMALL = {"scale": 0.002, "seed": 7, "min_balita": 60}


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo_small")
    summary = run(out, **SMALL)
    return out, summary


@pytest.fixture(scope="session")
def manifest(small_demo) -> dict:
    return D.load_manifest(small_demo[0])


@pytest.fixture(scope="session")
def lines(small_demo) -> pd.DataFrame:
    return D.load_lines(small_demo[0])


@pytest.fixture(scope="session")
def posyandu_rows(small_demo, manifest) -> pd.DataFrame:
    """Every data row of every posyandu file, with its file path and physical row."""
    out = small_demo[0]
    parts = []
    for entry in manifest["files"]:
        if entry["source"] == "posyandu":
            df = D.read_table(out, entry)
            df.insert(0, "file", entry["path"])
            parts.append(df)
    return D.as_text(pd.concat(parts, ignore_index=True))


@pytest.fixture(scope="session")
def clean_rows(posyandu_rows, lines) -> pd.DataFrame:
    """Rows the manifest does not list as corrupted (they must load exactly as written)."""
    bad = lines[lines.source == "posyandu"][["file", "physical_row"]]
    merged = posyandu_rows.merge(bad.assign(_bad=True), on=["file", "physical_row"], how="left")
    return D.as_text(merged[merged._bad.isna()].drop(columns="_bad").reset_index(drop=True))


@pytest.fixture(scope="session")
def entries(manifest) -> dict[str, dict]:
    return {f["path"]: f for f in manifest["files"]}


@pytest.fixture(scope="session")
def judged(posyandu_rows, lines, entries) -> pd.DataFrame:
    """Every posyandu row with its manifest line (if any) and the first reject reason the
    contract gives it ("" = staged)."""
    df = D.as_text(posyandu_rows.merge(lines[lines.source == "posyandu"], on=["file", "physical_row"], how="left"))
    ext = {p: e.get("extraction_date") for p, e in entries.items()}
    df["reason"] = D.first_reasons(df, df.file.map(ext))
    return df
