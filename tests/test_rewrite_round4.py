"""Issue 12, fourth round: a learned finding placed on a draft's label, a scolding lead-in glued
to the answer, a fact sitting next to a blame clause. Every phrasing here is our own."""

from __future__ import annotations

import pytest

from bot.coaching.detect import detect
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import RuleSet, default_rules
from bot.models import Analysis, Finding


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return default_rules()


def test_a_learned_finding_on_the_label_alone_does_not_crash(rules: RuleSet) -> None:
    text = "sending to the Okoro household:\nNo. Policy says no. The warranty ran out in May."
    label = text.index("\n")
    finding = Finding(
        rule="learned-dismissive",
        category="dismissive",
        severity="medium",
        start=0,
        end=label,
        match=text[:label],
        tip="",
        principle="",
    )
    analysis = Analysis(
        text=text,
        findings=(finding,),
        categories=("dismissive",),
        severity="medium",
        addressed_to_customer=True,
        model_score=0.95,
    )
    suggestion = rewrite(text, analysis, rules)
    assert suggestion is not None
    assert suggestion.text.startswith("sending to the Okoro household:")
    assert not detect(suggestion.text, rules).flagged
