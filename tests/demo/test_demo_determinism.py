"""Same seed, same bytes: whatever the number of worker processes, whatever an earlier run left
in the folder, and whichever other kab/kota are generated alongside."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from demo.generate import run
from tests.demo.conftest import SMALL

SUBSET = ["35.09", "35.73", "35.76"]  # a kabupaten, a kota with an ambiguous name, the smallest


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _stale(folder: Path) -> None:
    """Leftovers of an earlier run: a file this run writes as CSV, and an empty month folder."""
    stale = folder / "posyandu" / "2024-01" / "35.09_2024-01.xlsx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    (folder / "spm" / "2023-12").mkdir(parents=True)


def test_a_kabkota_gets_the_same_bytes_in_a_partial_run(small_demo, tmp_path):
    part = tmp_path / "part"
    _stale(part)
    run(part, **SMALL, workers=1, kabkota=SUBSET)  # the session's demo used two workers
    full, mine = _digest(small_demo[0]), _digest(part)
    sources = [k for k in mine if k.split("/")[0] in ("posyandu", "pkk", "spm")]
    assert len(sources) == 3 * (24 + 24 + 12)
    assert all(k.split("/")[-1][:5] in SUBSET for k in mine if "/" in k)
    assert [k for k in sources if full.get(k) != mine[k]] == []
    assert mine["hierarchy.csv"] == full["hierarchy.csv"]
    assert "posyandu/2024-01/35.09_2024-01.xlsx" not in mine and not (part / "spm" / "2023-12").exists()


def test_another_seed_gives_other_data(small_demo, tmp_path):
    other = tmp_path / "other"
    run(other, **{**SMALL, "seed": SMALL["seed"] + 1}, kabkota=SUBSET[2:])
    full, mine = _digest(small_demo[0]), _digest(other)
    common = [k for k in mine if k.startswith(("posyandu/", "pkk/", "spm/"))]
    assert len(common) == 60 and sum(full.get(k) == mine[k] for k in common) == 0


@pytest.mark.slow
def test_same_seed_same_bytes_for_the_whole_run(small_demo, tmp_path):
    again = tmp_path / "again"
    _stale(again)
    run(again, **SMALL, workers=1)
    first, second = _digest(small_demo[0]), _digest(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert any(k.endswith(".xlsx") for k in first) and any(k.endswith(".xls") for k in first)
