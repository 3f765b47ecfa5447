"""When a snoozed agent's "today" ends, wherever they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.coaching.nudge import end_of_local_day


def _utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("now", "offset_hours", "expected"),
    [
        (_utc(2026, 11, 24, 1, 0), -8, _utc(2026, 11, 24, 8, 0)),  # 17:00 on the 23rd in San Francisco
        (_utc(2026, 11, 23, 16, 0), 9, _utc(2026, 11, 24, 15, 0)),  # 01:00 on the 24th in Tokyo
        (_utc(2026, 11, 23, 12, 0), 0, _utc(2026, 11, 24, 0, 0)),
        (_utc(2026, 11, 23, 23, 59), 5.5, _utc(2026, 11, 24, 18, 30)),  # 05:29 on the 24th in India
    ],
)
def test_end_of_local_day(now: float, offset_hours: float, expected: float) -> None:
    assert end_of_local_day(now, int(offset_hours * 3600)) == expected


@pytest.mark.parametrize("offset_hours", [-12, -8, -3.5, 0, 1, 5.75, 9, 14])
def test_end_of_local_day_is_the_next_local_midnight(offset_hours: float) -> None:
    zone = timezone(timedelta(hours=offset_hours))
    now = _utc(2026, 3, 29, 0, 30)
    end = datetime.fromtimestamp(end_of_local_day(now, int(offset_hours * 3600)), zone)
    assert (end.hour, end.minute, end.second) == (0, 0, 0)
    assert timedelta(0) < end - datetime.fromtimestamp(now, zone) <= timedelta(days=1)
