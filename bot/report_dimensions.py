"""The report's dimensions, declared once: what a flag counts towards, and how each breakdown is
ordered, titled and shown. Adding a dimension is one ``Dimension`` in ``DIMENSIONS``.

The report builder (bot.review.reports) counts every declared dimension and every format iterates over
them: the table, CSV, JSON and Markdown (bot.review.report_format), the digest (bot.review.digest) and the Slack
report and App Home (bot.slack.report_views). The store's rollups are a cache of exactly the
``of_flag`` counts (bot.store.rollups writes them with each flag through ``flag_dimensions``),
and reports narrowed to a channel or an agent count raw rows with the same functions, so both
always agree. A dimension read from when a flag was raised (``of_time``) is not in the daily
rollup: the report counts it from the quarter-hour rollup's totals, in the team's zone.

Pure: imports only the shared values and the time zones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from bot.models import CATEGORIES, FLAG_SOURCES, SEVERITIES
from bot.timezones import local_time

TOP = 10
ALL_VIEWS = frozenset({"table", "csv", "json", "markdown", "slack", "digest"})
CLI_VIEWS = frozenset({"table", "csv", "json", "markdown"})
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class FlagFacts(NamedTuple):
    """The columns of one flag a report counts by (``flag_dimension_rows`` without created_at)."""

    channel: str
    agent: str
    severity: str
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    phrase: str
    topic: str
    status: str
    source: str


@dataclass(frozen=True)
class Dimension:
    """One breakdown of a report.

    ``of_flag``: the keys one flag counts towards (cached by the rollups); or ``of_time``: the key
    of the instant a flag was raised in the team's zone (from the quarter-hour rollup). ``order``:
    "fixed" lists ``keys`` in their order, zeros included; "count" the largest first (then by
    name), at most ``limit``; "key" the keys with a count, sorted. ``names``: "channel" or "agent",
    ids shown by their stored name. ``label(key, name)``: the plain text a row is shown as.
    ``json``: the report_dict key; ``item``: a list of {item: key, "flags": n} (``named``: {"id",
    "name", "flags"}) rather than a {key: n} map. ``views``: where it is listed ("table", "csv",
    "json", "markdown", "slack": the Slack report and App Home, "digest"); ``slack_title``,
    ``digest_title`` (mrkdwn, leading the digest's line) and the limits: how those short views show it.
    """

    name: str
    title: str
    json: str
    of_flag: Callable[[FlagFacts], Iterable[str]] | None = None
    of_time: Callable[[float, str], str] | None = None
    order: Literal["fixed", "count", "key"] = "count"
    keys: tuple[str, ...] = ()
    limit: int | None = TOP
    names: Literal["channel", "agent"] | None = None
    managers_only: bool = False
    label: Callable[[str, str], str] = lambda key, name: name
    item: str | None = None
    views: frozenset[str] = ALL_VIEWS
    slack_title: str = ""
    slack_limit: int = 10
    digest_title: str = ""
    digest_limit: int = 5

    @property
    def heading(self) -> str:
        """The Slack section's heading (mrkdwn)."""
        return f"*{self.slack_title or self.title}*"

    @property
    def digest_lead(self) -> str:
        """What the digest's line starts with (mrkdwn)."""
        return self.digest_title or f"*{self.title}:*"

    @property
    def csv_key(self) -> str:
        return self.title.lower().replace(" ", "_")


def _struggle(flag: FlagFacts) -> Iterable[str]:
    """What the customer struggled with counts only where the agent's words blamed or belittled them."""
    if flag.topic and ("disparaging" in flag.categories or "blame" in flag.categories):
        yield flag.topic


def _channel_label(key: str, name: str) -> str:
    return f"#{name}" if name != key else key


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("category", "By category", "by_category", of_flag=lambda f: f.categories, order="fixed", keys=CATEGORIES),
    Dimension(
        "source",
        "By source",
        "by_source",
        of_flag=lambda f: (f.source,),
        order="fixed",
        keys=FLAG_SOURCES,
        views=frozenset({"csv", "json"}),
    ),  # the rest say it in words (source_text)
    Dimension(
        "severity",
        "By severity",
        "by_severity",
        of_flag=lambda f: (f.severity,),
        order="fixed",
        keys=tuple(reversed(SEVERITIES)),
        views=CLI_VIEWS,
    ),
    Dimension(
        "channel",
        "By channel",
        "by_channel",
        of_flag=lambda f: (f.channel,),
        limit=None,
        names="channel",
        label=_channel_label,
        item="named",
        slack_limit=15,
        digest_title="*Where:*",
    ),
    Dimension(
        "agent",
        "By agent",
        "by_agent",
        of_flag=lambda f: (f.agent,),
        limit=None,
        names="agent",
        managers_only=True,
        item="named",
        views=CLI_VIEWS,
    ),  # Slack names agents only with outcomes
    Dimension("rule", "Top rules", "top_rules", of_flag=lambda f: f.rules, label=lambda key, _: key, item="rule"),
    Dimension(
        "phrase",
        "Top phrases",
        "top_phrases",
        of_flag=lambda f: (f.phrase,) if f.phrase else (),
        label=lambda key, _: f"“{key}”",
        item="phrase",
        digest_title="*Most common phrases:*",
    ),
    Dimension(
        "struggle",
        "What customers struggled with",
        "struggles",
        of_flag=_struggle,
        label=lambda key, _: key,
        item="topic",
        digest_title="*What customers struggled with* (worth a docs or product fix):",
    ),
    Dimension(
        "hour",
        "By hour of day",
        "by_hour",
        of_time=lambda seconds, tz: f"{local_time(seconds, tz).hour:02d}",
        order="fixed",
        keys=tuple(f"{hour:02d}" for hour in range(24)),
        label=lambda key, _: f"{key}:00–{(int(key) + 1) % 24:02d}:00",
        slack_limit=24,
        digest_limit=24,
        digest_title="*When (hour of day, the team's zone):*",
    ),  # end of shift? the team's zone
    Dimension(
        "weekday",
        "By day of the week",
        "by_weekday",
        of_time=lambda seconds, tz: WEEKDAYS[local_time(seconds, tz).weekday()],
        order="fixed",
        keys=WEEKDAYS,
        label=lambda key, _: key,
        slack_limit=7,
        views=CLI_VIEWS | {"slack"},
    ),  # Monday backlog? the team's zone; left out of the digest, which already says when by hour
    Dimension(
        "status",
        "Statuses",
        "statuses",
        of_flag=lambda f: (f.status,),
        order="key",
        limit=None,
        views=frozenset({"json"}),
    ),  # "edited" is an outcome; the others are said there
)
BY_NAME = {dimension.name: dimension for dimension in DIMENSIONS}


def flag_dimensions(
    channel: str,
    agent: str,
    severity: str,
    categories: Iterable[str] | str,
    rules: Iterable[str] | str,
    phrase: str,
    topic: str,
    status: str,
    source: str,
) -> Iterator[tuple[str, str]]:
    """The (dimension, key) pairs one flag counts towards; rollups and raw counts share it.

    Besides the declared dimensions: "total" (every flag once) and "multi" (flags with two or more
    categories: why the categories of a report add up to more than its flags).
    """
    if isinstance(categories, str):
        categories = [c for c in categories.split(",") if c]
    if isinstance(rules, str):
        rules = [r for r in rules.split(",") if r]
    facts = FlagFacts(channel, agent, severity, tuple(categories), tuple(rules), phrase, topic, status, source)
    yield "total", ""
    if len(facts.categories) > 1:
        yield "multi", str(len(facts.categories))
    for declared in DIMENSIONS:
        if declared.of_flag is not None:
            for key in declared.of_flag(facts):
                yield declared.name, key
