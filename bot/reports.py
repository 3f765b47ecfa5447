"""Turn stored flags into what a manager reviews: one data shape, rendered elsewhere.

Periods are whole UTC days ending today ("7d" = today and the six days before), so a report
is the same whichever hour it is read, and it can be answered from the daily rollup: a
90-day report over a million flags reads a few thousand rows. Reports narrowed to one
channel or agent count the (far fewer) matching flags directly, with the same rules.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.models import CATEGORIES, SEVERITIES, Flag
from bot.store import DAY, Store, flag_dimensions

TOP = 10
MIN_VOTES_FOR_ADVICE = 3
FALSE_POSITIVE_ADVICE_RATE = 0.4
_PERIOD = re.compile(r"^\s*(\d{1,4})\s*([dw]?)\s*$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period like '7d' could not be read."""


def parse_days(text: str | int | None, default: int = 7) -> int:
    """'7d' -> 7, '2w' -> 14, '30' -> 30; at most ten years."""
    if text is None or text == "":
        return default
    if isinstance(text, int):
        days = text
    else:
        match = _PERIOD.match(text)
        if not match:
            raise PeriodError(f"period {text!r} not understood: use days or weeks, like 7d, 30d or 2w")
        days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if not 1 <= days <= 3660:
        raise PeriodError(f"period must be between 1 day and 10 years, not {days} days")
    return days


@dataclass(frozen=True)
class Period:
    """Whole UTC days: [start, end), the last of them today."""

    first_day: int
    days: int

    @classmethod
    def last(cls, days: int, now: float | None = None) -> Period:
        today = int((now if now is not None else time.time()) // DAY)
        return cls(first_day=today - days + 1, days=days)

    @property
    def last_day(self) -> int:
        return self.first_day + self.days - 1

    @property
    def start(self) -> float:
        return float(self.first_day * DAY)

    @property
    def end(self) -> float:
        return float((self.last_day + 1) * DAY)

    def previous(self) -> Period:
        return Period(first_day=self.first_day - self.days, days=self.days)

    @property
    def label(self) -> str:
        first, last = _date(self.start), _date(self.end - 1)
        span = "today" if self.days == 1 else f"last {self.days} days"
        return f"{span} ({first} to {last}, UTC)" if self.days > 1 else f"{span} ({last}, UTC)"


@dataclass(frozen=True)
class RuleFeedback:
    rule: str
    helpful: int
    not_helpful: int
    advice: str = ""

    @property
    def false_positive_rate(self) -> float:
        votes = self.helpful + self.not_helpful
        return self.not_helpful / votes if votes else 0.0


@dataclass(frozen=True)
class Named:
    """A channel or agent with its count; name falls back to the id."""

    id: str
    name: str
    count: int


@dataclass(frozen=True)
class Report:
    period: Period
    total: int
    previous_total: int
    by_category: tuple[tuple[str, int], ...]
    by_severity: tuple[tuple[str, int], ...]
    by_channel: tuple[Named, ...]
    by_agent: tuple[Named, ...]
    top_rules: tuple[tuple[str, int], ...]
    top_phrases: tuple[tuple[str, int], ...]
    struggles: tuple[tuple[str, int], ...]
    daily: tuple[tuple[str, int], ...]
    statuses: tuple[tuple[str, int], ...]
    nudges_sent: int
    nudges_failed: tuple[tuple[str, int], ...]
    rule_feedback: tuple[RuleFeedback, ...]
    channel: str | None = None
    agent: str | None = None
    manager_view: bool = True
    flags: tuple[Flag, ...] = field(default=())

    @property
    def trend(self) -> float | None:
        """Change against the previous period, as a fraction (None when there was nothing before)."""
        if not self.previous_total:
            return None
        return (self.total - self.previous_total) / self.previous_total

    @property
    def edited_after_nudge(self) -> int:
        return dict(self.statuses).get("edited", 0)

    @property
    def helpful(self) -> int:
        return sum(r.helpful for r in self.rule_feedback)

    @property
    def not_helpful(self) -> int:
        return sum(r.not_helpful for r in self.rule_feedback)

    @property
    def scope(self) -> str:
        parts = []
        if self.channel:
            parts.append(f"channel {self.channel}")
        if self.agent:
            parts.append(f"agent {self.agent}")
        return ", ".join(parts) or "all channels"


def build_report(store: Store, days: int = 7, *, channel: str | None = None, agent: str | None = None,
                 team: str | None = None, manager: bool = True, include_flags: bool = False,
                 now: float | None = None, since: float | None = None, until: float | None = None) -> Report:
    """Everything a review needs for one period. ``manager=False`` leaves out other agents.

    ``since``/``until`` (epoch seconds) are accepted for callers that think in instants;
    they are widened to whole days.
    """
    if since is not None:
        end = until if until is not None else (now if now is not None else time.time())
        days = max(1, int(end // DAY) - int(since // DAY) + 1)
        now = end
    period = Period.last(days, now)
    current = _counts(store, period, channel, agent, team)
    previous = _counts(store, period.previous(), channel, agent, team)
    channel_names = store.names("channel", team)
    agent_names = store.names("agent", team)
    totals_by_day = {day: n for (dim, key, day), n in current.items() if dim == "total"}
    dims: dict[str, Counter[str]] = {}
    for (dim, key, _day), n in current.items():
        dims.setdefault(dim, Counter())[key] += n
    total = sum(dims.get("total", Counter()).values())
    previous_total = sum(n for (dim, _k, _d), n in previous.items() if dim == "total")
    feedback = _rule_feedback(store, period, channel, agent, team)
    sent, failed = _nudges(store, period, channel, agent, team)
    return Report(
        period=period,
        total=total,
        previous_total=previous_total,
        by_category=tuple((c, dims.get("category", Counter())[c]) for c in CATEGORIES),
        by_severity=tuple((s, dims.get("severity", Counter())[s]) for s in reversed(SEVERITIES)),
        by_channel=_named(dims.get("channel", Counter()), channel_names, limit=None),
        by_agent=_named(dims.get("agent", Counter()), agent_names, limit=None) if manager else (),
        top_rules=_top(dims.get("rule")),
        top_phrases=_top(dims.get("phrase")),
        struggles=_top(dims.get("struggle")),
        daily=tuple((_date(day * DAY), totals_by_day.get(day, 0))
                    for day in range(period.first_day, period.last_day + 1)),
        statuses=tuple(sorted((k, n) for k, n in dims.get("status", Counter()).items() if n)),
        nudges_sent=sent,
        nudges_failed=failed,
        rule_feedback=feedback,
        channel=channel,
        agent=agent,
        manager_view=manager,
        flags=tuple(store.flags(since=period.start, until=period.end, channel=channel, agent=agent, team=team))
        if include_flags else (),
    )


def known(store: Store, kind: str) -> dict[str, str]:
    """Every channel or agent ("channel" | "agent") a report can be narrowed to: id -> name.

    The names table covers everything flagged with a name; the indexed DISTINCT adds ids
    stored without one (live flags before the name was looked up).
    """
    column = {"channel": "channel", "agent": "agent"}[kind]
    found = {str(row[0]): str(row[0]) for row in store.db.execute(f"SELECT DISTINCT {column} FROM flags")}
    found.update({key: name or key for key, name in store.names(kind).items()})
    return found


def _counts(store: Store, period: Period, channel: str | None, agent: str | None,
            team: str | None) -> Counter[tuple[str, str, int]]:
    counts: Counter[tuple[str, str, int]] = Counter()
    if not channel and not agent:
        for day, dim, key, n in store.rollup(period.first_day, period.last_day, team):
            counts[(dim, key, day)] += n
        return counts
    for created_at, *columns in store.flag_dimension_rows(period.start, period.end, channel, agent, team):
        day = int(created_at // DAY)
        for dim, key in flag_dimensions(*columns):
            counts[(dim, key, day)] += 1
    return counts


def _rule_feedback(store: Store, period: Period, channel: str | None, agent: str | None,
                   team: str | None) -> tuple[RuleFeedback, ...]:
    # Only votes by the flag's own agent count: votes on flags that are gone or someone else's
    # (forged before issue 13, or imported) never reach the advice.
    sql = ("SELECT fb.rule, fb.verdict, COUNT(*) FROM feedback fb JOIN flags f ON f.id = fb.flag_id "
           "AND f.agent = fb.user WHERE fb.created_at >= ? AND fb.created_at < ?")
    sql, params = _narrowed(sql, [period.start, period.end], [
        (channel, "(f.channel = ? OR f.channel_name = ?)", [channel, (channel or "").lstrip("#")]),
        (agent, "f.agent = ?", [agent]),
        (team, "fb.team = ?", [team]),
    ])
    votes: dict[str, Counter[str]] = {}
    for rule, verdict, n in store.db.execute(sql + " GROUP BY fb.rule, fb.verdict", params).fetchall():
        votes.setdefault(rule or "(none)", Counter())[verdict] += n
    result = []
    for rule, counter in votes.items():
        helpful, not_helpful = counter["helpful"], counter["not_helpful"]
        advice = ""
        votes_total = helpful + not_helpful
        if votes_total >= MIN_VOTES_FOR_ADVICE and not_helpful / votes_total >= FALSE_POSITIVE_ADVICE_RATE:
            advice = (f"{not_helpful} of {votes_total} agents found '{rule}' unhelpful: add an exception "
                      f"or counter-example to its rule file, or mute it")
        result.append(RuleFeedback(rule, helpful, not_helpful, advice))
    result.sort(key=lambda r: (-r.not_helpful, -r.helpful, r.rule))
    return tuple(result)


def _nudges(store: Store, period: Period, channel: str | None, agent: str | None,
            team: str | None) -> tuple[int, tuple[tuple[str, int], ...]]:
    sql = "SELECT status, reason, COUNT(*) FROM nudges WHERE created_at >= ? AND created_at < ?"
    sql, params = _narrowed(sql, [period.start, period.end], [
        (channel, "(channel = ? OR flag_id IN (SELECT id FROM flags WHERE channel_name = ?))",
         [channel, (channel or "").lstrip("#")]),
        (agent, "user = ?", [agent]),
        (team, "team = ?", [team]),
    ])
    sent = 0
    failed: Counter[str] = Counter()
    for status, reason, n in store.db.execute(sql + " GROUP BY status, reason", params).fetchall():
        if status == "sent":
            sent += n
        else:
            failed[reason or status] += n
    return sent, tuple(failed.most_common())


def _narrowed(sql: str, params: list[object],
              conditions: list[tuple[str | None, str, list[object]]]) -> tuple[str, list[object]]:
    """Add ``AND clause`` (with its parameters) for every condition whose value is set."""
    for value, clause, values in conditions:
        if value:
            sql += f" AND {clause}"
            params = [*params, *values]
    return sql, params


def _top(counter: Counter[str] | None, limit: int = TOP) -> tuple[tuple[str, int], ...]:
    if not counter:
        return ()
    return tuple((k, n) for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0)[:limit]


def _named(counter: Counter[str], names: dict[str, str], limit: int | None) -> tuple[Named, ...]:
    rows = [Named(key, names.get(key, key), n) for key, n in counter.items() if n > 0]
    rows.sort(key=lambda r: (-r.count, r.name))
    return tuple(rows[:limit] if limit else rows)


def _date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d")


def sparkline(values: list[int] | tuple[int, ...]) -> str:
    """A trend at a glance: ▁▂▃▄▅▆▇█ scaled to the busiest day."""
    bars = "▁▂▃▄▅▆▇█"
    top = max(values, default=0)
    if top <= 0:
        return bars[0] * len(values)
    return "".join(bars[min(len(bars) - 1, round(v / top * (len(bars) - 1)))] for v in values)
