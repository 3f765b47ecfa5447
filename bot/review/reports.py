"""Turn stored flags into what a manager reviews: one data shape, rendered elsewhere.

Periods are whole days in the team's time zone ending today ("7d" = today and the six days
before; COACH_TZ, UTC by default, see bot.timezones), so a report is the same whichever
hour it is read, and it can be answered from the rollups: a 90-day report over a million
flags reads a few thousand rows. In UTC the daily rollup answers everything; in another
zone it answers the UTC days wholly inside the period, the flags of the two part-days at
its edges are counted directly, and the daily series come from the quarter-hour rollup.
Reports narrowed to one channel or agent count the (far fewer) matching flags directly,
with the same rules.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.models import CATEGORIES, Flag
from bot.report_dimensions import DIMENSIONS, Dimension, flag_dimensions
from bot.store import Store
from bot.store.rollups import SLOT
from bot.timezones import DAY, DEFAULT_ZONE, day_label, day_start, is_utc, local_day

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
    """Whole local days of ``tz``: [start, end), the last of them today."""

    first_day: int  # days since 1970-01-01 in the zone (UTC: the rollup's day numbers)
    days: int
    tz: str = DEFAULT_ZONE

    @classmethod
    def last(cls, days: int, now: float | None = None, tz: str = DEFAULT_ZONE) -> Period:
        today = local_day(now if now is not None else time.time(), tz)
        return cls(first_day=today - days + 1, days=days, tz=tz)

    @property
    def last_day(self) -> int:
        return self.first_day + self.days - 1

    @property
    def start(self) -> float:
        return day_start(self.first_day, self.tz)

    @property
    def end(self) -> float:
        return day_start(self.last_day + 1, self.tz)

    def boundaries(self) -> list[float]:
        """The start of every day and the end of the last: days + 1 instants."""
        return [day_start(day, self.tz) for day in range(self.first_day, self.last_day + 2)]

    def previous(self) -> Period:
        return Period(first_day=self.first_day - self.days, days=self.days, tz=self.tz)

    @property
    def label(self) -> str:
        first, last = day_label(self.first_day), day_label(self.last_day)
        ago = local_day(time.time(), self.tz) - self.last_day
        if self.days == 1:
            return f"{ {0: 'today', 1: 'yesterday'}.get(ago, 'one day') } ({last}, {self.tz})"
        span = f"last {self.days} days" if ago == 0 else f"{self.days} days"
        return f"{span} ({first} to {last}, {self.tz})"


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
class Outcomes:
    """What the nudges did: sent, messages edited into clean ones after one, and the votes of the
    agents they went to (one a nudge)."""

    nudges_sent: int = 0
    edited_after_nudge: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def helpful_rate(self) -> float | None:
        votes = self.helpful + self.not_helpful
        return self.helpful / votes if votes else None


@dataclass(frozen=True)
class Report:
    period: Period
    total: int
    previous_total: int
    breakdowns: tuple[tuple[str, tuple[Named, ...]], ...]  # per declared dimension (DIMENSIONS), its rows
    daily: tuple[tuple[str, int], ...]
    nudges_sent: int
    nudges_failed: tuple[tuple[str, int], ...]
    rule_feedback: tuple[RuleFeedback, ...]
    channel: str | None = None
    agent: str | None = None
    manager_view: bool = True
    flags: tuple[Flag, ...] = field(default=())
    multi_category: int = 0  # flags with two or more categories
    daily_by_category: tuple[tuple[str, tuple[int, ...]], ...] = ()  # per category, one count a day
    previous_by_category: tuple[tuple[str, int], ...] = ()
    previous_daily: tuple[int, ...] = ()  # the period before, day by day (the chart's trend line)
    votes: tuple[int, int] = (0, 0)  # nudges voted (helpful, not helpful); rule_feedback counts per rule

    def rows(self, dimension: str) -> tuple[Named, ...]:
        """One dimension's rows (key as ``id``), in the order its declaration gives."""
        return dict(self.breakdowns).get(dimension, ())

    def counts(self, dimension: str) -> tuple[tuple[str, int], ...]:
        return tuple((row.id, row.count) for row in self.rows(dimension))

    @property
    def by_category(self) -> tuple[tuple[str, int], ...]:
        return self.counts("category")

    @property
    def by_severity(self) -> tuple[tuple[str, int], ...]:
        return self.counts("severity")

    @property
    def by_source(self) -> tuple[tuple[str, int], ...]:
        """live (nudged as posted) and scan (found in history)."""
        return self.counts("source")

    @property
    def by_channel(self) -> tuple[Named, ...]:
        return self.rows("channel")

    @property
    def by_agent(self) -> tuple[Named, ...]:
        return self.rows("agent")

    @property
    def top_rules(self) -> tuple[tuple[str, int], ...]:
        return self.counts("rule")

    @property
    def top_phrases(self) -> tuple[tuple[str, int], ...]:
        return self.counts("phrase")

    @property
    def struggles(self) -> tuple[tuple[str, int], ...]:
        return self.counts("struggle")

    @property
    def statuses(self) -> tuple[tuple[str, int], ...]:
        return self.counts("status")

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
    def live(self) -> int:
        return dict(self.by_source).get("live", 0)

    @property
    def scanned(self) -> int:
        return dict(self.by_source).get("scan", 0)

    @property
    def category_total(self) -> int:
        """The categories added up: more than ``total`` when a flag carries two."""
        return sum(n for _, n in self.by_category)

    @property
    def helpful_rate(self) -> float | None:
        votes = self.helpful + self.not_helpful
        return self.helpful / votes if votes else None

    def category_trend(self, category: str) -> float | None:
        before = dict(self.previous_by_category).get(category, 0)
        if not before:
            return None
        return (dict(self.by_category).get(category, 0) - before) / before

    @property
    def helpful(self) -> int:
        """Nudges voted helpful (one vote a nudge, however many rules it carried)."""
        return self.votes[0]

    @property
    def not_helpful(self) -> int:
        return self.votes[1]

    @property
    def outcomes(self) -> Outcomes:
        return Outcomes(self.nudges_sent, self.edited_after_nudge, self.helpful, self.not_helpful)

    @property
    def scope(self) -> str:
        parts = []
        if self.channel:
            parts.append(f"channel {self.channel}")
        if self.agent:
            parts.append(f"agent {self.agent}")
        return ", ".join(parts) or "all channels"


def build_report(
    store: Store,
    days: int = 7,
    *,
    channel: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    manager: bool = True,
    include_flags: bool = False,
    now: float | None = None,
    since: float | None = None,
    until: float | None = None,
    tz: str = DEFAULT_ZONE,
) -> Report:
    """Everything a review needs for one period. ``manager=False`` leaves out other agents.

    ``since``/``until`` (epoch seconds) are accepted for callers that think in instants;
    they are widened to whole days of ``tz``.
    """
    if since is not None:
        end = until if until is not None else (now if now is not None else time.time())
        days = max(1, local_day(end, tz) - local_day(since, tz) + 1)
        now = end
    period = Period.last(days, now, tz)
    current = _counts(store, period, channel, agent, team)
    previous = _counts(store, period.previous(), channel, agent, team, light=True)
    dims = current.dims
    feedback, votes = _rule_feedback(store, period, channel, agent, team)
    sent, failed = _nudges(store, period, channel, agent, team)
    names = {kind: store.names(kind, team) for kind in ("channel", "agent")}
    breakdowns = tuple(
        (d.name, _rows(d, dims[d.name], names.get(d.names or "", {})))
        for d in DIMENSIONS
        if manager or not d.managers_only
    )
    return Report(
        period=period,
        total=sum(current.daily),
        previous_total=sum(previous.daily),
        breakdowns=breakdowns,
        daily=tuple((day_label(period.first_day + i), n) for i, n in enumerate(current.daily)),
        nudges_sent=sent,
        nudges_failed=failed,
        rule_feedback=feedback,
        channel=channel,
        agent=agent,
        manager_view=manager,
        flags=tuple(store.flags(since=period.start, until=period.end, channel=channel, agent=agent, team=team))
        if include_flags
        else (),
        multi_category=sum(dims["multi"].values()),
        daily_by_category=tuple((c, current.daily_by_category[c]) for c in CATEGORIES),
        previous_by_category=tuple((c, previous.dims["category"][c]) for c in CATEGORIES),
        previous_daily=previous.daily,
        votes=votes,
    )


def agent_outcomes(
    store: Store, report: Report, *, team: str | None = None, limit: int | None = None
) -> tuple[tuple[Named, Outcomes], ...]:
    """Each agent of a manager's ``report``, by name, with their coaching outcomes in its period
    and channel: the numbers App Home's drill-down (``build_report(agent=…).outcomes``) shows for
    one agent, for every agent at once. The same queries as build_report's, grouped by agent, so
    a 90-day list over a million flags costs three queries, not a report per agent. Ordered by
    name, never by how often they were flagged; ``limit``: the first names."""
    agents = sorted(report.by_agent, key=lambda a: (a.name.lower(), a.id))[:limit]
    period, channel = report.period, report.channel
    sent: Counter[str] = Counter()
    for (user, status, _reason), n in store.nudge_counts(period.start, period.end, channel, None, team).items():
        sent[user] += n if status == "sent" else 0
    votes = store.vote_counts(period.start, period.end, channel, None, team)
    edited = store.status_by_agent(period.start, period.end, "edited", channel, team)
    return tuple(
        (
            agent,
            Outcomes(
                sent[agent.id],
                edited.get(agent.id, 0),
                votes.get((agent.id, "helpful"), 0),
                votes.get((agent.id, "not_helpful"), 0),
            ),
        )
        for agent in agents
    )


def known(store: Store, kind: str) -> dict[str, str]:
    """Every channel or agent ("channel" | "agent") a report can be narrowed to: id -> name.

    The names table covers everything flagged with a name; the indexed DISTINCT adds ids
    stored without one (live flags before the name was looked up).
    """
    found = {flagged: flagged for flagged in store.flagged_ids(kind)}
    found.update({key: name or key for key, name in store.names(kind).items()})
    return found


def flagged_in(store: Store, kind: str, days: int, team: str | None = None) -> dict[str, str]:
    """The channels or agents ("channel" | "agent") a team's flags named in the last ``days``
    days: id -> name (the id when no name is known). Read from the daily rollup: a few
    thousand rows, for App Home's pickers."""
    first = local_day(time.time()) - days
    found = {key: key for key in store.rollup_keys(kind, first, team)}
    found.update({key: name or key for key, name in store.names(kind, team).items() if key in found})
    return found


@dataclass
class _Counts:
    """One period counted: every dimension, and the totals and categories day by day."""

    dims: dict[str, Counter[str]]
    daily: tuple[int, ...]
    daily_by_category: dict[str, tuple[int, ...]]


def _counts(
    store: Store, period: Period, channel: str | None, agent: str | None, team: str | None, light: bool = False
) -> _Counts:
    """``light``: totals and categories only (the period before: its trend and its line on the chart)."""
    dims: defaultdict[str, Counter[str]] = defaultdict(Counter)
    per_day: Counter[tuple[str, str, int]] = Counter()  # ("total", "", day) and ("category", name, day)
    index = _DayIndex(period)
    times = _TimeKeys(period.tz, dims) if not light else None  # the dimensions read from a flag's instant
    day: int | None  # a rollup day, or a quarter hour's day of the period (None: not looked up yet)
    if channel or agent:
        _count_rows(store, period.start, period.end, channel, agent, team, dims, per_day, index, times)
    elif is_utc(period.tz):
        for day, dim, key, n in store.rollup(period.first_day, period.last_day, team):
            dims[dim][key] += n
            if dim in ("total", "category"):
                per_day[(dim, key, day - period.first_day)] += n
        if times is not None and times.dimensions:
            for slot, _dim, _key, n in store.slot_rollup(period.start, period.end, team, dim="total"):
                times.count(slot, n)
    else:
        start, end = period.start, period.end
        first_whole, last_whole = int(-(-start // DAY)), int(end // DAY) - 1  # UTC days inside the period
        if light:
            pass  # the quarter hours below hold all it needs
        elif first_whole > last_whole:
            _count_rows(store, start, end, None, None, team, dims, None, index)
        else:
            for _day, dim, key, n in store.rollup(first_whole, last_whole, team):
                dims[dim][key] += n
            _count_rows(store, start, first_whole * DAY, None, None, team, dims, None, index)
            _count_rows(store, (last_whole + 1) * DAY, end, None, None, team, dims, None, index)
        day_of: dict[int, int] = {}
        for slot, dim, key, n in store.slot_rollup(start, end, team):
            day = day_of.get(slot)
            if day is None:
                day = day_of[slot] = index.of(slot * SLOT)
            per_day[(dim, key, day)] += n
            if times is not None and dim == "total":
                times.count(slot, n)
        dims["total"] = Counter({"": sum(n for (dim, _k, _d), n in per_day.items() if dim == "total")})
        if light:
            for (dim, key, _day), n in per_day.items():
                if dim == "category":
                    dims["category"][key] += n
    days = range(period.days)
    return _Counts(
        dims=dims,
        daily=tuple(per_day[("total", "", d)] for d in days),
        daily_by_category={c: tuple(per_day[("category", c, d)] for d in days) for c in CATEGORIES},
    )


class _DayIndex:
    """Which day of a period an instant falls on (days of 23 or 25 hours included)."""

    def __init__(self, period: Period) -> None:
        self.bounds = period.boundaries()

    def of(self, seconds: float) -> int:
        return min(max(bisect_right(self.bounds, seconds) - 1, 0), len(self.bounds) - 2)


class _TimeKeys:
    """The dimensions read from when a flag was raised (``of_time``, say the hour of day in the
    team's zone): not in the daily rollup, so counted from the quarter-hour rollup's totals (every
    real zone's hours start on a quarter hour, so this is exact) or from the narrowed rows."""

    def __init__(self, tz: str, dims: defaultdict[str, Counter[str]]) -> None:
        self.tz, self.dims = tz, dims
        self.dimensions = [d for d in DIMENSIONS if d.of_time is not None]
        self._keys: dict[int, list[tuple[str, str]]] = {}

    def count(self, slot: int, n: int = 1) -> None:
        keys = self._keys.get(slot)
        if keys is None:
            keys = self._keys[slot] = [
                (d.name, d.of_time(slot * SLOT, self.tz)) for d in self.dimensions if d.of_time is not None
            ]
        for name, key in keys:
            self.dims[name][key] += n


def _count_rows(
    store: Store,
    start: float,
    end: float,
    channel: str | None,
    agent: str | None,
    team: str | None,
    dims: defaultdict[str, Counter[str]],
    per_day: Counter[tuple[str, str, int]] | None,
    index: _DayIndex,
    times: _TimeKeys | None = None,
) -> None:
    """Count the flags of [start, end) one by one, with the rollup's dimensions (and, given
    ``per_day``, the totals and categories of each day; given ``times``, the instant's)."""
    if end <= start:
        return
    for created_at, *columns in store.flag_dimension_rows(start, end, channel, agent, team):
        day = index.of(float(created_at)) if per_day is not None else 0
        if times is not None and times.dimensions:
            times.count(int(float(created_at) // SLOT))
        for dim, key in flag_dimensions(*columns):
            dims[dim][key] += 1
            if per_day is not None and dim in ("total", "category"):
                per_day[(dim, key, day)] += 1


def _rule_feedback(
    store: Store, period: Period, channel: str | None, agent: str | None, team: str | None
) -> tuple[tuple[RuleFeedback, ...], tuple[int, int]]:
    """Votes per rule (what the advice and false-positive rates use), and nudges voted on."""
    votes: dict[str, Counter[str]] = {}
    for rule, verdict, n in store.rule_votes(period.start, period.end, channel, agent, team):
        votes.setdefault(rule or "(none)", Counter())[verdict] += n
    voted: Counter[str] = Counter()
    for (_agent, verdict), n in store.vote_counts(period.start, period.end, channel, agent, team).items():
        voted[verdict] += n
    result = []
    for rule, counter in votes.items():
        helpful, not_helpful = counter["helpful"], counter["not_helpful"]
        advice = ""
        votes_total = helpful + not_helpful
        if votes_total >= MIN_VOTES_FOR_ADVICE and not_helpful / votes_total >= FALSE_POSITIVE_ADVICE_RATE:
            advice = (
                f"{not_helpful} of {votes_total} agents found '{rule}' unhelpful: add an exception "
                f"or counter-example to its rule file, or mute it"
            )
        result.append(RuleFeedback(rule, helpful, not_helpful, advice))
    result.sort(key=lambda r: (-r.not_helpful, -r.helpful, r.rule))
    return tuple(result), (voted["helpful"], voted["not_helpful"])


def _nudges(
    store: Store, period: Period, channel: str | None, agent: str | None, team: str | None
) -> tuple[int, tuple[tuple[str, int], ...]]:
    sent = 0
    failed: Counter[str] = Counter()
    for (_user, status, reason), n in store.nudge_counts(period.start, period.end, channel, agent, team).items():
        if status == "sent":
            sent += n
        else:
            failed[reason or status] += n
    return sent, tuple(failed.most_common())


def _rows(dimension: Dimension, counter: Counter[str], names: dict[str, str]) -> tuple[Named, ...]:
    """A dimension's counts as its declaration orders them (see bot.report_dimensions.Dimension)."""
    if dimension.order == "fixed":
        return tuple(Named(key, names.get(key, key), counter[key]) for key in dimension.keys)
    rows = [Named(key, names.get(key, key), n) for key, n in counter.items() if n > 0]
    rows.sort(key=(lambda r: r.id) if dimension.order == "key" else (lambda r: (-r.count, r.name)))
    return tuple(rows[: dimension.limit] if dimension.limit else rows)


def sparkline(values: list[int] | tuple[int, ...]) -> str:
    """A trend at a glance: ▁▂▃▄▅▆▇█ scaled to the busiest day."""
    bars = "▁▂▃▄▅▆▇█"
    top = max(values, default=0)
    if top <= 0:
        return bars[0] * len(values)
    return "".join(bars[min(len(bars) - 1, round(v / top * (len(bars) - 1)))] for v in values)
