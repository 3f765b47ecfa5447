"""Report dimensions are declared once (bot.report_dimensions) and every view lists them: the CLI's
table, CSV, JSON and Markdown, the digest, and the Slack report and App Home. The hour of day is
the proof: one declaration, counted in the team's zone, shown everywhere, over a real SQLite file,
the real CLI and the real Bolt app."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.models import Flag
from bot.report_dimensions import DIMENSIONS
from bot.review.digest import Digest
from bot.review.report_format import render
from bot.review.reports import build_report
from bot.slack.report_views import digest_message, home_view, report_message
from bot.store import Store
from bot.timezones import day_start, local_day, local_time
from tests.slack.conftest import MANAGER, Bot

HOUR = 3600
# (hours, minutes) after local midnight two days ago: two flags at 17:xx (end of shift), one each at
# 09:xx and 23:xx; 23:55 and 17:50 sit just before an hour turns, 09:00 on it.
TIMES = ((17, 50), (17, 5), (9, 0), (23, 55))
EXPECTED = {"09": 1, "17": 2, "23": 1}


def _flags(now: float, tz: str) -> list[Flag]:
    midnight = day_start(local_day(now, tz) - 2, tz)
    return [
        Flag(
            team="T1",
            channel="C1" if i % 2 else "C2",
            channel_name="support",
            ts=f"{midnight + i:.6f}",
            agent=f"U{i % 2}",
            agent_name=f"Agent {i % 2}",
            categories=("blame",),
            rules=("should-have",),
            severity="medium",
            excerpt="…",
            phrase="you should have",
            topic="billing",
            source="live" if i % 2 else "scan",
            created_at=midnight + h * HOUR + m * 60,
        )
        for i, (h, m) in enumerate(TIMES)
    ]


def _store(path: Path, now: float, tz: str) -> Store:
    store = Store(path)
    store.add_flags(_flags(now, tz))
    return store


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata"])  # Kolkata: UTC+5:30
def test_hour_of_day_is_counted_in_the_team_zone_from_rollups_and_from_rows(tmp_path: Path, tz: str) -> None:
    now = time.time()
    store = _store(tmp_path / "h.db", now, tz)
    whole = build_report(store, 7, now=now, tz=tz)  # the quarter-hour rollup
    narrowed = build_report(store, 7, now=now, tz=tz, agent="U1")  # raw rows: flags 1 and 3
    assert {k: n for k, n in whole.counts("hour") if n} == EXPECTED
    assert sum(n for _, n in whole.counts("hour")) == whole.total == 4
    assert {k: n for k, n in narrowed.counts("hour") if n} == {"17": 1, "23": 1}
    assert [k for k, _ in whole.counts("hour")] == [f"{h:02d}" for h in range(24)]  # every hour, in order


def _blocks_text(payload: dict) -> str:
    return "\n".join(block["text"]["text"] for block in payload["blocks"] if block.get("type") == "section")


def test_every_declared_dimension_appears_in_every_view_it_declares(tmp_path: Path) -> None:
    now = time.time()
    report = build_report(_store(tmp_path / "d.db", now, "UTC"), 7, now=now)
    table, markdown = render(report, "table"), render(report, "markdown")
    csv_sections = {row["section"] for row in csv.DictReader(io.StringIO(render(report, "csv")))}
    data = json.loads(render(report, "json"))
    home = _blocks_text(home_view(report, True))
    digest = Digest(report).text
    for dimension in DIMENSIONS:
        assert report.rows(dimension.name), dimension.name  # the test data reaches every dimension
        assert ("table" in dimension.views) == (f"\n{dimension.title}\n" in table), dimension.name
        assert ("markdown" in dimension.views) == (f"## {dimension.title}\n" in markdown), dimension.name
        assert ("csv" in dimension.views) == (dimension.csv_key in csv_sections), dimension.name
        assert ("json" in dimension.views) == (dimension.json in data), dimension.name
        assert ("slack" in dimension.views) == (dimension.title in home), dimension.name
        lead = "*What kind:*" if dimension.name == "category" else dimension.digest_lead
        assert ("digest" in dimension.views) == (lead in digest), dimension.name


def test_hour_of_day_in_every_format(tmp_path: Path) -> None:
    now = time.time()
    report = build_report(_store(tmp_path / "f.db", now, "Asia/Kolkata"), 7, now=now, tz="Asia/Kolkata")
    assert "By hour of day\n" in render(report, "table")
    assert re.search(r"17:00–18:00\s+2\n", render(report, "table"))
    assert "| 17:00–18:00 | 2 |" in render(report, "markdown")
    assert "by_hour_of_day,17:00–18:00,2" in render(report, "csv").splitlines()
    assert json.loads(render(report, "json"))["by_hour"] == {f"{h:02d}": EXPECTED.get(f"{h:02d}", 0) for h in range(24)}
    slack = _blocks_text(report_message(report))
    assert "*By hour of day*\n09:00–10:00: 1\n17:00–18:00: 2\n23:00–00:00: 1" in slack
    assert "*By hour of day*\n09:00–10:00: 1" in _blocks_text(digest_message(Digest(report)))
    assert "*When (hour of day, the team's zone):* 09:00–10:00 1, 17:00–18:00 2, 23:00–00:00 1" in Digest(report).text


def test_hour_of_day_through_the_cli_and_slash_report(make_bot, tmp_path: Path) -> None:
    """`support-coach report` and `/coach report` over the same database, the team in New York."""
    bot: Bot = make_bot(time_zone="America/New_York")
    bot.store.add_flags(_flags(time.time(), "America/New_York"))
    result = CliRunner().invoke(
        cli, ["report", "--format", "json", "--db", str(bot.store.path)], env={"COACH_TZ": "America/New_York"}
    )
    assert result.exit_code == 0, result.output
    assert {k: n for k, n in json.loads(result.output)["by_hour"].items() if n} == EXPECTED
    bot.command("report 7d", user=MANAGER)
    reply = bot.slack.wait_for("/response/cmd")[-1].body
    assert "*By hour of day*\n09:00–10:00: 1\n17:00–18:00: 2\n23:00–00:00: 1" in _blocks_text(reply)


@pytest.mark.parametrize("tz", ["UTC", "Pacific/Auckland"])  # Auckland: a UTC evening is its next morning
def test_day_of_the_week_in_the_team_zone_everywhere(tmp_path: Path, tz: str) -> None:
    """The second dimension read from a flag's instant: one declaration, and every view lists it."""
    now = time.time()
    store = _store(tmp_path / "w.db", now, tz)
    report = build_report(store, 7, now=now, tz=tz)
    weekday = local_time(day_start(local_day(now, tz) - 2, tz) + 12 * HOUR, tz).strftime("%A")
    counts = dict(report.counts("weekday"))
    assert list(counts) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert counts[weekday] == 4 and sum(counts.values()) == 4  # all four flags fell two local days ago
    narrowed = build_report(store, 7, now=now, tz=tz, agent="U1")  # from raw rows, not the rollup
    assert dict(narrowed.counts("weekday"))[weekday] == 2
    assert "By day of the week\n" in render(report, "table")
    assert f"| {weekday} | 4 |" in render(report, "markdown")
    assert f"by_day_of_the_week,{weekday},4" in render(report, "csv").splitlines()
    assert json.loads(render(report, "json"))["by_weekday"][weekday] == 4
    assert "*By day of the week*" in _blocks_text(report_message(report))
    assert "day of the week" not in Digest(report).text.lower()
