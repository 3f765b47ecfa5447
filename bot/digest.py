"""The weekly digest: the manager's report, condensed, posted to COACH_DIGEST_CHANNEL.

Posting goes through an injected function so the core stays free of Slack; the running
bot schedules it (bot.scheduler) and `support-coach digest --post` sends it by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.mrkdwn import channel_ref, escape
from bot.report_format import advice, trend_text
from bot.reports import Report, sparkline

_SCHEDULE = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+(\d{1,2}):(\d{2})\s*$", re.IGNORECASE)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Poster = Callable[[str, str], object]  # (channel, text) -> anything


@dataclass(frozen=True)
class Schedule:
    """When the digest goes out: a weekday and a time of day, e.g. "mon 09:00" (in UTC unless a
    time zone is given: COACH_DIGEST_TZ or the one set in Slack)."""

    weekday: int
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> Schedule:
        match = _SCHEDULE.match(text or "")
        if not match:
            raise ValueError(f"schedule {text!r} not understood: use a weekday and a time, like 'mon 09:00'")
        hour, minute = int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(f"schedule {text!r}: the time must be between 00:00 and 23:59")
        return cls(_DAYS.index(match.group(1).lower()[:3]), hour, minute)

    def last_due(self, now: float, zone: tzinfo = UTC) -> float:
        """The most recent scheduled moment at or before ``now`` (epoch seconds), the time of
        day read in ``zone`` (wall-clock arithmetic: 09:00 stays 09:00 across a DST change)."""
        current = datetime.fromtimestamp(now, tz=zone)
        slot = current.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        slot -= timedelta(days=(current.weekday() - self.weekday) % 7)
        if slot > current:
            slot -= timedelta(days=7)
        return slot.timestamp()


def digest_text(report: Report) -> str:
    """Slack mrkdwn: totals, trend, where, what, and what to fix; no names of agents.

    Channel ids, phrases, topics and rule ids come from Slack or an export: escaped, so the
    digest can never ping a channel or carry a disguised link.
    """
    lines = [
        f"*Weekly coaching digest* · {report.period.label}",
        f"*{report.total}* messages got a private nudge ({trend_text(report)}).",
        f"`{sparkline([n for _, n in report.daily])}`",
    ]
    categories = [f"{escape(name)} {n}" for name, n in report.by_category if n]
    if categories:
        lines.append("*What kind:* " + ", ".join(categories))
    if report.by_channel:
        lines.append("*Where:* " + ", ".join(f"{channel_ref(c.id, c.name)} {c.count}" for c in report.by_channel[:5]))
    if report.top_phrases:
        lines.append("*Most common phrases:* " + ", ".join(f"“{escape(p)}” {n}" for p, n in report.top_phrases[:5]))
    if report.struggles:
        lines.append("*What customers struggled with* (worth a docs or product fix): "
                     + ", ".join(f"{escape(t)} {n}" for t, n in report.struggles[:5]))
    lines.append(f"*Outcomes:* {report.edited_after_nudge} edited after a nudge, {report.helpful} found helpful, "
                 f"{report.not_helpful} marked not helpful.")
    lines += [f"• {escape(tip)}" for tip in advice(report)]
    if not report.total:
        lines.append("A calm week: nothing to coach. Thank the team.")
    return "\n".join(lines)


def send_digest(report: Report, channel: str, post: Poster) -> str:
    """Post the digest; returns the text sent."""
    if not channel:
        raise ValueError("COACH_DIGEST_CHANNEL is not set: name the channel the digest goes to")
    text = digest_text(report)
    post(channel, text)
    return text
