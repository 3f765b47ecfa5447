"""Small builders for test data: real Flag values, no mocks."""

from __future__ import annotations

from bot.coaching.detect import detect
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import RuleSet
from bot.coaching.suggestion_checks import defects
from bot.models import Flag

NOW = 1_763_900_000.0  # 2025-11-23 12:13 UTC: a fixed "now" keeps period maths exact
DAY = 86400.0


def make_flag(
    i: int = 0,
    *,
    days_ago: float = 0.0,
    channel: str = "C1",
    agent: str = "U1",
    categories: tuple[str, ...] = ("blame",),
    rules: tuple[str, ...] = ("should-have",),
    severity: str = "medium",
    topic: str = "",
    phrase: str = "you should have",
    team: str = "T1",
    status: str = "open",
    channel_name: str = "",
    agent_name: str = "",
) -> Flag:
    created = NOW - days_ago * DAY - i * 0.001
    return Flag(
        team=team,
        channel=channel,
        ts=f"{created:.6f}",
        agent=agent,
        categories=categories,
        rules=rules,
        severity=severity,
        excerpt=f"excerpt {i}",
        phrase=phrase,
        topic=topic,
        status=status,
        channel_name=channel_name,
        agent_name=agent_name,
        created_at=created,
    )


def clean_suggestion(text: str, rules: RuleSet) -> str:
    """The rewrite of a message that must flag: checked to read unbroken and to pass the detector."""
    analysis = detect(text, rules)
    assert analysis.flagged, "the message must flag for this test to mean anything"
    suggestion = rewrite(text, analysis, rules)
    assert suggestion is not None and suggestion.kind == "rewrite"
    assert not defects(text, suggestion.text)
    assert not detect(suggestion.text, rules).flagged
    return suggestion.text
