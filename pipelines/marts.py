"""Build the marts inside a warehouse build: every mart on a full rebuild, or only what the rows
a load added can change (decision D18).

Models live in `pipelines/sql/marts/<domain>/` and declare what they read (pipelines/models.py,
which orders them). A `.sql` file is one or more statements; a `.py` file defines
`build(con, config)` for the few steps SQL cannot do (exact binomial limits). Config values
reach SQL as DuckDB variables: `getvariable('min_cell')`.

What a load recomputes:
- stunting: the child step runs over the months the load added measurements to
  (`stunting/anak/`): each month's children from that month's staged rows, and each touched
  year's children merged into the year's stored state (every column is a max, so merging is
  exact). The per-area counts, levels, provincial values, funnel limits, ranks and EB rates are
  then computed for those periods only and merged into mart_prevalensi; the columns that look
  across periods (trend, posyandu name) are set over the whole mart.
- kualitas: the per-area monthly sums of the touched months are recomputed from their staged
  rows; every level and year is rolled up from the stored sums (small).
- skdn: the SKDN step (pipelines/skdn.py) recomputes the touched months, the two after each and
  the months where a child stopped being B, from those months' staged rows and the two months
  before each; their per-area counts and 2T rows replace the stored ones and every level is
  rolled up again (docs/marts_skdn.md).
- every other model runs when something it reads changed (its declared reads), with whatever
  writes the temporary tables it reads: spm when SPM or PKK rows arrive (and its
  stunting-joined mart when mart_prevalensi changes), intervensi when reports arrive, the
  campaigns change, or measurements arrive in a campaign's windows.
A full rebuild is the same code with every month touched, so a sequence of loads and a rebuild
from scratch give the same marts (tests/pipelines/marts/test_incremental.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines import store, trace
from pipelines.config import REFERENCE_DIR, SQL_DIR, Config
from pipelines.models import Model, needed_models, ordered_models
from pipelines.provenance import build_record
from pipelines.skdn import run_skdn_step

if TYPE_CHECKING:
    from pipelines.warehouse import Build

ANAK_DIR = SQL_DIR / "marts" / "stunting" / "anak"
STATE_ANAK = "state_anak_tahun"  # the per-child year state, Parquet in the store by year
# What the SKDN step provides to the skdn models (pipelines/skdn.py); the marts that keep the
# rows of periods a build does not recompute, dropped by a full rebuild like the state_* tables.
SKDN_STEP_TABLES = ("tmp_skdn_bulan", "tmp_skdn_lokasi", "tmp_skdn_2t")
KEPT_MARTS = ("mart_prevalensi", "mart_skdn_2t")


def config_variables(config: Config) -> dict[str, object]:
    """The config values the marts' SQL reads with getvariable(), and [hotspot] (read by the
    hotspot model); also part of the build's fingerprint, so a change of one rebuilds the marts."""
    prevalence, target = config.prevalence, config.target_list
    return {
        "min_cell": prevalence.min_cell,
        "provincial_average": prevalence.provincial_average,
        "bulan_timbang": list(prevalence.bulan_timbang),
        "target_reference": target.reference,
        "ssgi_2024_provincial": target.ssgi_2024_provincial,
        **{f"hotspot_{k}": v for k, v in asdict(config.hotspot).items()},
    }


def set_config_variables(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    for name, value in config_variables(config).items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


def model_files(domain_dir: Path) -> list[Path]:
    return sorted(p for p in domain_dir.glob("*") if p.suffix in (".sql", ".py"))


def _run_python_model(path: Path, con: duckdb.DuckDBPyConnection, config: Config) -> None:
    spec = importlib.util.spec_from_file_location(f"tumbuh_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.build(con, config)


def _run(con: duckdb.DuckDBPyConnection, config: Config, path: Path) -> None:
    with trace.step(f"model {path.parent.name}/{path.stem}"):
        if path.suffix == ".sql":
            con.execute(path.read_text())
        else:
            _run_python_model(path, con, config)


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_catalog = current_database() AND table_schema = 'main'", [name]
    ).fetchone()[0])


# The area of a loaded file: the kab/kota and month most of its staged rows belong to. The
# quality mart attributes a posyandu file's rejects there, and the wilayah scope shows a
# kab/kota user the files of its own kab/kota (a file with no staged row has no area). The
# loader records it per file as it stages it; a full rebuild recomputes it.
STAGED_MONTH = {  # staged table -> the month of one of its rows
    "stg_pengukuran": "date_trunc('month', measurement_date)::DATE",
    "stg_pkk": "bulan",
    "stg_spm": "bulan",
    "stg_intervensi": "date_trunc('month', tanggal)::DATE",
}
STAGED_WILAYAH = {  # staged table -> the finest Kemendagri code of one of its rows
    "stg_pengukuran": "kode_desa",
    "stg_pkk": "kode_desa",
    "stg_spm": "kode_desa",
    "stg_intervensi": "coalesce(kode_kecamatan, kode_kabkota)",
}


def file_months_select(table: str, schema: str = "") -> str:
    """SELECT file_sha256, kode_kabkota, kode_wilayah, bulan, n_rows: the staged rows of each
    file of staged table `table` per desa (kecamatan or kab/kota where the source has no finer
    code) and month."""
    return (f"SELECT file_sha256, kode_kabkota, {STAGED_WILAYAH[table]} AS kode_wilayah, "
            f"{STAGED_MONTH[table]} AS bulan, count(*) AS n_rows "
            f"FROM {schema}{table} GROUP BY ALL")


def file_area_select(table: str, schema: str = "") -> str:
    """SELECT file_sha256, kode_kabkota, bulan: one row per file of staged table `table`."""
    return f"""
SELECT file_sha256,
       arg_max(kode_kabkota, (n_rows, kode_kabkota, bulan)) AS kode_kabkota,
       arg_max(bulan, (n_rows, kode_kabkota, bulan)) AS bulan
FROM (SELECT file_sha256, kode_kabkota, bulan, sum(n_rows) AS n_rows
      FROM ({file_months_select(table, schema)}) GROUP BY ALL)
GROUP BY file_sha256
"""


def record_file_areas(con: duckdb.DuckDBPyConnection, table: str, schema: str = "",
                      only_new: bool = False) -> None:
    """Add the kab/kota-months and the area of the files of `schema.table` to load_file_months
    and load_file_area (`only_new`: of files not recorded yet)."""
    for target, select in (("load_file_months", file_months_select),
                           ("load_file_area", file_area_select)):
        where = (f" WHERE file_sha256 NOT IN (SELECT file_sha256 FROM {target})"
                 if only_new else "")
        con.execute(f"INSERT INTO {target} SELECT * FROM ({select(table, schema)}){where}")


def add_missing_file_areas(con: duckdb.DuckDBPyConnection) -> None:
    """Areas and months of files loaded with staged rows but none recorded: a warehouse loaded
    before every source had them gets them at its next load, without a rebuild. Staged rows are
    never removed, so once filled this finds nothing and reads no staged table."""
    missing = con.execute(
        "SELECT DISTINCT source FROM load_files WHERE rows_staged > 0 AND (file_sha256 NOT IN "
        "(SELECT file_sha256 FROM load_file_area) OR file_sha256 NOT IN "
        "(SELECT file_sha256 FROM load_file_months))").fetchall()
    from pipelines.ingest import get_source  # late: the ingest imports this module

    for (source,) in missing:
        record_file_areas(con, get_source(source).staged_table, only_new=True)


# --- what changed --------------------------------------------------------------------------

def fingerprints(config: Config, today: str = "") -> dict[str, str]:
    """What a domain's marts depend on besides staged rows: config values, the reference files,
    the kecamatan boundary file (the hotspot weights) and the campaigns, and for the
    intervention marts the day they are built for (a day's status, 'belum terjadi' or
    'terlambat', is relative to it). A change rebuilds that domain whole."""
    from geo.weights import boundary_file, file_digest
    from pipelines.campaigns import DEFAULT_PATH

    refs = hashlib.sha256()
    for csv in sorted(REFERENCE_DIR.glob("*.csv")):
        refs.update(csv.name.encode() + csv.read_bytes())
    refs.update(file_digest(boundary_file(config)).encode())
    code = hashlib.sha256()
    for sql in sorted((SQL_DIR / "marts").rglob("*")):
        if sql.suffix in (".sql", ".py"):
            code.update(str(sql.relative_to(SQL_DIR)).encode() + sql.read_bytes())
    common = hashlib.sha256(
        (json.dumps(config_variables(config), sort_keys=True) + refs.hexdigest()
         + code.hexdigest()).encode()).hexdigest()
    return {"stunting": common,
            "intervensi": hashlib.sha256(common.encode() + today.encode() + _file_bytes(
                config.path("campaigns") or DEFAULT_PATH)).hexdigest()}


def _build_day(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT coalesce(getvariable('today'), current_date)").fetchone()[0])


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


# --- the stunting child step ---------------------------------------------------------------

class ChildState:
    """The per-child year state: Parquet files in the store (one per year, replaced whole when
    the year changes) in a warehouse build; a TEMP table on a bare connection (tests)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, build: Build | None):
        self.con, self.build = con, build

    def load(self, tahun: str, fresh: bool) -> None:
        """tmp_anak_tahun_lama: the stored state of one year (empty when `fresh`)."""
        paths = [] if fresh or self.build is None else store.files_of(self.con, STATE_ANAK, [tahun])
        if paths:
            source = store.parquet_source(self.build.root, paths)
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE tmp_anak_tahun_lama AS SELECT child_key, tahun, "
                "urutan::HUGEINT AS urutan, lokasi, kunci_haz::HUGEINT AS kunci_haz, "
                f"kunci_waz::HUGEINT AS kunci_waz, kunci_whz::HUGEINT AS kunci_whz FROM {source}")
        else:
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE tmp_anak_tahun_lama (child_key VARCHAR, tahun DATE, "
                "urutan HUGEINT, lokasi VARCHAR, kunci_haz HUGEINT, kunci_waz HUGEINT, "
                "kunci_whz HUGEINT)")

    def save(self, tahun: str) -> None:
        """Replace the year's stored state with tmp_anak_tahun."""
        if self.build is None:
            return
        con, build = self.con, self.build
        con.execute("DELETE FROM store_files WHERE table_name = ? AND part = ?", [STATE_ANAK, tahun])
        files = store.write_table(con, build.root, STATE_ANAK,
                                  # Parquet has no HUGEINT: DECIMAL(38, 0) holds the
                                  # packed keys (< 2^123) exactly
                                  "SELECT child_key, tahun, urutan::DECIMAL(38, 0) AS urutan, "
                                  "lokasi, kunci_haz::DECIMAL(38, 0) AS kunci_haz, "
                                  "kunci_waz::DECIMAL(38, 0) AS kunci_waz, "
                                  "kunci_whz::DECIMAL(38, 0) AS kunci_whz "
                                  "FROM tmp_anak_tahun",  # read whole: no order needed
                                  build.build_id, part=f"tahun={tahun}")
        files = [(tahun, rel) for _, rel in files]
        build.new_files.update(rel for _, rel in files)
        store.register(con, STATE_ANAK, files, build.build_id)

    def forget_all(self) -> None:
        if self.build is not None:
            self.con.execute("DELETE FROM store_files WHERE table_name = ?", [STATE_ANAK])


def _months_of(con: duckdb.DuckDBPyConnection, build: Build | None) -> list[str]:
    """Every month with staged measurements."""
    if build is not None:
        return store.parts_of(con, "stg_pengukuran")
    return [m for (m,) in con.execute(
        "SELECT DISTINCT strftime(measurement_date, '%Y-%m') FROM stg_pengukuran ORDER BY 1"
    ).fetchall()]


def _scope_pengukuran(con: duckdb.DuckDBPyConnection, build: Build | None, months: list[str],
                      view: str = "scope_pengukuran") -> None:
    """A TEMP view (scope_pengukuran) of the staged measurements of these months only."""
    if build is not None:
        paths = store.files_of(con, "stg_pengukuran", months)
        # a month with no file yet reads as the shape of delta (empty once the rows are written)
        source = store.parquet_source(build.root, paths, empty_like="delta.stg_pengukuran")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {source}")
    elif hasattr(con, "read_parts"):  # the Spark engine: the months' files only
        con.read_parts(view, "stg_pengukuran", months)
    else:
        listed = ", ".join(store.quote(m) for m in months) or "NULL"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM stg_pengukuran "
                    f"WHERE strftime(measurement_date, '%Y-%m') IN ({listed})")


def run_child_step(con: duckdb.DuckDBPyConnection, build: Build | None, months: list[str],
                   full: bool, whole_years: bool = False) -> None:
    """tmp_prevalensi_lokasi for every period the months touch: each month, and each of their
    years (whose stored child state is updated, or rebuilt from scratch when `full`).
    DuckDB takes one month per pass (its memory holds one month's children); `whole_years`
    takes a year's months in one pass, as the Spark engine does (a pass there costs a job per
    statement): the same SQL, whose rows are per child and month either way."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE tmp_prevalensi_lokasi (period_type VARCHAR, "
        "period_start DATE, lokasi VARCHAR, n_children BIGINT, n_haz BIGINT, n_stunted BIGINT, "
        "n_severe BIGINT, n_flag_haz BIGINT, n_whz BIGINT, n_wasted BIGINT, "
        "n_overweight BIGINT, n_flag_whz BIGINT, n_waz BIGINT, n_underweight BIGINT, "
        "n_flag_waz BIGINT, n_weighed BIGINT)")
    state = ChildState(con, build)
    if full:
        state.forget_all()
    by_year: dict[str, list[str]] = {}
    for month in sorted(months):
        by_year.setdefault(month[:4], []).append(month)
    for tahun, year_months in by_year.items():
        state.load(tahun, fresh=full)
        con.execute("CREATE OR REPLACE TEMP TABLE tmp_anak_tahun AS "
                    "SELECT * FROM tmp_anak_tahun_lama")
        for part in ([year_months] if whole_years else [[m] for m in year_months]):
            _scope_pengukuran(con, build, part)
            with trace.step("child 10_anak_bulan"):
                con.execute((ANAK_DIR / "10_anak_bulan.sql").read_text())
            con.execute("DROP TABLE tmp_anak_tahun_lama")
            con.execute("ALTER TABLE tmp_anak_tahun RENAME TO tmp_anak_tahun_lama")
            with trace.step("child 11_anak_tahun"):
                con.execute((ANAK_DIR / "11_anak_tahun.sql").read_text())
            con.execute("CREATE OR REPLACE TEMP VIEW tmp_periode_anak AS SELECT 'bulan' AS "
                        "period_type, bulan AS period_start, * FROM tmp_anak_bulan")
            with trace.step("child 15_prevalensi_lokasi"):
                con.execute((ANAK_DIR / "15_prevalensi_lokasi.sql").read_text())
        con.execute("CREATE OR REPLACE TEMP VIEW tmp_periode_anak AS SELECT 'tahun' AS "
                    "period_type, tahun AS period_start, * FROM tmp_anak_tahun")
        with trace.step("child 15_prevalensi_lokasi"):
            con.execute((ANAK_DIR / "15_prevalensi_lokasi.sql").read_text())
        with trace.step("child state save"):
            state.save(tahun)
        for table in ("tmp_anak_bulan", "tmp_anak_tahun", "tmp_anak_tahun_lama"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("DROP VIEW IF EXISTS tmp_periode_anak")


def _scope_nama(con: duckdb.DuckDBPyConnection, build: Build | None, full: bool) -> None:
    """scope_nama: the staged measurements whose names the posyandu name state has not seen."""
    if full:
        con.execute("DROP TABLE IF EXISTS state_posyandu_nama")
    if build is None or full:
        con.execute("CREATE OR REPLACE TEMP VIEW scope_nama AS SELECT * FROM stg_pengukuran")
        return
    new = sorted(rel for rel in build.new_files if rel.startswith("stg_pengukuran/"))
    source = store.parquet_source(build.root, new, empty_like="delta.stg_pengukuran")
    con.execute(f"CREATE OR REPLACE TEMP VIEW scope_nama AS SELECT * FROM {source}")


def _campaign_months(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Months any campaign's outcome windows read (intervensi/20_tmp_ivo_child.sql)."""
    if not _table_exists(con, "ref_campaign"):
        return set()
    lo, hi = con.execute(
        "SELECT min(start_date - to_months(2 * pre_months)), max(end_date + post_days + 1) "
        "FROM ref_campaign").fetchone()
    if lo is None:
        return set()
    return {m for (m,) in con.execute(
        "SELECT DISTINCT strftime(d, '%Y-%m') FROM "
        "(SELECT unnest(generate_series(CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 DAY)) AS d)",
        [lo, hi]).fetchall()}


def period_scope(build: Build, table: str) -> list[str] | None:
    """The months this build added `table` rows to (None: none, build everything)."""
    return sorted(build.staged_parts.get(table, ())) or None


def _months_to_recompute(con: duckdb.DuckDBPyConnection, source: str, loaded: list[str],
                         every: list[str]) -> list[str]:
    """The loaded months, and every month of a year in which the loaded months hold a unit
    (desa, posyandu) that the year's other months do not: a month row also counts the units
    known in its year (n_posyandu_known, n_desa_known). The `source` view holds the rows of
    `every`, the months of the loaded years."""
    if set(every) <= set(loaded):
        return sorted(every)
    columns = {c for (c, *_) in con.execute(f"DESCRIBE {source}").fetchall()}
    posyandu = "coalesce(posyandu_key, '')" if "posyandu_key" in columns else "''"
    widened = {y for (y,) in con.execute(f"""
        WITH units AS (
            SELECT DISTINCT strftime(bulan, '%Y-%m') AS m, kode_desa, {posyandu} AS posyandu
            FROM {source})
        SELECT DISTINCT y FROM (
            SELECT left(m, 4) AS y, kode_desa, posyandu FROM units WHERE list_contains($1, m)
            EXCEPT
            SELECT left(m, 4), kode_desa, posyandu FROM units WHERE NOT list_contains($1, m))""",
        [loaded]).fetchall()}
    return sorted(set(loaded) | {m for m in every if m[:4] in widened})


def run_by_period(con: duckdb.DuckDBPyConnection, build: Build, model: Model,
                  loaded: list[str], models: tuple[Model, ...]) -> None:
    """Run an incremental model (`-- incremental: stg_x`) for the periods the stg_x rows of the
    months `loaded` can change, and replace its table's rows of those periods with the result:
    the loaded months and their years (a year pools its months). A month row also counts the
    units (desa, posyandu) known in its year, so when the load brings a unit new to a year, the
    year's other months change too: a model that declares those columns (`-- known:`) has them
    updated from the new year rows (update_known); any other is recomputed for every month of
    that year. The model reads the stg_x rows of those years only; its result is filtered to
    those periods, which DuckDB pushes down into the model's grouping, so the months left as
    they are cost nothing. Marts of the same kind it reads are narrowed to those periods too."""
    from pipelines.warehouse import create_bulk_views  # late: warehouse imports this module

    if model.path.suffix != ".sql":
        raise ValueError(f"{model.name}: only a SQL model can run by period")
    source, (table,) = model.incremental, model.writes - model.temp_writes
    db = con.execute("SELECT current_database()").fetchone()[0]
    years = sorted({m[:4] for m in loaded})
    every = [p for p in store.parts_of(con, source) if p[:4] in years]
    create_bulk_views(con, build.root, delta="delta", parts={source: set(every)}, only=(source,))
    months = _months_to_recompute(con, source, loaded, every)
    # months recomputed only because the load brings a unit new to their year: where the model
    # says which columns count the known units, those columns are updated instead
    widened = sorted(set(months) - set(loaded)) if model.known else []
    months = sorted(set(months) - set(widened))
    in_periods = (f"((period_type = 'tahun' AND period IN ({_listed(years)})) OR "
                  f"(period_type = 'bulan' AND period IN ({_listed(months)})))")
    narrowed = [m for m in models if m.incremental == source and m is not model
                and (m.writes - m.temp_writes) & model.reads]
    for other in narrowed:
        (name,) = other.writes - other.temp_writes
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                    f"SELECT * FROM {db}.main.{name} WHERE {in_periods}")
    create = f"CREATE OR REPLACE TABLE {table} AS"
    statements = [st.query for st in con.extract_statements(model.path.read_text())]
    creating = [i for i, st in enumerate(statements) if create in st]
    if len(creating) != 1:
        raise ValueError(f"{model.name}: an incremental model creates its table once ({create})")
    narrows = set(months) != set(every)
    label = f"{len(months)} of {len(every)} months" + (
        f", known units updated in {len(widened)}" if widened else "")
    with trace.step(f"model {model.domain}/{model.path.stem} (by period, {label})"):
        for i, statement in enumerate(statements):
            if i == creating[0]:
                select = statement.split(create, 1)[1].strip().rstrip(";")
                # filtered only where the filter leaves months out: on every month of the
                # years the model runs as written (the filter cost more than it saved there)
                statement = (f"CREATE OR REPLACE TEMP TABLE {table}__periods AS "
                             + (f"SELECT * FROM ({select}) WHERE {in_periods}" if narrows
                                else select))
            con.execute(statement)
        con.execute(f"DELETE FROM {db}.main.{table} WHERE {in_periods}")
        con.execute(f"INSERT INTO {db}.main.{table} BY NAME SELECT * FROM temp.main.{table}__periods")
        if widened:
            update_known(con, f"{db}.main.{table}", model.known, widened)
    con.execute(f"DROP TABLE temp.main.{table}__periods")
    for other in narrowed:
        (name,) = other.writes - other.temp_writes
        con.execute(f"DROP VIEW temp.main.{name}")
    create_bulk_views(con, build.root, delta="delta", only=(source,))


def update_known(con: duckdb.DuckDBPyConnection, table: str, known: tuple[str, str, str],
                 months: list[str]) -> None:
    """The month rows of `months` take their unit's count of known units (and the share computed
    from it) from the unit's year row, just recomputed: the units known in a year are the same
    for each of its months. Only the rows whose count changed are written (a unit new to the
    year changes its own rows and those of the areas above it)."""
    column, share, expression = known
    new_count = re.sub(rf"\b{column}\b", f"y.{column}", expression)
    years = sorted({m[:4] for m in months})
    con.execute(f"""
        UPDATE {table} AS m SET {column} = y.{column}, {share} = {new_count}
        FROM (SELECT DISTINCT level, kode, period AS tahun, {column} FROM {table}
              WHERE period_type = 'tahun' AND period IN ({_listed(years)})) AS y
        WHERE m.period_type = 'bulan' AND m.period IN ({_listed(months)})
          AND m.level = y.level AND m.kode = y.kode AND left(m.period, 4) = y.tahun
          AND m.{column} IS DISTINCT FROM y.{column}""")


def _listed(values: list[str]) -> str:
    return ", ".join(store.quote(v) for v in values)


@dataclass
class Plan:
    """What a build recomputes: everything (`full`), or the models downstream of `changed`;
    `pos_months`: the months of staged measurements the child step recomputes."""

    full: bool
    changed: set[str] = field(default_factory=set)
    pos_months: list[str] = field(default_factory=list)


def plan_build(con: duckdb.DuckDBPyConnection, config: Config, build: Build | None) -> Plan:
    prints = fingerprints(config, _build_day(con))
    con.execute("CREATE TABLE IF NOT EXISTS meta_fingerprint (domain VARCHAR PRIMARY KEY, "
                "fingerprint VARCHAR NOT NULL)")
    stored = dict(con.execute("SELECT domain, fingerprint FROM meta_fingerprint").fetchall())
    if (build is None or build.full_rebuild or not _table_exists(con, "mart_prevalensi")
            or stored.get("stunting") != prints["stunting"]):
        return Plan(full=True, pos_months=_months_of(con, build))
    parts = build.staged_parts
    plan = Plan(full=False, pos_months=sorted(parts.get("stg_pengukuran", ())))
    plan.changed = {t for t in ("stg_spm", "stg_pkk", "stg_intervensi") if parts.get(t)}
    # Only the posyandu files' records feed a mart beyond their own staged rows (the quality
    # mart's rows read and rejected per area); the SPM, PKK and intervention marts read
    # load_files for the names of their staged rows' files, and rerun when those rows change.
    if "posyandu" in build.loaded_sources:
        plan.changed.add("load_files")
    if plan.pos_months:
        plan.changed |= {"stg_pengukuran", "scope_pengukuran", "scope_nama",
                         "tmp_prevalensi_lokasi", "load_file_area", *SKDN_STEP_TABLES}
        if _campaign_months(con) & set(plan.pos_months):
            plan.changed.add("stg_pengukuran_kampanye")
    if stored.get("intervensi") != prints["intervensi"]:
        plan.changed.add("campaigns")
    return plan


def build_marts(con: duckdb.DuckDBPyConnection, config: Config, build: Build | None = None
                ) -> list[str]:
    """Build the marts: inside a warehouse build only the models downstream of what its new rows
    change (every model on the first build, after a config, reference or model change, or with
    build.full_rebuild); on a bare connection whose stg_* are plain tables, every model.
    Returns the names of the models run, in order."""
    set_config_variables(con, config)
    plan = plan_build(con, config, build)
    ran = run_models(con, config, plan, build)
    record_build(con, config, plan, ran)
    return ran


def run_models(con: duckdb.DuckDBPyConnection, config: Config, plan: Plan,
               build: Build | None, whole_years: bool = False,
               skdn_chunk_rows: int | None = None) -> list[str]:
    """Run what `plan` says on `con` (a DuckDB connection, or the Spark engine's connection of
    the same shape, pipelines/spark/, with `whole_years` and larger `skdn_chunk_rows`): the
    child and SKDN steps, then the models in order."""
    models = ordered_models()
    if plan.full:
        for (table,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_catalog = current_database() AND (table_name LIKE 'state\\_%' "
                "ESCAPE '\\' OR list_contains(?, table_name))", [list(KEPT_MARTS)]).fetchall():
            con.execute(f"DROP TABLE {table}")
        for table in ("load_file_area", "load_file_months"):
            con.execute(f"DELETE FROM {table}")
        for table in STAGED_MONTH:
            record_file_areas(con, table)
        to_run = list(models)
    else:
        add_missing_file_areas(con)
        to_run = needed_models(models, plan.changed)
    ran: list[str] = []
    if plan.full or plan.pos_months:
        run_child_step(con, build, plan.pos_months, plan.full, whole_years)
        _scope_nama(con, build, plan.full)
        _scope_pengukuran(con, build, plan.pos_months)
        ran.append("stunting/anak")
        run_skdn_step(con, build, plan.pos_months, plan.full, skdn_chunk_rows)
        ran.append("skdn/anak")
    for model in to_run:
        if "stg_pengukuran_kampanye" in model.reads:
            _scope_pengukuran(con, build, sorted(_campaign_months(con)),
                              view="stg_pengukuran_kampanye")
        loaded = (period_scope(build, model.incremental)
                   if model.incremental and build is not None and not plan.full else None)
        if loaded:
            run_by_period(con, build, model, loaded, models)
        else:
            _run(con, config, model.path)
        ran.append(model.name)
    return ran


def record_build(con: duckdb.DuckDBPyConnection, config: Config, plan: Plan, ran: list[str],
                 engine: str = "duckdb") -> None:
    """The fingerprints the next build compares with, and meta_build (what this build ran, with
    which code and config, on which engine)."""
    prints = fingerprints(config, _build_day(con))
    if engine != "duckdb":
        # an engine other than DuckDB keeps no incremental state (the per-child and SKDN
        # states): the next load rebuilds every mart on DuckDB, which writes them (D37)
        prints = {domain: f"{engine}:{value}" for domain, value in prints.items()}
    con.execute("DELETE FROM meta_fingerprint")
    con.executemany("INSERT INTO meta_fingerprint VALUES (?, ?)", list(prints.items()))
    record = build_record(config)  # the code and config this build ran with (provenance)
    con.execute(
        "CREATE OR REPLACE TABLE meta_build AS SELECT ?::TIMESTAMPTZ AS built_at, ? AS version, "
        "? AS mode, ? AS months_recomputed, ? AS models_run, ? AS tumbuh_version, "
        "? AS code_sha256, ? AS git_commit, ? AS config_sha256, ? AS engine",
        [datetime.now(UTC), uuid.uuid4().hex, "full" if plan.full else "incremental",
         len(plan.pos_months), len(ran), *record.values(), engine],
    )
    con.execute("INSERT INTO meta_build_log BY NAME SELECT * FROM meta_build")

AUDIT_DOMAINS = {"stunting": "stunting", "quality": "kualitas", "spm": "spm",
                 "intervensi": "intervensi", "skdn": "skdn"}  # audit file prefix -> model domain


class AuditFailed(RuntimeError):
    """Audits failed on a build: it is not published."""

    def __init__(self, failures: dict[str, tuple[int, list[tuple]]]):
        self.failures = failures
        lines = []
        for name, (n, sample) in failures.items():
            rows = "; ".join(str(r) for r in sample)
            lines.append(f"audit {name}: {n} failing row(s), e.g. {rows}")
        super().__init__("\n".join(lines))


def _audit_files(domains: set[str] | None = None, changed: set[str] | None = None
                 ) -> list[Path]:
    """The audit files: all, those of some model domains, or (`changed`) those that read a
    table this build wrote or a staging table it added rows to."""
    paths = sorted((SQL_DIR / "audits").glob("*.sql"))
    if domains is not None:
        paths = [p for p in paths if AUDIT_DOMAINS.get(p.stem.split("_")[0]) in domains]
    if changed is not None:
        paths = [p for p in paths if audit_reads(p) & changed]
    return paths


def audit_reads(path: Path) -> set[str]:
    """The tables an audit reads (FROM/JOIN names and information_schema lookups by name)."""
    from pipelines.models import _REFERENCE, _strip_comments

    body = _strip_comments(path.read_text())
    return set(_REFERENCE.findall(body)) | set(re.findall(r"'([a-z_]+)'", body))


def _failing_audits(con: duckdb.DuckDBPyConnection, files: list[Path]
                    ) -> dict[str, tuple[int, list[tuple]]]:
    """Each audit is a query that must return zero rows: the failing ones by name, with their
    count of rows and the first three."""
    failures = {}
    for path in files:
        sql = path.read_text().rstrip().rstrip(";")
        n = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        if n:
            failures[path.stem] = (n, con.execute(f"SELECT * FROM ({sql}) LIMIT 3").fetchall())
    return failures


def run_audits(con: duckdb.DuckDBPyConnection, domains: set[str] | None = None
               ) -> dict[str, int]:
    """The data tests (of some model domains only): failing row counts by audit name."""
    return {name: n for name, (n, _) in _failing_audits(con, _audit_files(domains)).items()}


def audit_build(con: duckdb.DuckDBPyConnection, ran: list[str], build: Build | None = None
                ) -> None:
    """Run every audit that reads something this build changed (the tables its models wrote,
    the staging and raw tables it added rows to; on a full build, all of them); record each result in meta_audit
    (published with the marts: the quality page shows them); raise AuditFailed on a failure,
    which keeps the build from being published."""
    by_name = {m.name: m for m in ordered_models()}
    changed: set[str] = set()
    for name in ran:
        if name in by_name:
            changed |= by_name[name].writes
    if build is not None:
        changed |= {t for t, parts in build.staged_parts.items() if parts}
        changed |= {t.replace("stg_", "raw_") for t, parts in build.staged_parts.items() if parts}
    if "stunting/anak" in ran:
        changed |= {"stg_pengukuran", "raw_pengukuran"}
    full = con.execute("SELECT mode = 'full' FROM meta_build").fetchone()[0]
    files = _audit_files() if full else _audit_files(changed=changed)
    con.execute("CREATE TABLE IF NOT EXISTS meta_audit (audit VARCHAR PRIMARY KEY, "
                "domain VARCHAR, n_failing BIGINT, checked_at TIMESTAMP)")
    with trace.step("audits"):
        failures = _failing_audits(con, files)
    now = datetime.now(UTC).replace(tzinfo=None)  # UTC
    if files:  # a load of rejected rows only changes no mart and has no audit to run
        con.executemany("INSERT OR REPLACE INTO meta_audit VALUES (?, ?, ?, ?)", [
            (p.stem, AUDIT_DOMAINS.get(p.stem.split("_")[0]), failures.get(p.stem, (0,))[0], now)
            for p in files])
    if failures:
        raise AuditFailed(failures)
