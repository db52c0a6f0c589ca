"""One config file (TOML) for what an operator changes: config/tumbuh.toml, or the file named by
TUMBUH_CONFIG. The dataclasses below are its schema: each section's keys, their types and their
defaults are written here once, and a key the file leaves out takes its default.

Reading the file only reads it (no key file is created, no folder made: D31). An unknown section
or key, or a value of the wrong type or out of range, is a ConfigError whose message names the
file, the `section.key` and what was expected:

    tumbuh.toml: prevalence.min_cell: expected a whole number of at least 1, got '10' (a string)

`[[users]]` entries (sign-in: who may see what) are numbered from 1 in messages: `users[2].role`.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "tumbuh.toml"
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
SQL_DIR = Path(__file__).resolve().parent / "sql"


class ConfigError(ValueError):
    """The config cannot be used as written. str(): `<file>: <section.key>: <what was expected>`."""

    def __init__(self, source: str, where: str, problem: str):
        super().__init__(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")
        self.source, self.where, self.problem = source, where, problem


# --- the sections ------------------------------------------------------------------------------
# Field metadata: "min"/"max" bound a number (or each number of a list), "above"/"below" bound
# it strictly, "pattern" is a regular expression a string must match in full, with
# "pattern_text" saying what it means; "secret" keeps the value out of messages (and repr=False
# out of the dataclass's repr).

@dataclass(frozen=True)
class Paths:
    """[paths]: relative paths are relative to the project root for the shipped config file and
    to the config file's folder for any other."""

    warehouse: str = field(default="data/warehouse.duckdb", metadata={
        "pattern": r".*\S.*", "pattern_text": "a path (not empty)"})
    # Boundary files keyed by Kemendagri code. Not set: the committed files of geo/data/ (geo/
    # boundaries.py BUNDLED); "": no boundaries (points at each seat).
    boundaries_kabkota: str | None = None
    boundaries_kecamatan: str | None = None
    # The campaign file; not set or "": config/campaigns.toml of the project (pipelines/campaigns.py).
    campaigns: str | None = None


@dataclass(frozen=True)
class Privacy:
    """[privacy]: where the hash key comes from (pipelines/keys.py)."""

    hash_key_env: str = "TUMBUH_HASH_KEY"
    # Not set: ~/.config/tumbuh/hash_key (or $XDG_CONFIG_HOME/tumbuh/hash_key).
    key_file: str | None = None


@dataclass(frozen=True)
class Prevalence:
    """[prevalence]: the stunting marts' definitions (docs/marts_stunting.md)."""

    provincial_average: Literal["pooled", "mean_kabkota"] = "pooled"
    min_cell: int = field(default=10, metadata={"min": 1})
    bulan_timbang: tuple[int, ...] = field(default=(2, 8), metadata={"min": 1, "max": 12})


@dataclass(frozen=True)
class Hotspot:
    """[hotspot]: the spatial statistics of the hotspot marts (pipelines/hotspot.py, D29). A
    period's result depends on these and its values only, so a change rebuilds every period."""

    permutations: int = field(default=999, metadata={"min": 99})  # for the pseudo p-values
    seed: int = field(default=12345, metadata={"min": 0, "max": 2**32 - 1})  # NumPy's range
    alpha: float = field(default=0.05, metadata={"above": 0, "below": 1})  # the FDR of a cluster
    # Fewer kecamatan with a value in a period: not analysed (4: the least a LISA means anything).
    min_units: int = field(default=10, metadata={"min": 4})
    knn: int = field(default=1, metadata={"min": 1})  # links of a kecamatan without a neighbour


@dataclass(frozen=True)
class TargetList:
    """[target_list]: the reference "above the provincial average" is judged against."""

    reference: Literal["ssgi_2024", "admin"] = "ssgi_2024"
    ssgi_2024_provincial: float = field(default=14.7, metadata={"min": 0, "max": 100})


@dataclass(frozen=True)
class WarehouseSettings:
    """[warehouse]: DuckDB's memory while a build loads and rebuilds the marts (D11); past it
    DuckDB spills to a folder beside the build. The default is what a full-province load needs
    with the bulk data outside the catalog (measured in the benchmark, D18, D24); the shipped
    config/tumbuh.toml says the same."""

    memory_limit: str = field(default="2GB", metadata={
        "pattern": r"\s*\d+(\.\d+)?\s*([KMGT]i?B|B|bytes|%)\s*",
        "pattern_text": 'a size such as "1GB", "512MB" or "8GiB", or a share of RAM ("50%")'})


@dataclass(frozen=True)
class SparkSettings:
    """[spark]: the Spark session `tumbuh rebuild --engine spark` builds the marts on (D37):
    its master (`local[*]`, every core of this machine; a cluster URL such as
    `spark://host:7077` in production), the driver's memory, and the staged measurements one
    pass of the SKDN step takes (pipelines/skdn.py; a cluster takes more)."""

    master: str = "local[*]"
    driver_memory: str = field(default="2g", metadata={
        "pattern": r"\d+[kmgt]?",
        "pattern_text": 'a JVM size such as "2g" or "512m"'})
    skdn_pass_rows: int = field(default=12_000_000, metadata={"min": 1})


@dataclass(frozen=True)
class ConsoleLimits:
    """[console]: the SQL console of the Eksplorasi page (dashboard/sql_console.py, D21)."""

    timeout_s: float = field(default=10.0, metadata={"min": 0.001})
    max_rows: int = field(default=5000, metadata={"min": 1})
    max_result_mb: float = field(default=20.0, metadata={"min": 0.001})
    memory_limit_mb: int = field(default=256, metadata={"min": 1})
    process_memory_mb: int = field(default=640, metadata={"min": 1})
    max_concurrent: int = field(default=2, metadata={"min": 1})


@dataclass(frozen=True)
class FileLimits:
    """[limits]: ceilings on one export file; a file over one is refused, fatal for that file
    only (pipelines/readers/limits.py `Limits` adds the checks)."""

    # Rows after the header: a CSV's lines, a sheet's or an HTML table's rows. The largest real
    # export (a whole province's month, ~2.5M children) fits; an XLSX sheet stops at 1,048,576.
    max_rows: int = field(default=3_000_000, metadata={"min": 1})
    # Header cells up to the last one with text (e-PPGBM exports have ~40, PKK recaps ~45).
    max_columns: int = field(default=500, metadata={"min": 1})
    # XLSX: the workbook's parts once inflated (a 160,000-row sheet is ~320 MB of XML) and the
    # inflation ratio of any part over 1 MiB (Apache POI's guard uses the same 100).
    xlsx_max_uncompressed_mb: int = field(default=600, metadata={"min": 1})
    xlsx_max_ratio: int = field(default=100, metadata={"min": 1})


@dataclass(frozen=True)
class Uploads:
    """[uploads]: the dashboard's "Unggah data" page (dashboard/uploads.py, D27)."""

    # A bigger file is refused before it is read; also Streamlit's server.maxUploadSize.
    max_file_mb: int = field(default=200, metadata={"min": 1})
    # The private folder of the uploads and their log. Not set or "": beside the warehouse
    # (data/warehouse.duckdb -> data/warehouse.uploads/).
    folder: str | None = None


@dataclass(frozen=True)
class Auth:
    """[auth]: sign-in with an OpenID Connect provider (dashboard/auth.py, D25). Any key set
    turns sign-in on (`Config.auth` is None without the section); whether the settings are
    complete, and the secrets from the environment, are checked by `tumbuh serve`
    (dashboard.auth.oidc_settings)."""

    server_metadata_url: str = ""
    client_id: str = ""
    redirect_uri: str = ""  # the dashboard's address + /oauth2callback; "{port}" is replaced
    # Secrets: from the environment variable *_env names where it is set, else from the file.
    client_secret: str = field(default="", repr=False, metadata={"secret": True})
    client_secret_env: str = "TUMBUH_OIDC_CLIENT_SECRET"
    cookie_secret: str = field(default="", repr=False, metadata={"secret": True})
    cookie_secret_env: str = "TUMBUH_OIDC_COOKIE_SECRET"
    # [auth.client_kwargs]: extra parameters for the provider's login (Google: hd = "...").
    client_kwargs: dict[str, str | int | float | bool] = field(default_factory=dict)


Role = Literal["provinsi", "kabupaten", "analis", "operator"]
ROLES: tuple[str, ...] = typing.get_args(Role)
PROVINCE = "35"  # Jawa Timur's Kemendagri code


@lru_cache(maxsize=1)
def kabkota_codes() -> frozenset[str]:
    """The 38 kab/kota codes of the reference list (pipelines/reference/jatim_kabkota.csv)."""
    with open(REFERENCE_DIR / "jatim_kabkota.csv", newline="", encoding="utf-8") as fh:
        return frozenset(row["kode"] for row in csv.DictReader(fh))


@dataclass(frozen=True)
class User:
    """One [[users]] entry: who may sign in, in which role, for which area (dashboard/auth.py
    turns it into a Principal). wilayah: "35" the province (the default for provinsi), or one of
    the 38 kab/kota codes ("35.07"); a provinsi user has "35", a kabupaten user a kab/kota.
    name: shown when the identity provider gives none."""

    email: str = field(metadata={"pattern": r"[^@\s]+@[^@\s]+", "pattern_text":
                                 "an e-mail address"})
    role: Role
    wilayah: str = ""
    name: str = ""

    @staticmethod
    def check_values(values: dict[str, Any]) -> tuple[str, str] | None:
        """The rules across keys (fills in the provinsi default); (key, problem) or None."""
        role, wilayah = values["role"], values.get("wilayah", "")
        if not wilayah and role == "provinsi":
            values["wilayah"] = PROVINCE
            return None
        if not wilayah:
            return ("wilayah", f'missing; the {role} role needs one: a kab/kota code such as '
                    f'"35.07"' + (f' or "{PROVINCE}" (the province)' if role != "kabupaten" else ""))
        if wilayah != PROVINCE and wilayah not in kabkota_codes():
            return ("wilayah", f'expected "{PROVINCE}" (the province) or one of the 38 kab/kota '
                    f'codes such as "35.07", ' + _got(wilayah))
        if role == "provinsi" and wilayah != PROVINCE:
            return ("wilayah", f'a provinsi user has wilayah "{PROVINCE}", ' + _got(wilayah))
        if role == "kabupaten" and wilayah == PROVINCE:
            return ("wilayah", 'a kabupaten user has a kab/kota code such as "35.07", '
                    + _got(wilayah))
        return None


# TOML section name -> its dataclass; `users` is the array of tables.
SECTIONS: dict[str, type] = {
    "paths": Paths,
    "privacy": Privacy,
    "prevalence": Prevalence,
    "hotspot": Hotspot,
    "target_list": TargetList,
    "warehouse": WarehouseSettings,
    "spark": SparkSettings,
    "console": ConsoleLimits,
    "limits": FileLimits,
    "uploads": Uploads,
    "auth": Auth,
}


@dataclass(frozen=True)
class Config:
    """The validated config: one attribute per section (`config.prevalence.min_cell`), `users`,
    and the folder relative paths are resolved against. Build one with `load_config`,
    `Config.from_dict` (tests) or `config.replace(section={...})`; `Config()` is every default."""

    paths: Paths = Paths()
    privacy: Privacy = Privacy()
    prevalence: Prevalence = Prevalence()
    hotspot: Hotspot = Hotspot()
    target_list: TargetList = TargetList()
    warehouse: WarehouseSettings = WarehouseSettings()
    spark: SparkSettings = SparkSettings()
    console: ConsoleLimits = ConsoleLimits()
    limits: FileLimits = FileLimits()
    uploads: Uploads = Uploads()
    auth: Auth | None = None  # None: no [auth] (or an empty one), sign-in off
    users: tuple[User, ...] = ()
    base_dir: Path = PROJECT_ROOT
    source: str = "<defaults>"  # the file it was read from, for messages

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base_dir: Path = PROJECT_ROOT,
                  source: str = "<config>") -> Config:
        """A Config from parsed TOML (or a dict shaped like it), checked against the schema."""
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name == "users":
                values["users"] = _users(value, source)
            elif name == "auth" and value == {}:
                continue  # an empty [auth] is no [auth]
            elif name in SECTIONS:
                values[name] = _section(SECTIONS[name], value, source, name)
            else:
                raise _unknown_section(source, name, value)
        return cls(**values, base_dir=Path(base_dir), source=source)

    def replace(self, **sections: Mapping[str, Any] | list) -> Config:
        """A copy with some keys changed, checked like the file: `replace(prevalence={"min_cell":
        1})` keeps prevalence's other keys; `users=[...]` replaces the list."""
        values: dict[str, Any] = {}
        for name, value in sections.items():
            if name == "users":
                values["users"] = _users(value, self.source)
            elif name in SECTIONS:
                section = getattr(self, name) or SECTIONS[name]()  # no [auth] yet: its defaults
                current = {k: v for k, v in dataclasses.asdict(section).items() if v is not None}
                values[name] = _section(SECTIONS[name], {**current, **value}, self.source, name)
            else:
                raise _unknown_section(self.source, name, value)
        return dataclasses.replace(self, **values)

    def resolve(self, value: str | None) -> Path | None:
        """A configured path: None when not set or ""; a relative one against `base_dir`."""
        if not value:
            return None
        p = Path(value)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def path(self, key: str) -> Path | None:
        """`[paths] key` resolved (None when not set or "")."""
        return self.resolve(getattr(self.paths, key))

    @property
    def warehouse_path(self) -> Path:
        """The published warehouse (`[paths] warehouse`)."""
        path = self.path("warehouse")
        assert path is not None  # the schema refuses an empty path
        return path

    def hash_key(self, warehouse: Path | None = None) -> bytes:
        """The secret for the keyed hashes of NIK and child keys, checked for strength and kept
        away from the warehouse's folder. Only reads: a missing key file is an error
        (pipelines/keys.py; the first load creates it, D31)."""
        from pipelines.keys import load_key

        return load_key(self.privacy, self.base_dir, warehouse or self.warehouse_path)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and check a config file: `path`, else $TUMBUH_CONFIG, else config/tumbuh.toml."""
    from_env = path is None and bool(os.environ.get("TUMBUH_CONFIG"))
    path = Path(path or os.environ.get("TUMBUH_CONFIG") or DEFAULT_CONFIG)
    source = str(path) + (" ($TUMBUH_CONFIG)" if from_env else "")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(source, "", "no such config file") from None
    except OSError as exc:
        raise ConfigError(source, "", f"cannot read the config file ({exc.strerror or exc})"
                          ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"not valid TOML ({exc})") from None
    # Relative paths in the shipped config are relative to the project root; in a user's own
    # config file, relative to that file.
    base = PROJECT_ROOT if path.resolve() == DEFAULT_CONFIG.resolve() else path.resolve().parent
    return Config.from_dict(data, base_dir=base, source=str(path))


@lru_cache(maxsize=1)
def default_config() -> Config:
    return load_config()


# --- checking ----------------------------------------------------------------------------------

def _one_of(names: list[str], given: str) -> str:
    close = difflib.get_close_matches(given, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return "one of " + ", ".join(sorted(names)) + hint


def _unknown_section(source: str, name: str, value: Any) -> ConfigError:
    if isinstance(value, Mapping | list):
        return ConfigError(source, name, "unknown section; expected "
                           + _one_of([*SECTIONS, "users"], name))
    owners = [s for s, cls in SECTIONS.items() if name in {f.name for f in fields(cls)}]
    hint = f" (did you mean {name} under [{owners[0]}]?)" if owners else ""
    return ConfigError(source, name, "a key outside any section; every key belongs under a "
                       f"[section]: {', '.join(sorted(SECTIONS))}{hint}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"  # TOML dates and times


def _got(value: Any, secret: bool = False) -> str:
    if secret:
        return f"got {_kind(value)} (not shown: a secret)"
    if isinstance(value, bool):
        shown = "true" if value else "false"
    else:
        shown = repr(value) if not isinstance(value, Mapping) else "{...}"
    return f"got {shown[:60]} ({_kind(value)})"


def _section(cls: type, table: Any, source: str, name: str) -> Any:
    if not isinstance(table, Mapping):
        raise ConfigError(source, name, f"expected a table ([{name}] with key = value lines), "
                          + _got(table))
    known = {f.name: f for f in fields(cls)}
    for key in table:
        if key not in known:
            raise ConfigError(source, f"{name}.{key}", "unknown key; expected "
                              + _one_of(list(known), key))
    hints = typing.get_type_hints(cls)
    values = {}
    for f in known.values():
        where = f"{name}.{f.name}"
        if f.name in table:
            values[f.name] = _value(table[f.name], hints[f.name], f.metadata, source, where)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(source, where, "missing; this key is required")
    check = getattr(cls, "check_values", None)
    problem = check(values) if check else None
    if problem:
        raise ConfigError(source, f"{name}.{problem[0]}", problem[1])
    return cls(**values)


def _users(value: Any, source: str) -> tuple[User, ...]:
    if isinstance(value, Mapping) or not isinstance(value, list | tuple):
        raise ConfigError(source, "users", "expected an array of tables ([[users]] entries with "
                          "email, role and wilayah), " + _got(value))
    for i, entry in enumerate(value, start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(source, f"users[{i}]", "expected a table (a [[users]] entry with "
                              "email, role and wilayah), " + _got(entry))
    users = tuple(_section(User, entry, source, f"users[{i}]")
                  for i, entry in enumerate(value, start=1))
    seen: dict[str, int] = {}
    for i, user in enumerate(users, start=1):
        first = seen.setdefault(user.email.lower(), i)
        if first != i:
            raise ConfigError(source, f"users[{i}].email",
                              f"{user.email!r} is listed twice (also users[{first}])")
    return users


def _value(value: Any, hint: Any, meta: Mapping[str, Any], source: str, where: str) -> Any:
    """`value` as the type `hint` says, or a ConfigError naming `where` and what was expected."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):  # `str | None`: TOML has no None
        (hint,) = [a for a in args if a is not type(None)]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        if value not in args:
            raise ConfigError(source, where, "expected one of "
                              + ", ".join(repr(a) for a in args) + ", " + _got(value))
        return value
    if origin is dict:  # a table of scalars: [auth.client_kwargs]
        if not isinstance(value, Mapping) or any(
                isinstance(v, Mapping | list) for v in value.values()):
            raise ConfigError(source, where, "expected a table of strings, numbers or true/false "
                              f"([{where}] with key = value lines), " + _got(value))
        return dict(value)
    if origin is tuple:  # tuple[int, ...]: a TOML array
        what = f"a list, each {_expected(args[0], meta)}"
        if not isinstance(value, list | tuple):
            raise ConfigError(source, where, f"expected {what}, " + _got(value))
        items = []
        for item in value:
            try:
                items.append(_value(item, args[0], meta, source, where))
            except ConfigError:
                raise ConfigError(source, where, f"expected {what}; {_got(item)} in {value!r}"
                                  ) from None
        return tuple(items)
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    if not ok or not _within(value, meta):
        raise ConfigError(source, where, f"expected {_expected(hint, meta)}, "
                          + _got(value, meta.get("secret", False)))
    return float(value) if hint is float else value


def _within(value: Any, meta: Mapping[str, Any]) -> bool:
    if "min" in meta and value < meta["min"]:
        return False
    if "max" in meta and value > meta["max"]:
        return False
    if "above" in meta and value <= meta["above"]:
        return False
    if "below" in meta and value >= meta["below"]:
        return False
    return not ("pattern" in meta and not re.fullmatch(meta["pattern"], value, re.IGNORECASE))


def _expected(hint: Any, meta: Mapping[str, Any]) -> str:
    if "pattern_text" in meta:
        return meta["pattern_text"]
    what = {bool: "true or false", int: "a whole number", float: "a number",
            str: "a string"}.get(hint, getattr(hint, "__name__", str(hint)))
    if "min" in meta and "max" in meta:
        return f"{what} from {_number(meta['min'])} to {_number(meta['max'])}"
    if "min" in meta:
        return f"{what} of at least {_number(meta['min'])}"
    if "above" in meta and "below" in meta:
        return f"{what} above {_number(meta['above'])} and below {_number(meta['below'])}"
    return what


def _number(bound: float) -> str:
    # whole numbers in full (a seed's 4294967295, not 4.29497e+09)
    return str(bound) if isinstance(bound, int) else f"{bound:g}"
