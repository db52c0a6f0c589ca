"""Indonesian formatting and the UI dictionary."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard import fmt
from dashboard.i18n import current_language, language, strings, t


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, 1, "1.234,5"), (1234567, 0, "1.234.567"), (0.05, 2, "0,05"), (-12.25, 1, "-12,2"),
    (None, 0, "–"), (float("nan"), 1, "–"), (pd.NA, 1, "–"),
])
def test_numbers_the_indonesian_way(value, decimals, expected):
    assert fmt.num(value, decimals, lang="id") == expected


def test_english_switch_changes_separators():
    assert fmt.num(1234.5, 1, lang="en") == "1,234.5"
    assert fmt.pct(12.345, lang="en") == "12.3%"


def test_percent_points_interval_and_dates():
    assert fmt.pct(12.345, lang="id") == "12,3 %"
    assert fmt.pts(1.25, lang="id") == "+1,2 poin" and fmt.pts(-0.5, lang="id") == "-0,5 poin"
    assert fmt.interval(10.2, 14.84, lang="id") == "10,2–14,8 %"
    assert fmt.day(dt.date(2025, 11, 10), lang="id") == "10 Nov 2025"
    assert fmt.day(pd.Timestamp("2025-08-05 10:00"), lang="id") == "5 Agu 2025"
    assert fmt.day("2025-12-05", lang="en") == "5 Dec 2025"
    assert fmt.period("2025-08", lang="id") == "Agustus 2025" and fmt.period("2025") == "2025"


def test_frame_formats_only_named_columns():
    df = pd.DataFrame({"nama": ["A"], "n": [1234], "p": [15.55]})
    out = fmt.frame(df, {"n": "int", "p": "pct"}, lang="id")
    assert out.iloc[0].tolist() == ["A", "1.234", "15,6 %"]
    assert df["n"].iloc[0] == 1234  # the input is not changed


def test_every_indonesian_key_used_in_code_exists():
    """Each literal key passed to t() in the dashboard is in id.toml; en.toml has no key that
    id.toml lacks."""
    source = "\n".join(p.read_text() for p in Path("dashboard").rglob("*.py"))
    used = set(re.findall(r"\bt\(\s*['\"]([a-z_]+\.[a-z_0-9]+)['\"]", source))
    used |= set(re.findall(r"['\"]((?:col|what|source|reason)\.[a-z_0-9]+)['\"]", source))
    missing = sorted(k for k in used if k not in strings("id"))
    assert not missing, missing
    assert not set(strings("en")) - set(strings("id"))


def test_translation_and_fallback():
    assert t("nav.ringkasan", lang="id") == "Ringkasan"
    assert t("nav.ringkasan", lang="en") == "Overview"
    assert t("profile.headline", lang="en") == "Angka utama"  # the profile is always Indonesian
    assert t("common.not_available", lang="id", what="X", tables="mart_x").startswith(
        "Data X belum tersedia di gudang data")
    with pytest.raises(KeyError):
        t("no.such_key")


def test_forced_language_context():
    assert current_language() == "id"
    with language("en"):
        assert current_language() == "en" and fmt.num(1000.5, 1) == "1,000.5"
    assert fmt.num(1000.5, 1) == "1.000,5"


def test_keys_built_at_run_time_exist_in_both_languages():
    from dashboard.app import PAGES
    from dashboard.explore import MEASURES
    from dashboard.mapdata import INDICATORS
    from dashboard.peers import PEER_GROUPS
    from dashboard.widgets import PERIOD_TYPES

    keys = [f"nav.{p}" for p, _ in PAGES]
    keys += [f"period_type.{p}" for p in PERIOD_TYPES]
    keys += [f"level.{v}" for v in ("provinsi", "kabkota", "kecamatan", "desa", "posyandu")]
    keys += [f"measure.{m}" for m in MEASURES]
    keys += [f"perbandingan.group_{g}" for g in PEER_GROUPS]
    keys += [f"indicator.{k}" for k in INDICATORS if not k.startswith("spm:")]
    keys += [f"source.{s}" for s in ("pengukuran", "spm", "pkk", "intervensi")]
    from dashboard.uploads import SOURCES

    keys += [f"unggah.source_{s}" for s in SOURCES]
    keys += [f"unggah.outcome_{o}" for o in ("ok", "locked", "outside", "failed")]
    keys += [f"unggah.refuse_{r}" for r in ("kind", "extension", "size", "empty", "outside")]
    keys += [f"unggah.col_{c}" for c in ("file", "read", "staged", "rejected", "reasons",
                                         "status", "at", "email", "source", "size", "exit",
                                         "outcome", "sha256")]
    for lang in ("id", "en"):
        missing = [k for k in keys if k not in strings(lang)]
        assert not missing, (lang, missing)
