"""One flagged message being rewritten, and what every step of the rewriter reads about it.

The rules (the team's, with its custom terms), the topics and the strategies travel together
with the message and its analysis, so each step (the sentence editor, the next step, the
reflection) takes one ``Case`` rather than six arguments, and the ways a candidate is judged
against the message live in one place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from bot.coaching.detect import detect
from bot.coaching.rules import RuleSet
from bot.coaching.strategies import Strategies
from bot.coaching.suggestion_checks import defects
from bot.coaching.topics import Topic, topic_for
from bot.models import Analysis, severity_rank


@dataclass(frozen=True)
class Case:
    """A flagged message (``text``, ``analysis``) and the rules, topics and strategies it is rewritten with."""

    text: str
    analysis: Analysis
    rules: RuleSet
    topics: tuple[Topic, ...]
    strategies: Strategies

    @cached_property
    def category(self) -> str:
        """The category of the worst finding (the first of the worst): what the rewrite is about."""
        worst = max(self.analysis.findings, key=lambda f: (severity_rank(f.severity), -f.start))
        return worst.category

    @cached_property
    def topic(self) -> Topic | None:
        """The product area the message is most clearly about, if any (bot.coaching.topics)."""
        return topic_for(self.text, self.topics)

    def rotated(self, options: tuple[str, ...] | list[str], salt: str = "") -> list[str]:
        """The variants in an order the message's own text picks: stable for one message, different
        across messages. A ``salt`` per use keeps the opener's and the step's choices independent."""
        if not options:
            return []
        # a real hash, not a CRC: two CRCs of one text under different prefixes differ by a constant,
        # so the opener's and the step's choices would move together
        digest = hashlib.blake2b((salt + "\0" + self.text).encode("utf-8"), digest_size=8).digest()
        turn = int.from_bytes(digest, "big") % len(options)
        return [*options[turn:], *options[:turn]]

    def pick(self, options: tuple[str, ...] | list[str], salt: str = "") -> str:
        """A stable choice among variants, so different messages do not all get the same words."""
        return self.rotated(options, salt)[0] if options else ""

    def rules_only(self, candidate: str) -> Analysis:
        """Sentence edits are judged by the rules alone: a cause stated before its next step is
        added can read as blame to the learned stage, which then judges the finished rewrite."""
        return detect(candidate, self.rules, model=None)

    def analysed(self, candidate: str) -> Analysis:
        """The whole engine's reading of ``candidate`` (the learned stage included)."""
        return detect(candidate, self.rules)

    def flagged(self, candidate: str) -> bool:
        """Does the whole engine (the learned stage included) flag ``candidate``?"""
        return self.analysed(candidate).flagged

    def sendable(self, candidate: str) -> bool:
        """The whole engine passes ``candidate`` and it reads no more broken than the message."""
        return not self.flagged(candidate) and not defects(self.text, candidate)
