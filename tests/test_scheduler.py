"""The running bot's clock: weekly digest and daily purge, driven by a fake clock."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from bot.review.digest import Schedule
from bot.review.scheduler import Scheduler
from bot.store import Store
from bot.timezones import DAY
from tests.factories import NOW, make_flag
from tests.fakes import FakeServer


def test_schedule_last_due() -> None:
    schedule = Schedule.parse("Mon 09:00")
    due = schedule.last_due(NOW)  # NOW is a Sunday
    assert NOW - 7 * DAY < due <= NOW
    assert Schedule.parse("sun 23:59").last_due(NOW) < NOW


def test_digest_goes_out_once_per_slot_and_purge_daily(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.add_flags([make_flag(i, days_ago=i % 5) for i in range(10)] + [make_flag(99, days_ago=200)])
    posted: list[tuple[str, str]] = []
    clock = [NOW]
    settings = Settings(digest_channel="CDIGEST", digest_schedule="mon 09:00", retention_days=90)
    scheduler = Scheduler(settings, store, lambda c, d: posted.append((c, d.text)), clock=lambda: clock[0])
    assert scheduler.tick() == ["purge"]  # fresh install: no digest yet, old data purged
    assert len(store.flags()) == 10
    clock[0] += 0.9 * DAY  # past Monday 09:00, less than a day after the purge
    assert scheduler.tick() == ["digest"]
    assert posted[0][0] == "CDIGEST" and "Weekly coaching digest" in posted[0][1]
    assert scheduler.tick() == []  # not twice for the same slot
    clock[0] += 7 * DAY
    assert scheduler.tick() == ["digest", "purge"]


def test_a_damaged_digest_record_does_not_stop_the_purge(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.add_flags([make_flag(1, days_ago=1), make_flag(99, days_ago=200)])
    store.set_meta("digest_last_sent", "not a time")  # what a hand edit or a half-restored backup leaves
    posted: list[str] = []
    settings = Settings(digest_channel="CDIGEST", digest_schedule="mon 09:00", retention_days=90)
    scheduler = Scheduler(settings, store, lambda c, d: posted.append(c), clock=lambda: NOW + DAY)
    assert scheduler.tick() == ["purge"]  # it used to raise before the purge was tried
    assert len(store.flags()) == 1 and posted == []


def test_digest_post_cli_uses_slack_api_url(tmp_path: Path, monkeypatch) -> None:
    Store(tmp_path / "d.db").close()  # the digest refuses a database that does not exist
    with FakeServer() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-x")
        monkeypatch.setenv("SLACK_API_URL", slack.url + "api/")
        monkeypatch.setenv("COACH_DIGEST_CHANNEL", "CDIGEST")
        result = CliRunner().invoke(cli, ["digest", "--post", "--db", str(tmp_path / "d.db")])
        assert result.exit_code == 0, result.output
        call = slack.calls_to("/api/chat.postMessage")[0]
        assert call.body["channel"] == "CDIGEST" and "Weekly coaching digest" in call.body["text"]
        slack.handlers["/api/chat.postMessage"] = lambda c: (200, {}, {"ok": False, "error": "channel_not_found"})
        failed = CliRunner().invoke(cli, ["digest", "--post", "--db", str(tmp_path / "d.db")])
        assert failed.exit_code == 1 and "channel_not_found" in failed.output


def test_schedule_in_a_time_zone_keeps_its_wall_clock_time_across_dst() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    name = "Europe/Amsterdam"
    zone = ZoneInfo(name)
    schedule = Schedule.parse("mon 09:00")
    summer = datetime(2025, 10, 20, 12, 0, tzinfo=zone).timestamp()  # a Monday, CEST (UTC+2)
    winter = datetime(2025, 10, 27, 12, 0, tzinfo=zone).timestamp()  # the Monday after the change, CET (UTC+1)
    assert datetime.fromtimestamp(schedule.last_due(summer, name), tz=zone).hour == 9
    assert datetime.fromtimestamp(schedule.last_due(winter, name), tz=zone).hour == 9
    assert schedule.last_due(winter, name) - schedule.last_due(summer, name) == 7 * DAY + 3600
    assert schedule.last_due(summer) - schedule.last_due(summer, name) == 2 * 3600  # 09:00 UTC is 11:00 there


def test_digest_post_cli_uses_the_channel_set_in_slack(tmp_path: Path, monkeypatch) -> None:
    store = Store(tmp_path / "d.db")
    store.set_option("digest_channel", "C0SLACKSET", team="T1", actor="UMANAGER")
    store.close()
    with FakeServer() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-x")
        monkeypatch.setenv("SLACK_API_URL", slack.url + "api/")
        monkeypatch.setenv("COACH_DIGEST_CHANNEL", "CDIGEST")
        result = CliRunner().invoke(cli, ["digest", "--post", "--db", str(tmp_path / "d.db")])
        assert result.exit_code == 0, result.output
        assert [c.body["channel"] for c in slack.calls_to("/api/chat.postMessage")] == ["C0SLACKSET"]
        result = CliRunner().invoke(cli, ["digest", "--post", "--db", str(tmp_path / "d.db"), "--team", ""])
        assert result.exit_code == 0, result.output
        assert slack.calls_to("/api/chat.postMessage")[-1].body["channel"] == "CDIGEST"  # no workspace: the env's
