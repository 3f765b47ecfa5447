"""``support-coach rules check``: the rule files load, and every example says what it should."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from bot.cli.state import State
from bot.coaching.detect import detect
from bot.coaching.phrasing import check_phrasing
from bot.coaching.rules import RuleError, RuleSet
from bot.coaching.strategies import load_strategies
from bot.coaching.topics import load_topics


@click.command("check")
@click.pass_obj
def rules_check(state: State) -> None:
    """Validate the rule files, and run every rule's examples and counter-examples."""
    try:
        ruleset = state.load_rules()
    except RuleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    problems = list(_rule_self_test(ruleset))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)
    examples = sum(len(r.examples) + len(r.counter_examples) for r in ruleset.rules)
    click.echo(f"ok: {len(ruleset.rules)} rules in {len(ruleset.categories)} categories, {examples} examples pass")


def _rule_self_test(ruleset: RuleSet) -> Iterator[str]:
    # Examples test the rule itself, so the rules judge them alone: the learned stage may add a
    # finding to a counter-example or veto a short example, and neither says the rule is wrong.
    for rule in ruleset.rules:
        for example in rule.examples:
            if rule.id not in {f.rule for f in detect(example, ruleset, model=None).findings}:
                yield f"{rule.source}: rule {rule.id!r}: example not flagged: {example!r}"
        for example in rule.counter_examples:
            if rule.id in {f.rule for f in detect(example, ruleset, model=None).findings}:
                yield f"{rule.source}: rule {rule.id!r}: counter-example flagged: {example!r}"
        # Rewrites are fragments spliced into a sentence: the rules judge them here; the whole
        # suggestion they end up in is judged by the full engine (learned stage too) in bot.coaching.rewrite.
        for text in (rule.rewrite_sentence, rule.rewrite):
            if text and detect(text, ruleset, model=None).flagged:
                yield f"{rule.source}: rule {rule.id!r}: its rewrite is itself flagged: {text!r}"
    for name, info in ruleset.categories.items():
        for key in ("next_step", "fallback"):
            if detect(getattr(info, key), ruleset, model=None).flagged:
                yield f"{name}: '{key}' is itself flagged by the rules"
    try:  # the coach's own last resorts: rewrites.toml and the topics' next steps
        yield from (f"rewrites: {problem}" for problem in check_phrasing(ruleset, load_strategies(), load_topics()))
    except RuleError as exc:
        yield str(exc)
