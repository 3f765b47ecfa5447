"""The coach's own sentences checked (`rules check`): what prompts/rewrites.toml and the topics'
next steps may tell an agent to send.

None may be flagged by the rules, read broken, be a hollow announcement or offer what the
agent never did; a step must read as a step, and an opener or stock sentence must not pass
for one (or the real step is never added). The rules judge them alone, as they judge rule
rewrites: the learned stage judges each whole suggestion.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.coaching.detect import detect
from bot.coaching.rules import RuleSet
from bot.coaching.strategies import SLOT, Strategies, default_strategies
from bot.coaching.suggestion_checks import PROMISE, defects, has_next_step, hollow
from bot.coaching.topics import Topic, default_topics

# What the slots of a last-resort sentence are filled with when it is checked on its own.
_PROBE = {
    "object": "the invoice",
    "subject": "the invoice",
    "fix": "the billing page may need a clearer note",
    "verb": "find",
    "cause": "the card had expired",
    "clause": "the card had expired",
}


def check_phrasing(
    rules: RuleSet, strategies: Strategies | None = None, topics: tuple[Topic, ...] | None = None
) -> Iterator[str]:
    """Problems with the coach's own sentences (rewrites.toml, the topics' next steps): each is
    what an agent may be told to send, so none may be flagged by the rules, read broken, be a
    hollow announcement or offer what the agent never did; a step must be a step, and an opener
    or stock sentence must not pass for one (or the real step is never added). The rules judge
    them alone, as they judge rule rewrites: the learned stage judges each whole suggestion."""
    strategies = strategies if strategies is not None else default_strategies()
    topics = topics if topics is not None else default_topics()
    sentences: list[tuple[str, str, str]] = []  # (where, role, text)
    for section, role in (
        (strategies.openers, "opener"),
        (strategies.stock, "opener"),
        (strategies.steps, "step"),
        (strategies.reflection, "question"),
    ):
        for key, texts in section.items():
            sentences += [(key, role, text) for text in texts]
    sentences += [(f"put_down {p.kind}", "question", text) for p in strategies.put_downs for text in p.prompts]
    sentences += [(f"topic {t.name}", "step", text) for t in topics for text in t.next_steps]
    for where, role, text in sentences:
        filled = SLOT.sub(lambda m: _PROBE.get(m.group(1), m.group(1)), text)
        problems = []
        if detect(filled, rules, model=None).flagged:
            problems.append("flagged by the rules")
        problems += defects("", filled)
        if hollow(filled):
            problems.append("a hollow announcement")
        if PROMISE.search(filled) and role != "question":
            problems.append("offers a handoff, refund or follow-up")
        if role == "step" and not has_next_step(filled):
            problems.append("not read as a next step")
        if role == "opener" and has_next_step(filled):
            problems.append("reads as a next step, so the real one would never be added")
        for problem in problems:
            yield f"{where}: {problem}: {text!r}"
