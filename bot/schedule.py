"""When the digest goes out (``Schedule``): read from COACH_DIGEST_SCHEDULE or a workspace's option.

Its own module, not the digest's: the settings (bot.config) and the options (bot.workspace_options)
check a schedule, and neither should import the digest, which imports the reports and the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.timezones import DEFAULT_ZONE, local_time

_SCHEDULE = re.compile(
    r"^\s*(mon|tue|wed|thu|fri|sat|sun|daily|every\s*day)[a-z]*\s+(\d{1,2}):(\d{2})\s*$", re.IGNORECASE
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CADENCE_DAYS = {"weekly": 7, "daily": 1}


@dataclass(frozen=True)
class Schedule:
    """When the digest goes out: a weekday ("mon 09:00") or every day ("daily 09:00"), at a
    time of the team's zone (the one set in Slack, else COACH_TZ)."""

    weekday: int | None  # None: every day
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> Schedule:
        match = _SCHEDULE.match(text or "")
        if not match:
            raise ValueError(
                f"schedule {text!r} not understood: use a weekday and a time, like 'mon 09:00', or 'daily 09:00'"
            )
        hour, minute = int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(f"schedule {text!r}: the time must be between 00:00 and 23:59")
        word = match.group(1).lower()
        return cls(None if word.startswith(("daily", "every")) else _DAYS.index(word[:3]), hour, minute)

    @property
    def cadence(self) -> str:
        return "daily" if self.weekday is None else "weekly"

    @property
    def days(self) -> int:
        """The period a scheduled digest covers."""
        return CADENCE_DAYS[self.cadence]

    def last_due(self, now: float, tz: str = DEFAULT_ZONE) -> float:
        """The most recent scheduled moment at or before ``now`` (epoch seconds), in zone ``tz``."""
        current = local_time(now, tz)
        slot = current.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.weekday is not None:
            slot -= timedelta(days=(current.weekday() - self.weekday) % 7)
        if slot > current:
            slot -= timedelta(days=7 if self.weekday is not None else 1)
        return slot.timestamp()  # aware arithmetic is wall-clock: across DST the slot keeps its local time
