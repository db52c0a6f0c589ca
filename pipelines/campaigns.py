"""Targeted-intervention campaigns as data (config/campaigns.toml): load, check, and derive the
calendar and the target list. The marts read them from the ref_campaign* tables that
pipelines/sql/marts/intervensi/00_campaign_config.py writes on every build."""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.config import PROJECT_ROOT, REFERENCE_DIR, Config

# Activity code -> the report column (docs/contracts.md 1.4). The order is the display order.
ACTIVITIES: dict[str, str] = {
    "remeasured": "Balita Diukur Ulang",
    "confirmed": "Stunting Terkonfirmasi Nakes",
    "referred": "Dirujuk ke Puskesmas",
    "pmt_days": "Hari PMT Lokal",
    "home_visits": "Kunjungan Rumah",
    "kader_trained": "Kader Dilatih",
    "kelas_ibu_balita": "Kelas Ibu Balita",
}
# How the target kab/kota are chosen before extra_targets/exclude_targets apply, and the reason
# recorded for them: the SSGI 2024 rule of the 2025 programme; the list of mart_target_list that
# tumbuh.toml [target_list] reference selects (SSGI or administrative data); or nothing.
TARGET_RULES = {
    "ssgi_2024_above_provincial": "ssgi_2024",
    "target_list": "target_list",
    "none": None,
}
WEEKDAYS = {  # Indonesian and English names and abbreviations -> date.weekday()
    **dict.fromkeys(("senin", "sen", "monday", "mon"), 0),
    **dict.fromkeys(("selasa", "sel", "tuesday", "tue"), 1),
    **dict.fromkeys(("rabu", "rab", "wednesday", "wed"), 2),
    **dict.fromkeys(("kamis", "kam", "thursday", "thu"), 3),
    **dict.fromkeys(("jumat", "jum'at", "jum", "friday", "fri"), 4),
    **dict.fromkeys(("sabtu", "sab", "saturday", "sat"), 5),
    **dict.fromkeys(("minggu", "ahad", "min", "sunday", "sun"), 6),
}
DEFAULT_PATH = PROJECT_ROOT / "config" / "campaigns.toml"


class CampaignConfigError(ValueError):
    """The campaign file cannot be used as written; the message names the file and the entry."""


@dataclass(frozen=True)
class CampaignDay:
    tanggal: dt.date
    is_working_day: bool
    is_holiday: bool
    working_day_no: int  # working days from the start up to and including this day


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    start: dt.date
    end: dt.date
    working_weekdays: frozenset[int]
    holidays: frozenset[dt.date]
    targets_from: str
    extra_targets: tuple[str, ...]
    exclude_targets: tuple[str, ...]
    activity_targets: dict[str, int]  # default per target kab/kota
    target_overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    on_track_tolerance: float = 0.10
    pre_months: int = 2
    post_days: int = 30
    prevalence_bins: int = 10
    size_bins: int = 3

    def calendar(self) -> list[CampaignDay]:
        days, n = [], 0
        for i in range((self.end - self.start).days + 1):
            day = self.start + dt.timedelta(days=i)
            holiday = day in self.holidays
            working = day.weekday() in self.working_weekdays and not holiday
            n += working
            days.append(CampaignDay(day, working, holiday, n))
        return days

    @property
    def n_working_days(self) -> int:
        return self.calendar()[-1].working_day_no

    def target_kabkota(self, by_rule: Iterable[str]) -> dict[str, str]:
        """kode_kabkota -> why it is a target (the rule's reason or 'extra'), exclusions applied.
        `by_rule`: the kab/kota the `targets_from` rule lists (ignored for 'none')."""
        reason = TARGET_RULES[self.targets_from]
        chosen = dict.fromkeys(sorted(by_rule), reason) if reason else {}
        for kode in self.extra_targets:
            chosen.setdefault(kode, "extra")
        return {k: v for k, v in sorted(chosen.items()) if k not in self.exclude_targets}

    def target_for(self, kode_kabkota: str, activity: str) -> int | None:
        override = self.target_overrides.get(kode_kabkota, {})
        return override.get(activity, self.activity_targets.get(activity))


def known_kabkota_codes() -> set[str]:
    """The 38 kab/kota codes of the reference code list (pipelines/reference/wilayah_jatim.csv)."""
    with open(REFERENCE_DIR / "wilayah_jatim.csv", newline="", encoding="utf-8") as fh:
        return {r["kode"] for r in csv.DictReader(fh) if r["tingkat"] == "kabkota"}


def configured_campaigns(
    config: Config, known_kabkota: Collection[str] | None = None
) -> list[Campaign]:
    """The campaigns a build uses: the file named by `[paths] campaigns` in tumbuh.toml (it must
    exist), else config/campaigns.toml of the project (no campaigns if that is absent)."""
    configured = config.path("campaigns")
    if configured is not None and not configured.exists():
        raise CampaignConfigError(
            f"{configured}: [paths] campaigns names a file that does not exist"
        )
    path = configured or DEFAULT_PATH
    return load_campaigns(path, known_kabkota) if path.exists() else []


def load_campaigns(
    path: Path | str, known_kabkota: Collection[str] | None = None
) -> list[Campaign]:
    """Every [[campaign]] of the file, checked. Raises CampaignConfigError on the first problem."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise CampaignConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CampaignConfigError(f"{path}: not valid TOML ({exc})") from exc
    unknown = set(raw) - {"campaign"}
    if unknown:
        raise CampaignConfigError(
            f"{path}: unknown top-level key(s) {sorted(unknown)}; "
            "campaigns are [[campaign]] entries"
        )
    entries = raw.get("campaign", [])
    if not isinstance(entries, list):
        raise CampaignConfigError(f"{path}: 'campaign' must be [[campaign]] entries")
    known = set(known_kabkota) if known_kabkota is not None else known_kabkota_codes()
    campaigns = [_parse(entry, path, i + 1, known) for i, entry in enumerate(entries)]
    ids = [c.id for c in campaigns]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise CampaignConfigError(f"{path}: campaign id(s) used twice: {duplicated}")
    return campaigns


_KEYS = {
    "id",
    "name",
    "start",
    "end",
    "working_days",
    "holidays",
    "targets_from",
    "extra_targets",
    "exclude_targets",
    "on_track_tolerance",
    "activity_targets",
    "target_overrides",
    "outcome",
}
_OUTCOME_KEYS = {"pre_months", "post_days", "prevalence_bins", "size_bins"}


def _parse(entry: dict[str, Any], path: Path, number: int, known: set[str]) -> Campaign:
    has_id = isinstance(entry.get("id"), str) and entry["id"].strip()
    where = f"{path}, campaign " + (f"'{entry['id'].strip()}'" if has_id else f"#{number}")

    def fail(message: str) -> CampaignConfigError:
        return CampaignConfigError(f"{where}: {message}")

    if not has_id:
        raise fail("'id' (text) is required")
    unknown = set(entry) - _KEYS
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    start, end = _date(entry.get("start"), "start", fail), _date(entry.get("end"), "end", fail)
    if end < start:
        raise fail(f"end {end} is before start {start}")

    names = entry.get("working_days", ["senin", "selasa", "rabu", "kamis", "jumat"])
    bad = [n for n in names if str(n).strip().lower() not in WEEKDAYS]
    if bad or not names:
        raise fail(f"working_days {bad or names} are not day names (senin..minggu or mon..sun)")
    holidays = frozenset(_date(d, "holidays", fail) for d in entry.get("holidays", []))

    targets_from = entry.get("targets_from", "ssgi_2024_above_provincial")
    if targets_from not in TARGET_RULES:
        raise fail(f"targets_from {targets_from!r} is not one of {list(TARGET_RULES)}")
    extra = tuple(_kode(k, "extra_targets", known, fail) for k in entry.get("extra_targets", []))
    exclude = tuple(
        _kode(k, "exclude_targets", known, fail) for k in entry.get("exclude_targets", [])
    )

    activity_targets = _targets(entry.get("activity_targets", {}), "activity_targets", fail)
    if not activity_targets:
        raise fail("activity_targets must set a target for at least one activity")
    overrides = {}
    for kode, values in entry.get("target_overrides", {}).items():
        kode = _kode(kode, "target_overrides", known, fail)
        overrides[kode] = _targets(values, f"target_overrides.{kode}", fail)

    tolerance = entry.get("on_track_tolerance", 0.10)
    if not isinstance(tolerance, int | float) or not 0 <= tolerance < 1:
        raise fail(
            f"on_track_tolerance {tolerance!r} must be a fraction from 0 to below 1 (0.10 = 10 %)"
        )
    outcome = entry.get("outcome", {})
    if set(outcome) - _OUTCOME_KEYS:
        raise fail(f"unknown outcome key(s) {sorted(set(outcome) - _OUTCOME_KEYS)}")
    numbers = {"pre_months": 2, "post_days": 30, "prevalence_bins": 10, "size_bins": 3} | outcome
    for key, value in numbers.items():
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < (0 if key == "post_days" else 1)
        ):
            raise fail(
                f"outcome.{key} {value!r} must be a whole number of at least "
                f"{0 if key == 'post_days' else 1}"
            )
    return Campaign(
        id=entry["id"].strip(),
        name=str(entry.get("name") or entry["id"]).strip(),
        start=start,
        end=end,
        working_weekdays=frozenset(WEEKDAYS[str(n).strip().lower()] for n in names),
        holidays=holidays,
        targets_from=targets_from,
        extra_targets=extra,
        exclude_targets=exclude,
        activity_targets=activity_targets,
        target_overrides=overrides,
        on_track_tolerance=float(tolerance),
        **numbers,
    )


def _date(value: Any, key: str, fail) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"{key} {value!r} is not a date (write 2025-11-10)")


def _kode(value: Any, key: str, known: set[str], fail) -> str:
    kode = str(value).strip()
    if kode not in known:
        raise fail(f'{key}: {kode!r} is not a kab/kota code of Jawa Timur (e.g. "35.11")')
    return kode


def _targets(values: Any, key: str, fail) -> dict[str, int]:
    if not isinstance(values, dict):
        raise fail(f"{key} must be a table of activity = target")
    out = {}
    for activity, target in values.items():
        if activity not in ACTIVITIES:
            raise fail(f"{key}: unknown activity {activity!r}; known: {list(ACTIVITIES)}")
        if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
            raise fail(f"{key}.{activity} {target!r} must be a whole number above 0")
        out[activity] = target
    return out
