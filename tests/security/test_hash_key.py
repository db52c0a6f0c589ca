"""Keys done properly (issue 16, point 3): child keys are HMAC-SHA256 under a key of at least 32
random bytes, kept away from the warehouse; the warehouse stores the key's fingerprint and a load
under another key is refused."""

from __future__ import annotations

import datetime
import hashlib
import os
import random
import stat
import subprocess
import sys

import duckdb
import pytest

from pipelines import keys
from pipelines.config import SQL_DIR, Config
from pipelines.ingest.load import prepare_session
from pipelines.warehouse import connect_readonly, init_catalog
from tests.conftest import TEST_HASH_KEY
from tests.pipelines.ingest.conftest import row, write_csv
from tumbuh_cli import main as cli_main

OTHER_KEY = "9b1c47e0d25a8f36" "c4e7a10b93d2f568" "0a6d3c91e5b7f24d" "7e28b5c0a91f3d64"


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tumbuh_cli", *map(str, args)],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("text", [
    "a", "demo-test-key", "0123456789abcdef" * 3,  # 24 bytes
    "0123456789abcdef" * 4,  # 32 bytes, 8 different values: a pattern
    "00" * 40, "correct horse battery staple correct horse battery staple",
    "ab" * 31 + "c",  # odd hex
])
def test_weak_keys_are_refused(text):
    with pytest.raises(keys.HashKeyError, match="TEST"):
        keys.parse_key(text, "TEST")


@pytest.mark.parametrize("text", [
    TEST_HASH_KEY, TEST_HASH_KEY.upper(), OTHER_KEY + OTHER_KEY,
    "q83vEjRWeJq8DJR2pvGoMk6aOV3xW4pT0JcmlhKUbsY",  # base64url, no padding
    "q83vEjRWeJq8DJR2pvGoMk6aOV3xW4pT0JcmlhKUbsY=",
    "q83vEjRWeJq8DJR2pvGoMk6aOV3xW4pT0JcmlhKU+sY=",  # standard base64
])
def test_strong_keys_are_accepted(text):
    assert len(keys.parse_key(text, "TEST")) >= 32


def test_a_weak_key_refuses_the_load_with_exit_3(tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1)])
    warehouse = tmp_path / "wh" / "w.duckdb"
    done = cli("ingest", "posyandu", path, "--warehouse", warehouse, env={"TUMBUH_HASH_KEY": "a"})
    assert done.returncode == 3
    assert "$TUMBUH_HASH_KEY" in done.stderr and "64 or more hex digits" in done.stderr and "Nothing was loaded" in done.stderr
    assert not warehouse.exists()


def test_child_keys_are_hmac_sha256_of_python(tmp_path):
    """The SQL HMAC (padded key blocks, two sha256 calls) equals Python's hmac module, on NIKs,
    names with any characters, and a key longer than SHA-256's 64-byte block."""
    rng = random.Random(3)
    messages = [f"nik|{rng.randrange(10**15, 10**16)}" for _ in range(500)]
    messages += ["name|" + "".join(rng.choice("ABC Ñé'|\\%_ 2025-01-01") for _ in range(rng.randint(0, 60)))
                 for _ in range(500)]
    messages += ["", "name||2024-01-15|1|35.09.01.2003", "x" * 1000]
    for text in (TEST_HASH_KEY, OTHER_KEY * 3):
        key = keys.parse_key(text, "test")
        with duckdb.connect() as con:
            ipad, opad = keys.hmac_pads(key)
            con.execute((SQL_DIR / "staging" / "00_macros.sql").read_text())
            con.execute("SET VARIABLE hmac_ipad = ?::BLOB", [ipad])
            con.execute("SET VARIABLE hmac_opad = ?::BLOB", [opad])
            got = con.execute("SELECT child_hmac(m) FROM unnest(?) WITH ORDINALITY AS t(m, i) "
                              "ORDER BY i", [messages]).fetchall()
        assert [g for (g,) in got] == [keys.child_key(key, m) for m in messages]


def test_stored_child_keys_are_the_hmac_of_the_nik_and_of_the_name(tmp_path):
    rows = [row(1, NIK="3509011501240001"),
            row(2, NIK="0000000000000000", Nama="  siti   aminah ")]  # placeholder: by name
    warehouse = tmp_path / "w.duckdb"
    from tests.security.test_personal_data import load

    load(warehouse, write_csv(tmp_path / "a.csv", rows))
    with connect_readonly(warehouse) as con:
        got = con.execute("SELECT child_key, child_key_source, kode_desa FROM stg_pengukuran "
                          "ORDER BY row_number").fetchall()
    key = keys.parse_key(TEST_HASH_KEY, "test")
    desa = got[1][2]
    assert got[0][:2] == (keys.child_key(key, "nik|3509011501240001"), "nik")
    assert got[1][:2] == (keys.child_key(key, f"name|SITI AMINAH|2024-01-15|1|{desa}"), "name")
    # not the plain SHA-256 of key || message of before
    assert got[0][0] != hashlib.sha256(f"{TEST_HASH_KEY}|nik|3509011501240001".encode()).hexdigest()


def test_a_load_under_another_key_is_refused(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    assert cli("ingest", "posyandu", write_csv(tmp_path / "a.csv", [row(1)]),
               "--warehouse", warehouse).returncode == 0
    with connect_readonly(warehouse) as con:
        [(fingerprint, scheme)] = con.execute("SELECT fingerprint, scheme FROM meta_key").fetchall()
    assert fingerprint == keys.fingerprint(keys.parse_key(TEST_HASH_KEY, "t"))
    assert scheme == keys.SCHEME and TEST_HASH_KEY not in fingerprint
    before = warehouse.read_bytes()
    second = write_csv(tmp_path / "b.csv", [row(2)])
    done = cli("ingest", "posyandu", second, "--warehouse", warehouse,
               env={"TUMBUH_HASH_KEY": OTHER_KEY})
    assert done.returncode == 3
    assert "made with another hash key" in done.stderr and "rotating the hash key" in done.stderr
    assert warehouse.read_bytes() == before
    # the right key loads it
    assert cli("ingest", "posyandu", second, "--warehouse", warehouse).returncode == 0


def test_a_warehouse_with_keys_of_the_old_scheme_is_refused(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    assert cli("ingest", "posyandu", write_csv(tmp_path / "a.csv", [row(1)]),
               "--warehouse", warehouse).returncode == 0
    with duckdb.connect(str(warehouse)) as con:  # as a warehouse of before fingerprints
        con.execute("DELETE FROM meta_key")
    done = cli("ingest", "posyandu", write_csv(tmp_path / "b.csv", [row(2)]),
               "--warehouse", warehouse)
    assert done.returncode == 3 and "before tumbuh stored the hash key" in done.stderr


def _config(tmp_path, privacy: dict) -> Config:
    return Config.from_dict({"privacy": privacy}, base_dir=tmp_path)


def test_reading_the_key_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("TUMBUH_HASH_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with pytest.raises(keys.MissingKey, match="tumbuh key --create"):
        _config(tmp_path, {}).hash_key(tmp_path / "data" / "w.duckdb")
    assert not (tmp_path / "xdg").exists()


def test_the_first_load_creates_the_key_file_private_outside_the_warehouse(tmp_path):
    env = {"TUMBUH_HASH_KEY": "", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    warehouse = tmp_path / "wh" / "w.duckdb"
    done = cli("ingest", "posyandu", write_csv(tmp_path / "a.csv", [row(1)]),
               "--warehouse", warehouse, env=env)
    assert done.returncode == 0 and "created a new hash key" in done.stderr
    key_file = tmp_path / "xdg" / "tumbuh" / "hash_key"
    key = keys.parse_key(key_file.read_text(), "file")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    with connect_readonly(warehouse) as con:
        assert con.execute("SELECT fingerprint FROM meta_key").fetchall() == [
            (keys.fingerprint(key),)]
    # a second load reads it, it does not replace it
    assert cli("ingest", "posyandu", write_csv(tmp_path / "b.csv", [row(2)]),
               "--warehouse", warehouse, env=env).returncode == 0
    assert keys.parse_key(key_file.read_text(), "file") == key
    # lost: a warehouse with a key gets no new one, and nothing is loaded
    key_file.unlink()
    before = warehouse.read_bytes()
    done = cli("ingest", "posyandu", write_csv(tmp_path / "c.csv", [row(3)]),
               "--warehouse", warehouse, env=env)
    assert done.returncode == 3 and "Restore the key file" in done.stderr
    assert not key_file.exists() and warehouse.read_bytes() == before


def test_tumbuh_key_shows_and_creates_the_key_on_purpose(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUMBUH_HASH_KEY", "")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    key_file = tmp_path / "xdg" / "tumbuh" / "hash_key"
    warehouse = tmp_path / "wh" / "w.duckdb"
    assert cli_main(["key", "--warehouse", str(warehouse)]) == 3  # only looks
    assert "tumbuh key --create" in capsys.readouterr().err and not key_file.exists()
    assert cli_main(["key", "--create", "--warehouse", str(warehouse)]) == 0
    key = keys.parse_key(key_file.read_text(), "file")
    out = capsys.readouterr().out
    assert keys.fingerprint(key)[:12] in out and "no warehouse" in out
    assert cli_main(["key", "--create", "--warehouse", str(warehouse)]) == 0  # kept as it is
    assert keys.parse_key(key_file.read_text(), "file") == key
    monkeypatch.setenv("TUMBUH_HASH_KEY", OTHER_KEY)
    assert cli_main(["ingest", "posyandu", str(write_csv(tmp_path / "a.csv", [row(1)])),
                     "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    assert cli_main(["key", "--warehouse", str(warehouse)]) == 0
    assert "built under this key" in capsys.readouterr().out
    monkeypatch.setenv("TUMBUH_HASH_KEY", "")  # the key file's key is not the warehouse's
    assert cli_main(["key", "--warehouse", str(warehouse)]) == 3
    assert "built under another key" in capsys.readouterr().err
    key_file.unlink()  # and no new key file over a warehouse that has a key
    assert cli_main(["key", "--create", "--warehouse", str(warehouse)]) == 3
    assert "not creating" in capsys.readouterr().err and not key_file.exists()


@pytest.mark.parametrize("key_file", ["data/.hash_key", "data/sub/key", "data/w.store/k"])
def test_a_key_file_in_the_warehouse_folder_is_refused(tmp_path, monkeypatch, key_file):
    monkeypatch.delenv("TUMBUH_HASH_KEY")
    config = _config(tmp_path, {"key_file": key_file})
    with pytest.raises(keys.HashKeyError, match="warehouse's folder"):
        config.hash_key(tmp_path / "data" / "w.duckdb")
    assert not (tmp_path / key_file).exists()


def test_a_weak_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("TUMBUH_HASH_KEY")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "k").write_text("password123\n")
    config = _config(tmp_path, {"key_file": "keys/k"})
    with pytest.raises(keys.HashKeyError, match="keys/k"):
        config.hash_key(tmp_path / "data" / "w.duckdb")


def test_the_key_never_enters_sql(tmp_path):
    key = keys.parse_key(TEST_HASH_KEY, "t")
    with duckdb.connect() as con:
        init_catalog(con)  # the reference tables the session's lookups read
        prepare_session(con, key, datetime.date(2026, 1, 1))
        variables = con.execute("SELECT name, value::VARCHAR FROM duckdb_variables()").fetchall()
    assert {n for n, _ in variables} >= {"hmac_ipad", "hmac_opad"}
    assert not any(TEST_HASH_KEY in str(v) or key.hex() in str(v) for _, v in variables)
