"""One config file (TOML) for what an operator changes; see config/tumbuh.toml."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.readers.limits import Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "tumbuh.toml"
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
SQL_DIR = Path(__file__).resolve().parent / "sql"


@dataclass(frozen=True)
class Config:
    raw: dict[str, Any] = field(default_factory=dict)
    base_dir: Path = PROJECT_ROOT

    def section(self, name: str) -> dict[str, Any]:
        return self.raw.get(name, {})

    def path(self, key: str) -> Path | None:
        value = self.section("paths").get(key)
        if not value:
            return None
        p = Path(value)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def warehouse(self) -> Path:
        return self.path("warehouse") or (self.base_dir / "data" / "warehouse.duckdb")

    @property
    def min_cell(self) -> int:
        return int(self.section("prevalence").get("min_cell", 10))

    @property
    def build_memory_limit(self) -> str | None:
        return self.section("warehouse").get("memory_limit")

    @property
    def auth_configured(self) -> bool:
        """Whether `[auth]` names an OpenID Connect provider: at least `client_id` and
        `server_metadata_url` (the other keys are `client_secret`, `redirect_uri` and
        `cookie_secret`). Sign-in itself is not implemented yet."""
        auth = self.section("auth")
        return bool(auth.get("client_id") and auth.get("server_metadata_url"))

    def hash_key(self, warehouse: Path | None = None) -> bytes:
        """The secret for the keyed hashes (HMAC-SHA256) of NIK and child keys, checked for
        strength and kept away from the warehouse's folder (pipelines/keys.py)."""
        from pipelines.keys import load_key

        return load_key(self.section("privacy"), self.base_dir, warehouse or self.warehouse)

    @property
    def limits(self) -> Limits:
        """What one export file may make the reader do ([limits]; pipelines/readers/limits.py)."""
        from pipelines.readers.limits import Limits

        return Limits.from_config(self.section("limits"))


def load_config(path: str | os.PathLike | None = None) -> Config:
    path = Path(path or os.environ.get("TUMBUH_CONFIG") or DEFAULT_CONFIG)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    # Relative paths in the default config are relative to the project root; in a user's own
    # config file, relative to that file.
    base = PROJECT_ROOT if path.resolve() == DEFAULT_CONFIG.resolve() else path.resolve().parent
    return Config(raw=raw, base_dir=base)


@lru_cache(maxsize=1)
def default_config() -> Config:
    return load_config()
