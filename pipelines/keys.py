"""The secret key behind child keys: where it comes from, what makes it acceptable, and the
fingerprint that ties a warehouse to it.

A child key is HMAC-SHA256(key, "nik|<16 digits>") or HMAC-SHA256(key, "name|<NAME>|<birth
date>|<sex>|<desa code>"), hex (the staging SQL, 00_macros.sql `child_hmac`). A NIK has about
10,000 possible values once the birth date and desa are known, so whoever holds the key recovers
it in milliseconds: the key is the only protection, hence the rules below.

- The key is given as text: 64 or more hex digits, or base64/base64url of 32 or more bytes
  (`python -c "import secrets; print(secrets.token_hex(32))"`). It must decode to at least 32
  bytes with at least 16 different byte values (a repeated pattern or a word is refused).
- It comes from TUMBUH_HASH_KEY (the config's [privacy] hash_key_env), else from the key file
  ([privacy] key_file, default ~/.config/tumbuh/hash_key, or $XDG_CONFIG_HOME/tumbuh/hash_key).
  A key file in the warehouse's folder, or below it, is refused: it would travel with every copy
  and backup.
- Reading the key never creates it (D31). A key file is created, with a random key, mode 0600 in
  a 0700 folder, only on purpose: by `tumbuh key --create`, or by the first load into a warehouse
  that has no key yet (`key_for_load`). A missing key for a warehouse that already has one is an
  error: a new key would not match its child keys.
- The warehouse stores an HMAC of a fixed label under the key (meta_key); a load under another
  key is refused, since its child keys would not match the stored ones (a child measured in two
  months would count as two). To change the key, rebuild from the export files (README).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from pipelines.config import Privacy

MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 16
SCHEME = "hmac-sha256-v1"
_FINGERPRINT_LABEL = b"tumbuh hash key fingerprint v1"
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
HOW_TO_MAKE = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


class HashKeyError(RuntimeError):
    """The key is missing, weak, kept in the wrong place, or not the warehouse's."""


class KeyMismatch(HashKeyError):
    """The warehouse was built under another key."""


def parse_key(text: str, origin: str) -> bytes:
    """The key bytes of `text` (hex or base64); HashKeyError if it is too weak. `origin` names
    where it came from, for the message (never the key itself)."""
    text = text.strip()
    key: bytes | None = None
    if _HEX.fullmatch(text) and len(text) % 2 == 0:
        key = bytes.fromhex(text)
    elif _BASE64.fullmatch(text):
        plain = text.rstrip("=").replace("-", "+").replace("_", "/")
        try:
            key = base64.b64decode(plain + "=" * (-len(plain) % 4), validate=True)
        except (binascii.Error, ValueError):
            key = None
    if key is None:
        raise HashKeyError(f"the hash key from {origin} is not 64 or more hex digits or base64 "
                           f"of 32 or more bytes; make one with {HOW_TO_MAKE}")
    if len(key) < MIN_KEY_BYTES:
        raise HashKeyError(
            f"the hash key from {origin} holds {len(key)} bytes; at least {MIN_KEY_BYTES} random "
            f"bytes are needed (64 hex digits), e.g. {HOW_TO_MAKE}")
    if len(set(key)) < MIN_DISTINCT_BYTES:
        raise HashKeyError(
            f"the hash key from {origin} repeats a short pattern ({len(set(key))} different byte "
            f"values); use a random one, e.g. {HOW_TO_MAKE}")
    return key


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tumbuh" / "hash_key"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class KeySource:
    """Where the key for a warehouse comes from: the environment variable when it is set, else
    the key file (which may not exist yet)."""

    env_name: str
    from_env: bool
    file: Path

    def describe(self) -> str:
        return f"${self.env_name}" if self.from_env else str(self.file)


class MissingKey(HashKeyError):
    """Neither the environment variable nor the key file holds a key."""

    def __init__(self, source: KeySource):
        super().__init__(
            f"no hash key: ${source.env_name} is not set and the key file {source.file} does "
            f"not exist. Set ${source.env_name}, or create the key file with `tumbuh key "
            f"--create` (the first load into a new warehouse creates it too)")
        self.source = source


def key_source(privacy: Privacy, base_dir: Path, warehouse: Path) -> KeySource:
    """Where the key for loads into `warehouse` comes from; HashKeyError when the key file
    would be in the warehouse's folder. Reads nothing but the environment."""
    env_name = privacy.hash_key_env
    key_file = Path(privacy.key_file) if privacy.key_file else default_key_file()
    if not key_file.is_absolute():
        key_file = base_dir / key_file
    source = KeySource(env_name, bool(os.environ.get(env_name)), key_file)
    if not source.from_env and _inside(key_file, warehouse.parent):
        raise HashKeyError(
            f"the hash key file {key_file} is in the warehouse's folder {warehouse.parent}, so "
            "every copy or backup of the warehouse carries the key that unlocks its child keys. "
            f"Move it elsewhere (default {default_key_file()}) and set [privacy] key_file, or "
            f"set ${env_name}")
    return source


def load_key(privacy: Privacy, base_dir: Path, warehouse: Path) -> bytes:
    """The key for loads into `warehouse` (see the module docstring for where it comes from).
    Only reads: MissingKey when there is none."""
    source = key_source(privacy, base_dir, warehouse)
    if source.from_env:
        return parse_key(os.environ[source.env_name], source.describe())
    if not source.file.exists():
        raise MissingKey(source)
    return parse_key(source.file.read_text(), str(source.file))


def has_key(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a catalog's child keys were made under some key: it stores a fingerprint, or
    it has loaded files (a warehouse of before fingerprints)."""
    return bool(con.execute("SELECT count(*) FROM meta_key").fetchall()[0][0]
                or con.execute("SELECT count(*) FROM load_files").fetchall()[0][0])


def key_for_load(con: duckdb.DuckDBPyConnection, privacy: Privacy, base_dir: Path,
                 warehouse: Path) -> bytes:
    """The key a load into the catalog `con` (of `warehouse`) uses. The one place besides
    `tumbuh key --create` that creates a key file: when there is no key at all and the
    warehouse has none yet either (its first load)."""
    try:
        return load_key(privacy, base_dir, warehouse)
    except MissingKey as missing:
        source = missing.source
        if has_key(con):
            raise HashKeyError(
                f"no hash key: ${source.env_name} is not set and the key file {source.file} does "
                "not exist, but this warehouse was built under a key and a new one would not "
                "match its child keys. Restore the key file from your copy of it, or set "
                f"${source.env_name}") from None
        create_key_file(source.file)
        return load_key(privacy, base_dir, warehouse)


def create_key_file(path: Path) -> None:
    """Write a new random key to `path` (0600, in a 0700 folder); FileExistsError if it exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    print(f"tumbuh: created a new hash key in {path}; keep a copy apart from the warehouse and "
          "its backups (without it the child keys of new loads cannot match the stored ones)",
          file=sys.stderr)


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104): the staging SQL computes
    sha256(opad || unhex(sha256(ipad || message))), which is HMAC-SHA256(key, message)."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def child_key(key: bytes, message: str) -> str:
    """What the staging SQL computes for `message` ("nik|..." or "name|..."): for tests and
    for an analyst holding the key."""
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def fingerprint(key: bytes) -> str:
    """Names the key without revealing it: HMAC of a fixed label."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def check_warehouse_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """In a build's catalog: store the key's fingerprint on the first load; refuse a load
    under another key, and a warehouse whose child keys were made before fingerprints."""
    stored = con.execute("SELECT fingerprint, scheme FROM meta_key").fetchall()
    mine = fingerprint(key)
    if stored:
        if stored[0] != (mine, SCHEME):
            raise KeyMismatch(
                "this warehouse's child keys were made with another hash key (its fingerprint "
                f"{stored[0][0][:12]}... is not this key's {mine[:12]}...). Loading under this "
                "key would count every child measured before as a new child. Use the key the "
                "warehouse was built with, or rebuild it from the export files under the new "
                "key (README: rotating the hash key)")
        return
    loaded = con.execute("SELECT count(*) FROM load_files").fetchall()[0][0]
    if loaded:
        raise KeyMismatch(
            "this warehouse was built before tumbuh stored the hash key's fingerprint, with "
            "child keys of an older scheme; rebuild it from the export files into a new path "
            "(tumbuh ingest all EXPORT_FOLDER --warehouse NEW_PATH.duckdb)")
    con.execute("INSERT INTO meta_key VALUES (?, ?, ?)", [mine, SCHEME, datetime.now()])
