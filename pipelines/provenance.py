"""What a build ran with (issue 17.3): the code version and a hash of the config, recorded in
meta_build and appended to meta_build_log by every build, so a number can be traced to the code
and settings that made it as well as to its files (load_file_months)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pipelines.config import PROJECT_ROOT, Config

# the code whose change can change a number: the pipelines package (models, SQL, reference
# files, readers, WHO tables)
CODE_DIR = Path(__file__).resolve().parent
CODE_SUFFIXES = (".py", ".sql", ".csv", ".toml")


@lru_cache(maxsize=1)
def code_sha256() -> str:
    """SHA-256 over the pipelines package's files (path and bytes, in path order)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in CODE_DIR.rglob("*") if p.suffix in CODE_SUFFIXES
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(CODE_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The checked-out commit when the project runs from a git clone (read from .git, without
    running git), else None."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[5:]
        loose = git / ref
        if loose.is_file():
            return loose.read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        return None
    return None


def package_version() -> str:
    try:
        return metadata.version("tumbuh")
    except metadata.PackageNotFoundError:
        return "unknown"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def config_sha256(config: Any) -> str:
    """SHA-256 of the config's settings as canonical JSON: for a Config every section as in
    effect (a key left out counts as its default) and the users, paths as written; secrets
    included only through the hash."""
    plain = _plain(config)
    if isinstance(config, Config):  # where the file lies is no setting
        plain = {k: v for k, v in plain.items() if k not in ("base_dir", "source")}
    text = json.dumps(plain, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def build_record(config: Any) -> dict[str, str | None]:
    return {"tumbuh_version": package_version(), "code_sha256": code_sha256(),
            "git_commit": git_commit(), "config_sha256": config_sha256(config)}
