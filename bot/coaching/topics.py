"""What a customer was struggling with, read from a flagged message.

Put-downs are a signal: "couldn't find the power button" means the button is hard to find.
Topics are data (prompts/topics.toml) so a team can add its own product areas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.coaching.text import normalize
from bot.prompts import PROMPTS_DIR, RuleError, read_toml

TOPICS_FILE = PROMPTS_DIR / "topics.toml"

# "couldn't find the power button", "didn't know how to reset a password": the struggle itself.
_STRUGGLE = re.compile(
    r"\b(?:couldn'?t|could not|can'?t|cannot|didn'?t|did not|doesn'?t|does not|don'?t|do not|unable to|"
    r"failed to|forgot(?: to)?|no idea how to|confused (?:by|about)|stuck on|struggl\w* with)\s+"
    r"(?:(?:even|figure out how to|know how to|work out how to|manage to|find|locate|see|understand|read|"
    r"follow|open|use|get)\s+){0,2}"
    r"((?:the|their|his|her|a|an|our|its)\s+)?"
    r"([a-z0-9][a-z0-9 '-]{2,40}?)(?=[.,;!?)]|\s+(?:and|but|so|because|lol|again|smh)\b|$)"
)


@dataclass(frozen=True)
class Topic:
    """A product area: how to spot it, and (optionally) what to do next and how to fix the cause."""

    name: str
    pattern: re.Pattern[str]
    next_steps: tuple[str, ...] = ()
    fix: str = ""
    keywords: tuple[str, ...] = ()
    weak: frozenset[str] = frozenset()


def load_topics(path: Path | str | None = None) -> tuple[Topic, ...]:
    """Read the topic file; a broken file is a RuleError naming it, never a crash later."""
    path = Path(path) if path else TOPICS_FILE
    data = read_toml(path, missing_ok=True)
    if not data:
        return ()
    topics = []
    for index, entry in enumerate(data.get("topic", []), start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        keywords = entry.get("keywords") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(keywords, list) or not keywords:
            raise RuleError(f"{path.name}: topic #{index} needs a 'name' and a list of 'keywords'")
        steps = entry.get("next_steps", [])
        fix = entry.get("fix", "")
        weak = entry.get("weak", [])
        if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps) or not isinstance(fix, str):
            raise RuleError(f"{path.name}: topic '{name}': 'next_steps' must be a list of strings, 'fix' a string")
        if not isinstance(weak, list) or not all(
            isinstance(w, str) and w.lower() in [str(k).lower() for k in keywords] for w in weak
        ):
            raise RuleError(f"{path.name}: topic '{name}': 'weak' must list some of its own keywords")
        lowered = tuple(str(k).lower() for k in keywords)
        words = sorted((re.escape(k) for k in lowered), key=len, reverse=True)
        # a plural counts too: "refunds", "routers", "power buttons"
        topics.append(
            Topic(
                name,
                re.compile(r"\b(?:" + "|".join(words) + r")(?:e?s)?\b"),
                tuple(steps),
                fix,
                lowered,
                frozenset(w.lower() for w in weak),
            )
        )
    return tuple(topics)


# A word that makes the keyword after it a thing: "the signal", "your order", "my new bill",
# "everyone's order", "the 'export' button".
_DETERMINED = re.compile(
    r"(?:\b(?:the|a|an|your|my|our|his|her|their|its|this|that|these|those|any|no)"
    r"|\w's|\w’s)\s+(?:\S+\s+)?['\"“‘]?$"
)
MIN_SCORE = 2  # one keyword used as a thing


def _score(topic: Topic, lowered: str) -> int:
    """How clearly the message is about the topic. Each keyword it mentions counts once: a
    phrase of several words 3, a plain keyword 2, a ``weak`` one (a word with other senses:
    "order", "signal", "bill", "train") 2 when a determiner or a plural makes it a thing ("your
    order", "my new bill", "orders") and 0 otherwise ("in order to", "Bill said", "train the
    staff"). The highest score wins, so a passing mention loses to the message's subject."""
    if not topic.keywords:  # a Topic built by hand: its pattern alone
        return MIN_SCORE if topic.pattern.search(lowered) else 0
    seen: set[str] = set()
    score = 0
    for match in topic.pattern.finditer(lowered):
        found = match.group(0)
        keyword = next((k for k in topic.keywords if found in (k, k + "s", k + "es")), found)
        if keyword in seen:
            continue
        if " " in keyword or "-" in keyword:
            weight = 3
        elif keyword not in topic.weak:
            weight = 2
        else:
            plural = found != keyword  # "orders", "chargers": a thing, whatever comes before
            weight = 2 if plural or _DETERMINED.search(lowered[: match.start()]) else 0
        if weight:
            seen.add(keyword)
            score += weight
    return score


def _ranked(lowered: str, topics: tuple[Topic, ...]) -> Topic | None:
    """The topic the message is most clearly about (the file's order breaks a tie), or None
    when no topic reaches MIN_SCORE: a passing word is no topic."""
    best: tuple[int, int] | None = None
    chosen = None
    for index, topic in enumerate(topics):
        score = _score(topic, lowered)
        if score >= MIN_SCORE and (best is None or (score, -index) > best):
            best, chosen = (score, -index), topic
    return chosen


@lru_cache(maxsize=1)
def default_topics() -> tuple[Topic, ...]:
    return load_topics()


def topic_for(text: str, topics: tuple[Topic, ...] | None = None) -> Topic | None:
    """The topic the message is most clearly about (see _score), or None."""
    topics = default_topics() if topics is None else topics
    return _ranked(normalize(text[:5000]).text.lower(), topics)


def topic_of(text: str, topics: tuple[Topic, ...] | None = None) -> str:
    """The product area a message is about, or the struggle phrase itself, or ''."""
    topics = default_topics() if topics is None else topics
    lowered = normalize(text[:5000]).text.lower()
    topic = _ranked(lowered, topics)
    if topic is not None:
        return topic.name
    struggle = _STRUGGLE.search(lowered)
    if struggle:
        return struggle.group(2).strip(" '-")
    return ""
