"""The mart models and what they read, from their own declarations.

Every model file in `pipelines/sql/marts/<domain>/` says what it reads on a header line,
`-- reads: a, b` (SQL) or `reads: a, b` first in the docstring (Python). What it writes is what
its statements create (`CREATE [OR REPLACE] [TEMP] TABLE|VIEW|MACRO x`, `INSERT INTO x`). The
build order follows the declarations (a model runs after every model that writes what it reads;
ties keep domain and file order), and the graph is refused when it has a cycle, when two models
write the same object, or when a model reads another model's output, a staged table or a
reference table without declaring it.

A model may also declare `-- incremental: stg_x`: its table holds rows keyed by period
(period_type 'bulan' | 'tahun', period 'YYYY-MM' | 'YYYY') computed from the stg_x rows of that
period's months only, so a load that adds stg_x rows to some months recomputes the periods of
their years alone (pipelines/marts.py, run_by_period). Such a model may further declare
`-- known: n_x_known; pct_x = <expression>`: its month rows count the units known in their year
(the one thing a month row reads from other months) in column n_x_known, from which pct_x is
computed; when a load brings a unit new to a year, the year's other months then get those two
columns updated from the recomputed year rows instead of being recomputed whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.config import SQL_DIR

MARTS_DIR = SQL_DIR / "marts"
DOMAINS = ("stunting", "spm", "intervensi", "kualitas", "skdn")
# What the builder provides besides the models' outputs (pipelines/marts.py): staged rows (all
# of them, or the months being recomputed), the load manifest, the campaign file, and the
# per-area counts of the stunting child step (stunting/anak/), and the months, per-area counts and
# 2T rows of the SKDN step (pipelines/skdn.py, skdn/anak/).
PROVIDED = frozenset({
    "stg_pengukuran", "stg_spm", "stg_pkk", "stg_intervensi", "load_files", "load_file_area",
    "load_file_months",
    "campaigns", "scope_pengukuran", "scope_nama", "stg_pengukuran_kampanye",
    "tmp_prevalensi_lokasi", "tmp_skdn_bulan", "tmp_skdn_lokasi", "tmp_skdn_2t",
})
# Loaded into every build before the marts (pipelines/warehouse.py, pipelines/who/tables.py).
BASE_PREFIXES = ("ref_", "who_")

_READS = re.compile(r"^(?:--\s*|\"\"\")?reads:\s*(.*)$", re.MULTILINE)
_CREATE = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(?:TABLE|VIEW|MACRO)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z_0-9]*)", re.IGNORECASE)
_INCREMENTAL = re.compile(r"^--\s*incremental:\s*([a-z_]+)\s*$", re.MULTILINE)
_KNOWN = re.compile(r"^--\s*known:\s*([a-z_]+)\s*;\s*([a-z_]+)\s*=\s*(.+?)\s*$", re.MULTILINE)
_INSERT = re.compile(r"INSERT\s+(?:OR\s+REPLACE\s+)?INTO\s+([a-z_][a-z_0-9]*)", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z_0-9]*)", re.IGNORECASE)
_CTE = re.compile(r"\b([a-z_][a-z_0-9]*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", re.IGNORECASE)
_MACRO_CALL = re.compile(r"\b([a-z_][a-z_0-9]*)\s*\(", re.IGNORECASE)


class ModelGraphError(ValueError):
    """The models' declarations do not make a buildable graph."""


@dataclass(frozen=True)
class Model:
    path: Path
    domain: str
    reads: frozenset[str]
    writes: frozenset[str]
    temp_writes: frozenset[str]   # TEMP tables, views and macros: gone after the build
    incremental: str | None = None  # the staged table whose months key its periods
    # (n_x_known, pct_x, pct_x's expression over the table's columns): the month rows' count of
    # units known in their year and the share computed from it
    known: tuple[str, str, str] | None = None

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path.stem}"


def _strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


def parse_model(path: Path, domain: str) -> Model:
    text = path.read_text()
    found = _READS.search(text)
    if not found:
        raise ModelGraphError(f"{path.relative_to(MARTS_DIR)}: no 'reads:' declaration")
    declared = found.group(1).strip()
    reads = frozenset() if declared == "(nothing)" else frozenset(
        r.strip() for r in declared.split(",") if r.strip())
    body = _strip_comments(text)
    writes, temp = set(), set()
    for is_temp, name in _CREATE.findall(body):
        writes.add(name)
        if is_temp:
            temp.add(name)
    writes |= set(_INSERT.findall(body))
    incremental = _INCREMENTAL.search(text)
    if incremental and (incremental.group(1) not in reads or len(writes - temp) != 1):
        raise ModelGraphError(f"{path.relative_to(MARTS_DIR)}: 'incremental: "
                              f"{incremental.group(1)}' needs a declared read of that table and "
                              "exactly one table written")
    known = _KNOWN.search(text)
    if known and not incremental:
        raise ModelGraphError(f"{path.relative_to(MARTS_DIR)}: 'known:' needs 'incremental:'")
    return Model(path=path, domain=domain, reads=reads - writes, writes=frozenset(writes),
                 temp_writes=frozenset(temp),
                 incremental=incremental.group(1) if incremental else None,
                 known=known.groups() if known else None)


def _referenced(model: Model) -> set[str]:
    """Names the model's SQL reads (FROM/JOIN and macro calls), less its own CTEs and outputs."""
    body = _strip_comments(model.path.read_text())
    ctes = set(_CTE.findall(body))
    names = set(_REFERENCE.findall(body)) | set(_MACRO_CALL.findall(body))
    return names - ctes - model.writes


def discover(marts_dir: Path = MARTS_DIR) -> list[Model]:
    models = []
    for domain in DOMAINS:
        for path in sorted((marts_dir / domain).glob("*")):
            if path.suffix in (".sql", ".py") and path.is_file():
                models.append(parse_model(path, domain))
    return models


def order(models: list[Model]) -> list[Model]:
    """Topological order by declared reads (stable: domain and file order break ties)."""
    writer: dict[str, Model] = {}
    for m in models:
        for name in m.writes:
            if name in writer and writer[name] is not m:
                raise ModelGraphError(f"{name} is written by both {writer[name].name} and {m.name}")
            writer[name] = m
    known = set(writer) | PROVIDED
    for m in models:
        unknown = {r for r in m.reads if r not in known and not r.startswith(BASE_PREFIXES)}
        if unknown:
            raise ModelGraphError(f"{m.name} declares reads of {sorted(unknown)}, which no model "
                                  "writes and the builder does not provide")
        undeclared = {r for r in _referenced(m) - m.reads
                      if r in known or r.startswith(BASE_PREFIXES)}
        if undeclared:
            raise ModelGraphError(f"{m.name} reads {sorted(undeclared)} without declaring it "
                                  "(add it to its 'reads:' line)")
    deps = {m.name: {writer[r].name for r in m.reads if r in writer and writer[r] is not m}
            for m in models}
    done: list[Model] = []
    placed: set[str] = set()
    remaining = list(models)
    while remaining:
        for m in remaining:
            if deps[m.name] <= placed:
                done.append(m)
                placed.add(m.name)
                remaining.remove(m)
                break
        else:
            cycle = ", ".join(m.name for m in remaining)
            raise ModelGraphError(f"the models' reads make a cycle among: {cycle}")
    return done


@lru_cache(maxsize=1)
def ordered_models() -> tuple[Model, ...]:
    return tuple(order(discover()))


def needed_models(models: tuple[Model, ...], changed: set[str]) -> list[Model]:
    """The models to run when `changed` (inputs or outputs) changed: every model that reads
    something changed (its outputs then count as changed), plus whatever writes the TEMP
    objects a model to run reads (temp objects do not outlive a build)."""
    changed = set(changed)
    needed: set[str] = set()
    grew = True
    while grew:
        grew = False
        for m in models:
            if m.name not in needed and m.reads & changed:
                needed.add(m.name)
                changed |= m.writes
                grew = True
        temp_writer = {name: m for m in models for name in m.temp_writes}
        for m in models:
            if m.name in needed:
                for r in m.reads:
                    p = temp_writer.get(r)
                    if p is not None and p.name not in needed:
                        needed.add(p.name)
                        grew = True
    return [m for m in models if m.name in needed]
