"""Row scoping by wilayah (docs/decisions.md D26): which rows of each warehouse table a kab/kota-
scoped user may read, applied as TEMP views on the connection that runs the query.

A scope is None (the whole province) or a kab/kota code such as "35.07" (`Principal.kabkota`:
kabupaten; analis and operator with a kab/kota as wilayah). For a scoped connection,
`apply_scope` creates, for every table of the warehouse's main schema that holds rows below kab/kota
level, a TEMP view of the same name:

    CREATE TEMP VIEW mart_prevalensi AS
        SELECT * FROM "warehouse".main.mart_prevalensi WHERE <rule>

DuckDB resolves an unqualified name (and `main.<name>`) to the temp view first, so every query of
the query layer and every SQL console statement reads the filtered rows without naming the
scope; only a catalog-qualified name (`warehouse.main.x`) reaches the table itself, which the
query layer never writes and the console refuses.

The rule keeps the province's and every kab/kota's own rows (peer comparison needs the others at
kab/kota level) and, below kab/kota level (kecamatan, desa, posyandu, a single report row), only
the rows of the scope's kab/kota. `RULES` names the rule of every known table (the table in
docs/dashboard.md "Scope by wilayah" lists them); a table it does not know is judged by its
columns, and one whose columns do not say where its rows are is hidden from scoped users
(fail closed) until it gets a rule.

This module imports only duckdb (the SQL console's worker process uses it too).
"""

from __future__ import annotations

import re

import duckdb

KABKOTA_CODE = re.compile(r"35\.\d\d")
UPPER_LEVELS = ("provinsi", "kabkota")
SUB_KABKOTA_COLUMNS = ("kode_kecamatan", "kode_desa", "posyandu_key")


def check_scope(scope: str | None) -> str | None:
    """The scope itself; ValueError for anything but None or a kab/kota code "35.NN" (the code
    is written into view SQL, so nothing else may pass)."""
    if scope is not None and not KABKOTA_CODE.fullmatch(scope):
        raise ValueError(f"not a kab/kota scope: {scope!r}")
    return scope


def _in_kab(expr: str, kab: str) -> str:
    """`expr` (a kode: "35.07", "35.07.01", "35.07.01.2001|MAWAR 1") lies in kab/kota `kab`."""
    return f"({expr} = '{kab}' OR starts_with({expr}, '{kab}.'))"


def _level(kab: str, columns: set[str]) -> str:
    """Tables with a `level` column: provinsi and kab/kota rows stay; lower levels only inside
    the kab/kota (kode_kabkota where the table has it, else the kode's prefix)."""
    owner = "coalesce(kode_kabkota, kode)" if "kode_kabkota" in columns else "kode"
    return f"level IN {UPPER_LEVELS!r} OR {_in_kab(owner, kab)}"


def _sub_kabkota(kab: str, columns: set[str]) -> str:
    """Report rows that may name a kecamatan, desa or posyandu: rows naming none of them are
    kab/kota (or province) rows and stay; the others only inside the kab/kota."""
    present = [c for c in SUB_KABKOTA_COLUMNS if c in columns]
    none = " AND ".join(f"{c} IS NULL" for c in present)
    finest = f"coalesce({', '.join(present)})"
    owner = f"coalesce(kode_kabkota, {finest})" if "kode_kabkota" in columns else finest
    return f"({none}) OR {_in_kab(owner, kab)}"


def _rule_sql(name: str, kab: str, columns: set[str], catalog: str) -> str | None:
    """The WHERE condition of table `name` for scope `kab`; None: every row."""
    rule = RULES.get(name)
    if rule is None:
        rule = _rule_by_columns(columns)
    if rule == "all":
        return None
    if rule == "level":
        return _level(kab, columns)
    if rule == "sub_kabkota":
        return _sub_kabkota(kab, columns)
    if rule == "kode":  # province and kab/kota codes stay, lower ones only inside
        return f"length(kode) <= 5 OR {_in_kab('kode', kab)}"
    if rule == "ref_wilayah":
        return f"tingkat IN ('provinsi', 'kabkota') OR {_in_kab('kode', kab)}"
    if rule == "lokasi":
        return _in_kab("lokasi", kab)
    if rule == "posyandu_key":
        return _in_kab("posyandu_key", kab)
    if rule == "file_area":  # load manifest: the files whose kab/kota (load_file_area) is kab
        return (f"file_sha256 IN (SELECT file_sha256 FROM \"{catalog}\".main.load_file_area "
                f"WHERE kode_kabkota = '{kab}')")
    if rule == "kabkota_only":
        return f"kode_kabkota = '{kab}'"
    return "false"  # "hidden"


def _rule_by_columns(columns: set[str]) -> str:
    """A table `RULES` does not name: judged by its columns, hidden when they do not say."""
    if "level" in columns and ("kode" in columns or "kode_kabkota" in columns):
        return "level"
    if columns & set(SUB_KABKOTA_COLUMNS):
        return "sub_kabkota"
    if columns & {"kode", "lokasi", "kode_induk", "tingkat", "file_sha256", "kode_wilayah"}:
        return "hidden"
    return "all"


# Every table of the published warehouse and its rule (docs/dashboard.md, "Scope by wilayah").
RULES: dict[str, str] = {
    # level + kode + kode_kabkota: provinsi and kabkota rows stay, lower levels inside the kab/kota
    "mart_prevalensi": "level",
    "mart_cakupan_pengukuran": "level",
    "mart_prevalensi_kabkota": "level",
    "mart_kualitas_data": "level",
    "mart_pkk": "level",
    "mart_spm_coverage": "level",
    "mart_spm_field": "level",
    "mart_stunting_spm_pkk": "level",
    "state_prevalensi_agregat": "level",
    # rows that may name a kecamatan / desa / posyandu
    "mart_spm_completeness": "sub_kabkota",
    "mart_spm_pkk_flags": "sub_kabkota",
    "mart_intervensi_unmatched": "sub_kabkota",
    # kode only: the province ("35") and kab/kota ("35.NN") rows of every kab/kota
    "mart_intervensi_outcome": "kode",
    # kecamatan rows: its own only; border_kabkota names the kab/kota its clusters reach into
    "mart_hotspot": "kode",
    "state_hotspot_input": "kode",
    # the Kemendagri code list: every kab/kota, the kecamatan and desa of its own
    "ref_wilayah": "ref_wilayah",
    # per posyandu state of the incremental build
    "state_kualitas_lokasi": "lokasi",
    "state_posyandu_nama": "posyandu_key",
    # the load manifest: files of its own kab/kota (load_file_area, the kab/kota most of a
    # file's staged rows belong to); a file with no staged row has no area and is hidden
    "load_files": "file_area",
    "load_rejects": "file_area",
    "load_file_area": "kabkota_only",
    "load_file_months": "kabkota_only",
    "meta_build_log": "all",  # when each build ran and with which code and config  # provenance: the files behind its own kab/kota
    # kab/kota level only (kode_kabkota, no lower code), or no wilayah at all
    "mart_intervensi_gaps": "all",
    "mart_moran": "all",  # one province-wide statistic per period
    "mart_intervensi_progress": "all",
    "mart_survey_vs_admin": "all",
    "mart_target_list": "all",
    "mart_kualitas_ambang": "all",
    "mart_pkk_indikator": "all",  # kode = indicator code
    "ref_campaign": "all",
    "ref_campaign_day": "all",
    "ref_campaign_kabkota": "all",
    "ref_campaign_target": "all",
    "ref_intervensi_activity": "all",
    "ref_kabkota": "all",
    "ref_pkk_indikator": "all",  # kode = indicator code
    "ref_spm_indikator": "all",  # kode = indicator code
    "meta_audit": "all",
    "meta_build": "all",
    "meta_fingerprint": "all",
    "meta_key": "all",
    "store_files": "all",
}


def scope_views(con: duckdb.DuckDBPyConnection, scope: str | None) -> list[str]:
    """The CREATE TEMP VIEW statements that scope `con` (whose current database is the
    warehouse) to `scope`; none for the province."""
    kab = check_scope(scope)
    if kab is None:
        return []
    catalog = con.execute("SELECT current_database()").fetchone()[0]
    rows = con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' GROUP BY table_name "
        "ORDER BY table_name").fetchall()
    statements = []
    for name, columns in rows:
        where = _rule_sql(name, kab, {c.lower() for c in columns}, catalog)
        if where is not None:
            statements.append(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM '
                              f'"{catalog}".main."{name}" WHERE {where}')
    return statements


def apply_scope(con: duckdb.DuckDBPyConnection, scope: str | None) -> None:
    """Scope `con` to `scope` (see the module docstring); nothing for the province."""
    for statement in scope_views(con, scope):
        con.execute(statement)
