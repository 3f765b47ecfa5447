"""Turn a flagged draft into a calmer one by editing the agent's own words (an LLM may improve
on it elsewhere).

An agent sends a suggestion only if it is still their message: same facts, same greeting and
sign-off, the blaming or scolding clause edited out, and a concrete next step at the end. So
each flagged sentence goes through candidate edits in order (clause-shape frames from
prompts/rewrites.toml, dropping the clause, removing the phrase, the rule file's own swap or
sentence, and only then a stock sentence), and the first candidate that keeps every fact, reads
cleanly and passes the detector wins. Frames are keyed on the shape of the wording, not on
rule ids, so new rules and new finding spans fall through to the generic edits.

Audience decides the shape: a reply to a customer gets a customer-facing rewrite with a next
step; a note to colleagues gets the same note minus the put-down and no customer tail; a
put-down in team chatter gets a reflection prompt about what tripped the customer up.

The parts, each a module of bot/coaching/: ``drafting`` (the order of the steps),
``editor`` and ``harsh_pass`` (sentence edits), ``frames`` and ``splice`` (the edits
themselves), ``next_step``, ``reflection``, ``named_things`` (what a message names),
``strategies`` (prompts/rewrites.toml), ``rewrite_case`` (what every step reads) and
``suggestion_checks`` (what every candidate is judged by).
"""

from __future__ import annotations

from bot.coaching.detect import detect
from bot.coaching.drafting import suggest
from bot.coaching.rewrite_case import Case
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.strategies import Strategies, default_strategies
from bot.coaching.topics import Topic, default_topics
from bot.models import Analysis, Suggestion


def rewrite(
    text: str,
    analysis: Analysis | None = None,
    rules: RuleSet | None = None,
    topics: tuple[Topic, ...] | None = None,
    strategies: Strategies | None = None,
) -> Suggestion | None:
    """A suggestion for a flagged message, or None when there is nothing to coach."""
    rules = rules if rules is not None else default_rules()
    analysis = analysis if analysis is not None else detect(text, rules)
    if not analysis.flagged:
        return None
    topics = topics if topics is not None else default_topics()
    strategies = strategies if strategies is not None else default_strategies()
    return suggest(Case(text, analysis, rules, topics, strategies))
