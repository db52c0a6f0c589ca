"""The config as one typed, checked object (pipelines/config.py): defaults written once, every
mistake a ConfigError naming the file, the `section.key` and what was expected; reading has no
side effects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines import keys
from pipelines.config import (
    DEFAULT_CONFIG,
    PROJECT_ROOT,
    SECTIONS,
    SQL_DIR,
    Config,
    ConfigError,
    Hotspot,
    Prevalence,
    Uploads,
    User,
    default_config,
    load_config,
)
from pipelines.marts import config_variables


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tumbuh.toml"
    path.write_text(text)
    return path


def test_the_shipped_config_loads_with_its_sections_as_they_were():
    config = load_config(DEFAULT_CONFIG)
    assert config.prevalence.min_cell == 10 and config.prevalence.bulan_timbang == (2, 8)
    assert config.target_list.ssgi_2024_provincial == 14.7
    assert config.warehouse.memory_limit == "2GB" and config.limits.max_rows == 3_000_000
    assert config.warehouse_path == PROJECT_ROOT / "data" / "warehouse.duckdb"
    assert config.path("campaigns") == PROJECT_ROOT / "config" / "campaigns.toml"
    assert config.users == () and config.auth is None  # sign-in off
    assert config.hotspot == Hotspot(permutations=999, seed=12345, alpha=0.05, min_units=10, knn=1)
    assert config.uploads == Uploads(max_file_mb=200, folder=None)  # beside the warehouse
    # the marts' variables (and so the stored build fingerprint) are what they were before
    assert config_variables(config) == {
        "min_cell": 10, "provincial_average": "pooled", "bulan_timbang": [2, 8],
        "target_reference": "ssgi_2024", "ssgi_2024_provincial": 14.7,
        "hotspot_permutations": 999, "hotspot_seed": 12345, "hotspot_alpha": 0.05,
        "hotspot_min_units": 10, "hotspot_knn": 1}


def test_the_shipped_config_sets_every_default():
    """config/tumbuh.toml and the schema agree: every value the file sets is the default, so an
    operator who deletes a line gets what the file said."""
    config = load_config(DEFAULT_CONFIG)
    for name in SECTIONS:
        if name not in ("paths", "auth"):  # paths name the project's files; auth is commented
            assert getattr(config, name) == SECTIONS[name](), name


def test_an_empty_file_is_every_default(tmp_path):
    config = load_config(write(tmp_path, "# nothing set\n"))
    assert config == Config(base_dir=tmp_path, source=str(tmp_path / "tumbuh.toml"))
    assert config.warehouse_path == tmp_path / "data" / "warehouse.duckdb"  # beside the file
    assert config.path("campaigns") is None  # the project's campaigns.toml (pipelines/campaigns)
    assert config.paths.boundaries_kabkota is None  # the committed boundary files (geo/)


def test_a_key_left_out_takes_its_default_and_the_others_stay(tmp_path):
    config = load_config(write(tmp_path, "[prevalence]\nmin_cell = 5\n[console]\ntimeout_s = 3\n"))
    assert config.prevalence == Prevalence(min_cell=5)
    assert config.console.timeout_s == 3.0 and isinstance(config.console.timeout_s, float)
    assert config.console.max_rows == Config().console.max_rows


@pytest.mark.parametrize(("toml", "where", "expected"), [
    ("[prevalence]\nmin_cell = \"10\"\n", "prevalence.min_cell",
     "expected a whole number of at least 1, got '10' (a string)"),
    ("[prevalence]\nmin_cell = 0\n", "prevalence.min_cell", "of at least 1, got 0"),
    ("[prevalence]\nmin_cell = 10.5\n", "prevalence.min_cell", "expected a whole number"),
    ("[prevalence]\nmin_cel = 10\n", "prevalence.min_cel",
     ("unknown key; expected one of bulan_timbang, min_cell, provincial_average "
     "(did you mean 'min_cell'?)")),
    ("[prevalance]\nmin_cell = 10\n", "prevalance", ("unknown section; expected one of auth, "
     "console, hotspot, limits, paths, prevalence, privacy, spark, target_list, uploads, "
     "users, warehouse (did you mean 'prevalence'?)")),
    ("min_cell = 10\n", "min_cell", ("a key outside any section; every key belongs under a "
     "[section]: auth, console, hotspot, limits, paths, prevalence, privacy, spark, "
     "target_list, uploads, warehouse (did you mean min_cell under [prevalence]?)")),
    ("[prevalence]\nbulan_timbang = [2, 13]\n", "prevalence.bulan_timbang",
     "expected a list, each a whole number from 1 to 12; got 13 (a whole number) in [2, 13]"),
    ("[prevalence]\nbulan_timbang = 8\n", "prevalence.bulan_timbang", "expected a list"),
    ("[prevalence]\nprovincial_average = \"median\"\n", "prevalence.provincial_average",
     "expected one of 'pooled', 'mean_kabkota', got 'median' (a string)"),
    ("[target_list]\nreference = \"ski_2023\"\n", "target_list.reference",
     "expected one of 'ssgi_2024', 'admin'"),
    ("[target_list]\nssgi_2024_provincial = \"14,7\"\n", "target_list.ssgi_2024_provincial",
     "expected a number from 0 to 100, got '14,7' (a string)"),
    ("[warehouse]\nmemory_limit = 2\n", "warehouse.memory_limit", 'a size such as "1GB"'),
    ("[warehouse]\nmemory_limit = \"lots\"\n", "warehouse.memory_limit", "got 'lots'"),
    ("[limits]\nmax_rows = -1\n", "limits.max_rows", "of at least 1"),
    ("[limits]\nmax_rowz = 1\n", "limits.max_rowz", "(did you mean 'max_rows'?)"),
    ("[console]\nmax_concurrent = true\n", "console.max_concurrent",
     "expected a whole number of at least 1, got true (true/false)"),
    ("[paths]\nwarehouse = \"\"\n", "paths.warehouse", "expected a path (not empty)"),
    ("[paths]\nwarehouse = 1\n", "paths.warehouse", "got 1 (a whole number)"),
    ("paths = \"data\"\n", "paths", "expected a table ([paths] with key = value lines)"),
    ("[privacy]\nkey_file = 7\n", "privacy.key_file", "expected a string"),
    ("[auth]\nclient_id = 5\n", "auth.client_id", "expected a string, got 5"),
    ("[auth]\nprovider = \"x\"\n", "auth.provider", "unknown key"),
    ("[hotspot]\npermutations = 0\n", "hotspot.permutations",
     "expected a whole number of at least 99, got 0 (a whole number)"),
    ("[hotspot]\npermutations = 999.0\n", "hotspot.permutations", "expected a whole number"),
    ("[hotspot]\nalpha = 5\n", "hotspot.alpha",
     "expected a number above 0 and below 1, got 5 (a whole number)"),
    ("[hotspot]\nalpha = 0\n", "hotspot.alpha", "above 0 and below 1, got 0"),
    ("[hotspot]\nalpha = 1.0\n", "hotspot.alpha", "above 0 and below 1, got 1.0"),
    ("[hotspot]\nseed = -1\n", "hotspot.seed",
     "expected a whole number from 0 to 4294967295, got -1"),
    ("[hotspot]\nseed = 4294967296\n", "hotspot.seed", "from 0 to 4294967295"),
    ("[hotspot]\nmin_units = 3\n", "hotspot.min_units", "of at least 4, got 3"),
    ("[hotspot]\nknn = 0\n", "hotspot.knn", "of at least 1, got 0"),
    ("[hotspot]\nkn = 2\n", "hotspot.kn", ("unknown key; expected one of alpha, knn, "
     "min_units, permutations, seed (did you mean 'knn'?)")),
    ("[uploads]\nmax_file_mb = 0\n", "uploads.max_file_mb",
     "expected a whole number of at least 1, got 0"),
    ("[uploads]\nmax_file_mb = \"200MB\"\n", "uploads.max_file_mb", "got '200MB' (a string)"),
    ("[uploads]\nfolder = false\n", "uploads.folder", "expected a string, got false"),
    ("[uploads]\nmax_size_mb = 10\n", "uploads.max_size_mb", "(did you mean 'max_file_mb'?)"),
])
def test_every_mistake_names_the_file_the_key_and_what_was_expected(tmp_path, toml, where,
                                                                     expected):
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {where}: {caught.value.problem}"
    assert caught.value.where == where and expected in caught.value.problem


def test_a_secret_is_never_shown(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[auth]\ncookie_secret = 1234567890\n"))
    assert "1234567890" not in str(caught.value) and "auth.cookie_secret" in str(caught.value)
    config = load_config(write(tmp_path, "[auth]\nclient_id = \"t\"\nclient_secret = \"s3cr3t\"\n"))
    assert "s3cr3t" not in repr(config)


def test_users(tmp_path):
    config = load_config(write(tmp_path, """
[[users]]
email = "kadinkes@jatimprov.go.id"
role = "provinsi"
wilayah = "35"

[[users]]
email = "gizi@jemberkab.go.id"
role = "kabupaten"
wilayah = "35.09"
"""))
    assert config.users == (User("kadinkes@jatimprov.go.id", "provinsi", "35"),
                            User("gizi@jemberkab.go.id", "kabupaten", "35.09"))
    config = load_config(write(tmp_path, '[[users]]\nemail = "a@b.id"\nrole = "provinsi"\n'
                               'name = "Ratna"\n'))
    assert config.users == (User("a@b.id", "provinsi", "35", "Ratna"),)  # provinsi: "35"


def test_the_shipped_sign_in_example_is_valid(tmp_path):
    """config/tumbuh.toml's commented [auth] and [[users]] example, uncommented, loads."""
    lines = DEFAULT_CONFIG.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# Sign-in"))
    setting = re.compile(r"# (\[\[?[a-z_.]+\]\]?|[a-z_]+ = .*)$")
    text = "\n".join(line[2:] if setting.match(line) else line for line in lines[start:])
    config = load_config(write(tmp_path, text))
    assert config.auth is not None and config.auth.client_id and len(config.users) == 2


@pytest.mark.parametrize(("entries", "where", "expected"), [
    ('email = "a@b.id"\nrole = "admin"\nwilayah = "35"', "users[1].role",
     "expected one of 'provinsi', 'kabupaten', 'analis', 'operator', got 'admin'"),
    ('email = "a@b.id"\nrole = "analis"', "users[1].wilayah",
     'missing; the analis role needs one: a kab/kota code such as "35.07" or "35"'),
    ('email = "a@b.id"\nrole = "analis"\nwilayah = "Jember"', "users[1].wilayah",
     ('expected "35" (the province) or one of the 38 kab/kota codes such as "35.07", '
     "got 'Jember'")),
    ('email = "a@b.id"\nrole = "kabupaten"\nwilayah = "35"', "users[1].wilayah",
     'a kabupaten user has a kab/kota code such as "35.07", got \'35\''),
    ('email = "a@b.id"\nrole = "provinsi"\nwilayah = "35.07"', "users[1].wilayah",
     'a provinsi user has wilayah "35"'),
    ('email = "a@b.id"\nrole = "analis"\nwilayah = 35', "users[1].wilayah", "(a whole number)"),
    ('email = "a.b.id"\nrole = "analis"\nwilayah = "35"', "users[1].email",
     "expected an e-mail address"),
    ('email = "a@b.id"\nrole = "analis"\nwilayah = "35"\nnama = "A"', "users[1].nama",
     "unknown key; expected one of email, name, role, wilayah (did you mean 'name'?)"),
    (('email = "a@b.id"\nrole = "analis"\nwilayah = "35"\n[[users]]\nemail = "A@B.id"\n'
     'role = "operator"\nwilayah = "35.09"'), "users[2].email",
     "'A@B.id' is listed twice (also users[1])"),
])
def test_a_bad_user_entry_is_named_by_its_place(tmp_path, entries, where, expected):
    path = write(tmp_path, "[[users]]\n" + entries + "\n")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: {where}: ") + ".*"
                       + re.escape(expected)):
        load_config(path)


def test_users_must_be_an_array_of_tables(tmp_path):
    path = write(tmp_path, '[users]\nemail = "a@b.id"\n')
    with pytest.raises(ConfigError, match=re.escape(f"{path}: users: expected an array of "
                                                    "tables ([[users]] entries")):
        load_config(path)


def test_unreadable_files_name_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "[prevalence\n")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: not valid TOML")):
        load_config(path)
    monkeypatch.setenv("TUMBUH_CONFIG", str(tmp_path / "nowhere.toml"))
    with pytest.raises(ConfigError, match=re.escape(
            f"{tmp_path / 'nowhere.toml'} ($TUMBUH_CONFIG): no such config file")):
        load_config()


def test_reading_the_config_has_no_side_effects(tmp_path, monkeypatch):
    """No key file, no folder: not when loading, not when asking for the key."""
    monkeypatch.delenv("TUMBUH_HASH_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = write(tmp_path, '[privacy]\nkey_file = "keys/hash_key"\n[paths]\n'
                 'warehouse = "wh/w.duckdb"\n')
    config = load_config(path)
    with pytest.raises(keys.MissingKey, match=re.escape(str(tmp_path / "keys" / "hash_key"))):
        config.hash_key()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tumbuh.toml"]


def test_replace_checks_like_the_file_and_keeps_the_rest():
    config = default_config().replace(prevalence={"min_cell": 1})
    assert config.prevalence.min_cell == 1
    assert config.prevalence.bulan_timbang == default_config().prevalence.bulan_timbang
    assert config.paths == default_config().paths
    with pytest.raises(ConfigError, match="prevalence.min_cell: expected a whole number"):
        default_config().replace(prevalence={"min_cell": "1"})
    with pytest.raises(ConfigError, match="unknown section"):
        default_config().replace(prevalance={"min_cell": 1})
    hotspot = default_config().replace(hotspot={"permutations": 99}).hotspot
    assert hotspot == Hotspot(permutations=99)  # seed, alpha ... as they were
    with pytest.raises(ConfigError, match=re.escape("hotspot.alpha: expected a number above 0 "
                                                    "and below 1, got '0.5' (a string)")):
        default_config().replace(hotspot={"alpha": "0.5"})


def test_config_values_reach_sql_without_a_second_default():
    """A value the marts read with getvariable() has its default in pipelines/config.py only:
    no `coalesce(getvariable('x'), <default>)` in a model or audit."""
    names = "|".join(config_variables(Config()))
    fallback = re.compile(rf"coalesce\(\s*getvariable\('({names})'\)", re.IGNORECASE)
    found = [f"{p.relative_to(SQL_DIR)}: {m.group(0)}"
             for p in sorted(SQL_DIR.rglob("*")) if p.suffix in (".sql", ".py")
             for m in fallback.finditer(p.read_text())]
    assert found == []
