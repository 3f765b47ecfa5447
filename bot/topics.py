"""What a customer was struggling with, read from a flagged message.

Put-downs are a signal: "couldn't find the power button" means the button is hard to find.
Topics are data (prompts/topics.toml) so a team can add its own product areas.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.rules import RULES_DIR, RuleError
from bot.text import normalize

TOPICS_FILE = RULES_DIR.parent / "topics.toml"

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


def load_topics(path: Path | str | None = None) -> tuple[Topic, ...]:
    """Read the topic file; a broken file is a RuleError naming it, never a crash later."""
    path = Path(path) if path else TOPICS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path.name}: {exc}") from None
    topics = []
    for index, entry in enumerate(data.get("topic", []), start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        keywords = entry.get("keywords") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(keywords, list) or not keywords:
            raise RuleError(f"{path.name}: topic #{index} needs a 'name' and a list of 'keywords'")
        steps = entry.get("next_steps", [])
        fix = entry.get("fix", "")
        if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps) \
                or not isinstance(fix, str):
            raise RuleError(f"{path.name}: topic '{name}': 'next_steps' must be a list of strings, 'fix' a string")
        words = sorted((re.escape(str(k).lower()) for k in keywords), key=len, reverse=True)
        # a plural counts too: "refunds", "routers", "power buttons"
        topics.append(Topic(name, re.compile(r"\b(?:" + "|".join(words) + r")(?:e?s)?\b"), tuple(steps), fix))
    return tuple(topics)


@lru_cache(maxsize=1)
def default_topics() -> tuple[Topic, ...]:
    return load_topics()


def topic_for(text: str, topics: tuple[Topic, ...] | None = None) -> Topic | None:
    """The first topic whose keywords the message mentions, or None."""
    topics = default_topics() if topics is None else topics
    lowered = normalize(text[:5000]).text.lower()
    return next((topic for topic in topics if topic.pattern.search(lowered)), None)


def topic_of(text: str, topics: tuple[Topic, ...] | None = None) -> str:
    """The product area a message is about, or the struggle phrase itself, or ''."""
    topics = default_topics() if topics is None else topics
    lowered = normalize(text[:5000]).text.lower()
    for topic in topics:
        if topic.pattern.search(lowered):
            return topic.name
    struggle = _STRUGGLE.search(lowered)
    if struggle:
        return struggle.group(2).strip(" '-")
    return ""
