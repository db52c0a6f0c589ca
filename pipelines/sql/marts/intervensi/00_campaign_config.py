"""reads: campaigns, mart_target_list, ref_kabkota, ref_wilayah

grain: the campaign config as tables, rebuilt on every build from config/campaigns.toml
(pipelines/campaigns.py): ref_campaign (one row per campaign), ref_campaign_kabkota (campaign x
target kab/kota), ref_campaign_target (campaign x target kab/kota x activity with a target),
ref_campaign_day (campaign x calendar day of the window), ref_intervensi_activity (activity).

Target lists come from mart_target_list (stunting domain, built earlier in the same build):
'ssgi_2024_above_provincial' = its ssgi_2024 rows that are above, 'target_list' = its rows WHERE
selected AND above. Without that mart the SSGI rule is applied to ref_kabkota directly (SSGI 2024
at its published precision strictly above [target_list] ssgi_2024_provincial)."""

from __future__ import annotations

import duckdb

from pipelines.campaigns import ACTIVITIES, Campaign, CampaignConfigError, configured_campaigns
from pipelines.config import Config

SCHEMA = """
CREATE OR REPLACE TABLE ref_intervensi_activity (activity VARCHAR, label VARCHAR, urutan INTEGER);
CREATE OR REPLACE TABLE ref_campaign (
    campaign_id VARCHAR, nama VARCHAR, start_date DATE, end_date DATE, n_days INTEGER,
    n_working_days INTEGER, working_weekdays VARCHAR, on_track_tolerance DOUBLE,
    targets_from VARCHAR, pre_months INTEGER, post_days INTEGER, prevalence_bins INTEGER,
    size_bins INTEGER);
CREATE OR REPLACE TABLE ref_campaign_kabkota (
    campaign_id VARCHAR, kode_kabkota VARCHAR, nama VARCHAR, alasan VARCHAR);
CREATE OR REPLACE TABLE ref_campaign_target (
    campaign_id VARCHAR, kode_kabkota VARCHAR, activity VARCHAR, target INTEGER);
CREATE OR REPLACE TABLE ref_campaign_day (
    campaign_id VARCHAR, tanggal DATE, is_working_day BOOLEAN, is_holiday BOOLEAN,
    working_day_no INTEGER);
"""
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
            "AND table_schema = 'main' AND table_catalog = current_database()",
            [name],
        ).fetchone()[0]
        > 0
    )


def listed_by_rule(con: duckdb.DuckDBPyConnection, rule: str, config: Config) -> list[str]:
    """The kab/kota a campaign's `targets_from` rule names, before extras and exclusions."""
    if rule == "none":
        return []
    has_mart = _table_exists(con, "mart_target_list")
    if rule == "target_list":
        if not has_mart:
            raise CampaignConfigError(
                "targets_from = 'target_list' needs mart_target_list "
                "(the stunting marts), which this build does not have"
            )
        where = "selected AND above"
    elif has_mart:
        where = "reference = 'ssgi_2024' AND above"
    else:
        return [
            r[0]
            for r in con.execute(
                "SELECT kode FROM ref_kabkota WHERE round(stunting_ssgi_2024, 1) > round(?, 1) "
                "ORDER BY kode", [config.target_list.ssgi_2024_provincial]
            ).fetchall()
        ]
    return [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT kode_kabkota FROM mart_target_list WHERE {where} ORDER BY 1"
        ).fetchall()
    ]


def _rows(campaign: Campaign, names: dict[str, str], listed: list[str]):
    calendar = campaign.calendar()
    weekdays = ",".join(DAY_NAMES[d] for d in sorted(campaign.working_weekdays))
    head = (
        campaign.id,
        campaign.name,
        campaign.start,
        campaign.end,
        len(calendar),
        campaign.n_working_days,
        weekdays,
        campaign.on_track_tolerance,
        campaign.targets_from,
        campaign.pre_months,
        campaign.post_days,
        campaign.prevalence_bins,
        campaign.size_bins,
    )
    targets = campaign.target_kabkota(listed)
    kabkota = [(campaign.id, kode, names.get(kode), why) for kode, why in targets.items()]
    target_rows = [
        (campaign.id, kode, activity, campaign.target_for(kode, activity))
        for kode in targets
        for activity in ACTIVITIES
        if campaign.target_for(kode, activity) is not None
    ]
    days = [
        (campaign.id, d.tanggal, d.is_working_day, d.is_holiday, d.working_day_no) for d in calendar
    ]
    return head, kabkota, target_rows, days


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """All rows in one statement (executemany runs one statement per row: slow)."""
    if rows:
        values = ", ".join(["(" + ", ".join("?" * len(rows[0])) + ")"] * len(rows))
        con.execute(f"INSERT INTO {table} VALUES {values}", [v for row in rows for v in row])


def build(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    names = dict(
        con.execute("SELECT kode, nama FROM ref_wilayah WHERE tingkat = 'kabkota'").fetchall()
    )
    campaigns = configured_campaigns(config, known_kabkota=names)
    con.execute(SCHEMA)
    _insert(
        con,
        "ref_intervensi_activity",
        [(code, label, i + 1) for i, (code, label) in enumerate(ACTIVITIES.items())],
    )
    for campaign in campaigns:
        head, kabkota, targets, days = _rows(
            campaign, names, listed_by_rule(con, campaign.targets_from, config)
        )
        _insert(con, "ref_campaign", [head])
        _insert(con, "ref_campaign_kabkota", kabkota)
        _insert(con, "ref_campaign_target", targets)
        _insert(con, "ref_campaign_day", days)
