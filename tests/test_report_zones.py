"""Periods in the team's time zone (COACH_TZ): local days, counted from the rollups or the flags."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.review.reports import Period, build_report
from bot.store import Store
from bot.timezones import ZoneError, end_of_day, local_day, zone
from bot.workspace import WorkspaceSettings
from tests.factories import make_flag

# 2025-11-02 is the day the USA leaves summer time: a 25-hour day in New York.
NOW = datetime(2025, 11, 9, 22, 30, tzinfo=ZoneInfo("UTC")).timestamp()
HOUR = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "zones.db")
    flags = []
    for i in range(24 * 20):  # one flag every hour for 20 days, two channels, a few with two categories
        categories = ("blame", "argumentative") if i % 7 == 0 else ("dismissive",) if i % 3 == 0 else ("blame",)
        flags.append(make_flag(i, days_ago=i / 24, channel="C1" if i % 2 else "C2", categories=categories))
    s.add_flags([_at(flag, NOW - i * HOUR) for i, flag in enumerate(flags)])
    yield s
    s.close()


def _at(flag, created: float):
    from dataclasses import replace

    return replace(flag, created_at=created, ts=f"{created:.6f}")


def _by_hand(store: Store, tz: str, days: int) -> tuple[Counter[str], Counter[str], int]:
    today = datetime.fromtimestamp(NOW, ZoneInfo(tz)).date()
    per_day: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    multi = 0
    for flag in store.flags():
        day = datetime.fromtimestamp(flag.created_at, ZoneInfo(tz)).date()
        if 0 <= (today - day).days < days:
            per_day[day.isoformat()] += 1
            categories.update(flag.categories)
            multi += len(flag.categories) > 1
    return per_day, categories, multi


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Adelaide"])
@pytest.mark.parametrize("days", [1, 7, 10])
def test_local_days_are_counted_exactly(store: Store, tz: str, days: int) -> None:
    report = build_report(store, days, now=NOW, tz=tz)
    per_day, categories, multi = _by_hand(store, tz, days)
    assert dict(report.daily) == {d: per_day.get(d, 0) for d, _ in report.daily}
    assert report.total == sum(per_day.values())
    assert dict(report.by_category) == {c: categories.get(c, 0) for c, _ in report.by_category}
    assert report.multi_category == multi
    for category, series in report.daily_by_category:
        assert sum(series) == categories.get(category, 0)
    narrowed = [build_report(store, days, channel=c, now=NOW, tz=tz) for c in ("C1", "C2")]
    assert sum(n.total for n in narrowed) == report.total  # the flags one by one agree with the rollups
    assert [sum(x) for x in zip(*(n.daily_by_category[0][1] for n in narrowed), strict=True)] == list(
        report.daily_by_category[0][1]
    )
    assert report.period.label.endswith(f"{tz})")


def test_the_day_the_clocks_go_back_has_25_hours(store: Store) -> None:
    report = build_report(store, 10, now=NOW, tz="America/New_York")
    assert dict(report.daily)["2025-11-02"] == 25
    period = Period.last(10, NOW, "America/New_York")
    assert period.end - period.start == 10 * 24 * HOUR + HOUR


def test_zone_helpers() -> None:
    assert zone("").key == "UTC" and zone("utc").key == "UTC"
    with pytest.raises(ZoneError):
        zone("Mars/Olympus")
    assert local_day(NOW, "Asia/Tokyo") == local_day(NOW, "UTC") + 1  # 07:30 the next morning in Tokyo
    assert end_of_day(NOW, "UTC") - NOW == 1.5 * HOUR

    assert WorkspaceSettings(time_zone="Europe/Berlin").zone("UTC") == "Europe/Berlin"
    assert WorkspaceSettings().zone("America/New_York") == "America/New_York"
    assert WorkspaceSettings().zone("") == "UTC"
    assert WorkspaceSettings(time_zone="Nowhere/Special").zone("UTC") == "UTC"  # a stored name that is not a zone


def test_purge_and_the_migration_keep_the_quarter_hour_rollup_in_step(store: Store, tmp_path: Path) -> None:
    store.purge(NOW - 5.3 * 24 * HOUR)  # a cut-off in the middle of a day and of a quarter hour
    remaining = len(store.flags())
    assert store.db.execute("SELECT SUM(n) FROM rollup_slot WHERE dim = 'total'").fetchone()[0] == remaining
    report = build_report(store, 10, now=NOW, tz="America/New_York")
    assert report.total == remaining
    # A database from before m004: the quarter hours and the multi-category counts are filled in.
    store.db.execute("DELETE FROM rollup_slot")
    store.db.execute("DELETE FROM rollup WHERE dim = 'multi'")
    store.db.execute("DROP TABLE rollup_slot")
    store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_quarter_hour_rollup'")
    store.db.conn.commit()
    store.close()
    again = Store(store.path)
    migrated = build_report(again, 10, now=NOW, tz="America/New_York")
    assert (migrated.daily, migrated.by_category, migrated.multi_category) == (
        report.daily,
        report.by_category,
        report.multi_category,
    )
    again.close()


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_the_period_before_counts_the_same_from_the_quarter_hours(store: Store, tz: str) -> None:
    report = build_report(store, 7, now=NOW, tz=tz)
    before = build_report(store, 7, now=NOW - 7 * 24 * HOUR, tz=tz)
    assert report.previous_total == before.total
    assert report.previous_by_category == before.by_category
    assert report.previous_daily == tuple(n for _, n in before.daily)
