"""The team's time zone: where a day starts for periods, the digest's schedule and "today".

A report's "last 7 days" are whole local days, so a manager in New York reading on Monday
morning sees Monday, not a Tuesday-to-Monday window that ends at 19:00 the day before.
COACH_TZ names the zone (an IANA name such as Europe/Berlin; UTC by default); the zone a
manager sets in Slack (``WorkspaceSettings.time_zone``, App Home → Settings) wins over it
(``WorkspaceSettings.zone``).
Days are numbered like UTC epoch days (``local_day``): day 0 is 1970-01-01 in the zone, so
with UTC the numbers are the rollup's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "UTC"
DAY = 86_400  # seconds: epoch days number the rollups, periods, purges and "today"
_EPOCH = date(1970, 1, 1)


class ZoneError(ValueError):
    """A time zone name that is not an IANA zone."""


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    """The zone of an IANA name ("Europe/Berlin"); "" or None is UTC."""
    text = (name or DEFAULT_ZONE).strip() or DEFAULT_ZONE
    if text.upper() == "UTC":
        text = "UTC"
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneError(
            f"unknown time zone {name!r}: use an IANA name such as UTC, Europe/Berlin or America/New_York"
        ) from None


def check_zone(name: str) -> str:
    """The name, once it is known to be a zone (ZoneError otherwise)."""
    zone(name)
    return (name or DEFAULT_ZONE).strip() or DEFAULT_ZONE


def is_utc(name: str | None) -> bool:
    return zone(name).key == "UTC"


def local_day(seconds: float, name: str | None = None) -> int:
    """The local calendar day of an instant, as days since 1970-01-01."""
    local = datetime.fromtimestamp(seconds, tz=zone(name)).date()
    return (local - _EPOCH).days


def day_start(day: int, name: str | None = None) -> float:
    """Epoch seconds of local midnight at the start of ``day`` (23 or 25 hours apart across DST)."""
    local = datetime.combine(_EPOCH + timedelta(days=day), datetime.min.time(), tzinfo=zone(name))
    return local.timestamp()


def day_label(day: int) -> str:
    """YYYY-MM-DD of a day number."""
    return (_EPOCH + timedelta(days=day)).isoformat()


def end_of_day(seconds: float, name: str | None = None) -> float:
    """When the local day holding ``seconds`` ends: "snooze for today" without the agent's own zone."""
    return day_start(local_day(seconds, name) + 1, name)


def local_time(seconds: float, name: str | None = None) -> datetime:
    return datetime.fromtimestamp(seconds, tz=zone(name))


def utc_time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
