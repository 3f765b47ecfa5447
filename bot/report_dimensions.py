"""What one flag counts towards in a report: report semantics, owned by the reports side.

The store's rollups are a cache of exactly these counts (bot.store.rollups writes them with
each flag), and reports narrowed to a channel or an agent count raw rows with the same
function, so both always agree. Pure: imports nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def flag_dimensions(channel: str, agent: str, severity: str, categories: Iterable[str] | str,
                    rules: Iterable[str] | str, phrase: str, topic: str, status: str,
                    source: str) -> Iterator[tuple[str, str]]:
    """The (dimension, key) pairs one flag counts towards; rollups and raw counts share it."""
    if isinstance(categories, str):
        categories = [c for c in categories.split(",") if c]
    if isinstance(rules, str):
        rules = [r for r in rules.split(",") if r]
    categories = list(categories)
    yield "total", ""
    yield "channel", channel
    yield "agent", agent
    yield "severity", severity
    yield "status", status
    yield "source", source
    for category in categories:
        yield "category", category
    if len(categories) > 1:  # why the categories of a report add up to more than its flags
        yield "multi", str(len(categories))
    for rule in rules:
        yield "rule", rule
    if phrase:
        yield "phrase", phrase
    if topic and ("disparaging" in categories or "blame" in categories):
        yield "struggle", topic
