"""Suppression on each rate's own denominator and complementary suppression (issue 14).

Checked three ways: small hand-made cases; the suppression rules on random hierarchies against
an exact linear-algebra attacker (a hidden cell is recoverable when it is determined by the
published cells and the sums parent = sum of children, i.e. its unit vector lies in the row
space of the equations); and marts built from random staging rows against an attacker who
subtracts repeatedly along the hierarchy, in mart_prevalensi and mart_kualitas_data."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from scipy.linalg import null_space

from pipelines.warehouse import building, connect_readonly
from tests.pipelines.marts.conftest import insert, marts_config

MIN_CELL = 10
FAMILIES = {"anak": ("suppressed_anak", "n_children"), "haz": ("suppressed", "n_haz"),
            "whz": ("suppressed_whz", "n_whz"), "waz": ("suppressed_waz", "n_waz")}


def _supresi_module():
    import importlib.util

    from pipelines.config import SQL_DIR

    path = SQL_DIR / "marts" / "stunting" / "22_prevalensi_supresi.py"
    spec = importlib.util.spec_from_file_location("prevalensi_supresi", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the rules on random trees, against linear algebra ------------------------------------

def random_tree(rng: random.Random) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """parent index, level (0 root .. 4) and count of a random five-level tree whose counts add
    up (a parent holds the sum of its children, plus at the desa level a remainder of children
    without a posyandu, as in the marts)."""
    parent, level, count = [-1], [0], [0]

    def grow(node: int, lvl: int) -> int:
        if lvl == 4:
            count[node] = rng.choice([0, 1, 2, 3, 5, 8, 9, 10, 12, 20, 40])
            return count[node]
        total = rng.choice([0, 0, 1, 4]) if lvl == 3 else 0  # desa: children without posyandu
        for _ in range(rng.choice([1, 1, 2, 3])):
            parent.append(node)
            level.append(lvl + 1)
            count.append(0)
            total += grow(len(parent) - 1, lvl + 1)
        count[node] = total
        return total

    grow(0, 0)
    return np.array(parent), np.array(level), np.array(count)


def determined(parent: np.ndarray, level: np.ndarray, count: np.ndarray,
               hidden: np.ndarray) -> list[int]:
    """Hidden cells the published ones determine through the sums parent = sum of children. A
    desa also holds children without a posyandu, whom no cell publishes: its sum is exact only
    where it holds none (the attacker is taken to know where that is)."""
    unknown = list(np.flatnonzero(hidden))
    if not unknown:
        return []
    col = {u: i for i, u in enumerate(unknown)}
    rows = []
    for p in set(parent[parent >= 0].tolist()):
        kids = np.flatnonzero(parent == p)
        if level[p] == 3 and count[p] != count[kids].sum():
            continue  # an unpublished remainder: the sum gives nothing
        row = np.zeros(len(unknown))
        if p in col:
            row[col[p]] = 1
        for c in kids:
            if c in col:
                row[col[c]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    # determined iff every solution of the homogeneous system leaves it at 0
    basis = null_space(np.array(rows))
    return [int(u) for u, i in col.items() if np.all(np.abs(basis[i]) < 1e-9)]


@pytest.mark.parametrize("seed", range(500))
def test_no_hidden_cell_is_determined_on_random_trees(seed):
    rng = random.Random(seed)
    parent, level, count = random_tree(rng)
    primary = (count > 0) & (count < MIN_CELL)
    order_key = list(range(len(count)))
    rng.shuffle(order_key)
    hidden = _supresi_module().protect(parent, level, count, np.array(order_key), primary,
                                       MIN_CELL)
    assert (hidden | ~primary).all()  # every primary cell stays hidden
    assert determined(parent, level, count, hidden) == []
    # and the hidden children of a shown parent hold at least min_cell together
    for p in np.flatnonzero(~hidden):
        kids = np.flatnonzero((parent == p) & hidden & (count > 0))
        assert len(kids) == 0 or (len(kids) >= 2 and count[kids].sum() >= MIN_CELL)


def test_a_parent_with_exactly_one_small_child():
    """Kab/kota 30 children: kecamatan of 26 and of 4. The 4 is hidden (primary); showing 26
    would give it as 30 - 26, so 26 is hidden too (R1), and so are its only desa and posyandu
    (R2: they would give 26)."""
    parent = np.array([-1, 0, 1, 1, 2, 4, 3, 6])
    level = np.array([0, 1, 2, 2, 3, 4, 3, 4])
    count = np.array([30, 30, 26, 4, 26, 26, 4, 4])
    primary = (count > 0) & (count < MIN_CELL)
    hidden = _supresi_module().protect(parent, level, count, np.arange(8), primary, MIN_CELL)
    assert hidden.tolist() == [False, False, True, True, True, True, True, True]


# --- marts built from random staging rows ----------------------------------------------------

def random_staging(seed: int) -> list[dict]:
    """Children in 2 kab/kota x 3 kecamatan x 3 desa x up to 3 posyandu (or none), sizes 0-14;
    heights missing for a third (weight-only visits), some weights and z-scores flagged."""
    rng = random.Random(seed)
    rows, k = [], 0
    for kab in ("35.11", "35.12"):
        for kec in range(1, 4):
            for desa in range(2001, 2004):
                kode_desa = f"{kab}.0{kec}.{desa}"
                for pos in rng.sample(["MAWAR", "MELATI", "ANGGREK", None], rng.randint(1, 4)):
                    for _ in range(rng.choice([0, 1, 3, 6, 9, 11, 14])):
                        k += 1
                        for day in rng.sample([date(2025, 7, 10), date(2025, 8, 12)],
                                              rng.randint(1, 2)):
                            has_h = rng.random() > 0.35
                            rows.append({
                                "file_sha256": "f", "row_number": len(rows) + 1,
                                "child_key": f"c{k}", "child_key_source": "nik", "sex": 1,
                                "birth_date": date(2023, 5, 1), "measurement_date": day,
                                "age_days": 800, "age_months": 26,
                                "kode_kabkota": kab, "kode_kecamatan": kode_desa[:8],
                                "kode_desa": kode_desa,
                                "posyandu_key": f"{kode_desa}|{pos}" if pos else None,
                                "posyandu_nama": pos,
                                "zlen": rng.choice([-3.2, -2.5, -1.0, 0.3]) if has_h else None,
                                "flen": (int(rng.random() < 0.05)) if has_h else None,
                                "zwei": rng.choice([-2.5, -1.0, 0.5]),
                                "fwei": int(rng.random() < 0.05),
                                "zwfl": rng.choice([-2.5, 0.0, 2.5]) if has_h else None,
                                "fwfl": 0 if has_h else None,
                                "loaded_at": datetime(2025, 9, 1),
                            })
    return rows


@pytest.fixture(scope="module", params=[101, 202])
def random_mart(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp(f"supresi{request.param}") / "w.duckdb"
    with building(path, marts_config()) as b:
        insert(b.con, "stg_pengukuran", random_staging(request.param))
        b.changed = True
    return path


def peel(cells: dict[str, tuple[str | None, bool]], inexact: set[str]) -> set[str]:
    """Repeated subtraction: any sum parent = sum of children with exactly one unknown term
    gives that term; repeat until nothing more is learnt. cells: kode -> (parent, hidden);
    inexact: parents whose children do not add up to them (children without a posyandu, whom no
    cell publishes). Returns the hidden codes learnt."""
    unknown = {k for k, (_, hidden) in cells.items() if hidden}
    children: dict[str, list[str]] = {}
    for k, (p, _) in cells.items():
        if p is not None and p in cells and p not in inexact:
            children.setdefault(p, []).append(k)
    learnt: set[str] = set()
    changed = True
    while changed:
        changed = False
        for p, kids in children.items():
            terms = [t for t in [p, *kids] if t in unknown]
            if len(terms) == 1:
                unknown.discard(terms[0])
                learnt.add(terms[0])
                changed = True
    return learnt


def mart_cells(con, table: str, flag: str, parent_sql: str) -> dict:
    rows = con.execute(f"SELECT period_type, period_start, kode, {parent_sql}, {flag} "
                       f"FROM {table}").fetchall()
    by_period: dict = {}
    for ptype, start, kode, parent, hidden in rows:
        by_period.setdefault((ptype, start), {})[kode] = (parent, bool(hidden))
    return by_period


def inexact_parents(con, column: str, parent_level: str, parent_col: str) -> dict:
    """Per period, the units of parent_level whose posyandu do not add up to them (true
    counts, from the state the build keeps): the worst-case attacker knows where the
    children without a posyandu are zero."""
    rows = con.execute(f"""
        SELECT p.period_type, p.period_start, p.kode
        FROM state_prevalensi_agregat AS p
        LEFT JOIN (SELECT period_type, period_start, {parent_col} AS kode, sum({column}) AS s
                   FROM state_prevalensi_agregat WHERE level = 'posyandu' GROUP BY ALL) AS c
          USING (period_type, period_start, kode)
        WHERE p.level = '{parent_level}' AND p.{column} <> coalesce(c.s, 0)""").fetchall()
    out: dict = {}
    for ptype, start, kode in rows:
        out.setdefault((ptype, start), set()).add(kode)
    return out


@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_cell_of_mart_prevalensi_is_recoverable(random_mart, family):
    flag, column = FAMILIES[family]
    with connect_readonly(random_mart) as con:
        cells = mart_cells(con, "mart_prevalensi", flag, "kode_induk")
        inexact = inexact_parents(con, column, "desa", "kode_desa")
        n_hidden = con.execute(f"SELECT count(*) FILTER (WHERE {flag}), count(*) "
                               "FROM mart_prevalensi").fetchone()
    assert 0 < n_hidden[0] < n_hidden[1]  # the data does hide some cells and show others
    assert any(inexact.values()) and any(len(v) < 20 for v in inexact.values())
    for period, period_cells in cells.items():
        assert peel(period_cells, inexact.get(period, set())) == set(), (family, period)


def test_no_cell_of_mart_kualitas_data_is_recoverable(random_mart):
    """The quality mart has no desa level: its posyandu hang under the kecamatan."""
    parent = ("CASE level WHEN 'kabkota' THEN '35' WHEN 'kecamatan' THEN kode_kabkota "
              "WHEN 'posyandu' THEN kode_kecamatan END")
    with connect_readonly(random_mart) as con:
        cells = mart_cells(con, "mart_kualitas_data", "suppressed", parent)
        inexact = inexact_parents(con, "n_children", "kecamatan", "kode_kecamatan")
    for period, period_cells in cells.items():
        assert peel(period_cells, inexact.get(period, set())) == set(), period


def test_each_rate_is_suppressed_on_its_own_denominator(random_mart):
    with connect_readonly(random_mart) as con:
        bad = con.execute(f"""
            SELECT count(*) FILTER (WHERE pct_stunted IS NOT NULL AND n_haz < {MIN_CELL}),
                   count(*) FILTER (WHERE pct_wasted IS NOT NULL AND n_whz < {MIN_CELL}),
                   count(*) FILTER (WHERE pct_underweight IS NOT NULL AND n_waz < {MIN_CELL}),
                   count(*) FILTER (WHERE NOT suppressed_anak AND suppressed)
            FROM mart_prevalensi""").fetchone()
    assert bad[:3] == (0, 0, 0)
    assert bad[3] > 0  # children shown, stunting hidden (too few heights) does occur


def test_children_shown_but_too_few_heights(tmp_path):
    """A kecamatan with 20 children measured but only 6 heights: n_children is shown, the
    stunting counts and rate are not (n_haz 6 < 10); wasting needs WHZ, so it is hidden too,
    underweight (20 weights) is shown. Its sibling (20 heights) is hidden for stunting as its
    complement."""
    rows = []
    for kec, n_h in (("35.11.01", 6), ("35.11.02", 20)):
        for i in range(20):
            rows.append({"file_sha256": "f", "row_number": len(rows) + 1,
                         "child_key": f"{kec}-{i}", "child_key_source": "nik", "sex": 1,
                         "birth_date": date(2023, 5, 1), "measurement_date": date(2025, 8, 12),
                         "age_days": 800, "age_months": 26, "kode_kabkota": "35.11",
                         "kode_kecamatan": kec, "kode_desa": f"{kec}.2001",
                         "posyandu_key": f"{kec}.2001|POS", "posyandu_nama": "Pos",
                         "zlen": (-2.5 if i % 2 else -0.5) if i < n_h else None,
                         "flen": 0 if i < n_h else None,
                         "zwei": -1.0, "fwei": 0, "zwfl": 0.0 if i < n_h else None,
                         "fwfl": 0 if i < n_h else None, "loaded_at": datetime(2025, 9, 1)})
    path = tmp_path / "w.duckdb"
    with building(path, marts_config()) as b:
        insert(b.con, "stg_pengukuran", rows)
        b.changed = True
    with connect_readonly(path) as con:
        got = dict(con.execute(
            "SELECT kode, (n_children, n_haz, pct_stunted, suppressed, suppressed_whz, "
            "n_waz, suppressed_waz) FROM mart_prevalensi WHERE level = 'kecamatan' "
            "AND period_type = 'bulan'").fetchall())
        kab = con.execute("SELECT n_haz, pct_stunted FROM mart_prevalensi WHERE kode = '35.11' "
                          "AND period_type = 'bulan'").fetchone()
    assert got["35.11.01"] == (20, None, None, True, True, 20, False)
    assert got["35.11.02"] == (20, None, None, True, True, 20, False)
    assert kab == (26, pytest.approx(100 * 13 / 26))
