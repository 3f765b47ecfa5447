"""Issue 12, fourth round: a learned finding placed on a draft's label, a scolding lead-in glued
to the answer, a fact sitting next to a blame clause. Every phrasing here is our own."""

from __future__ import annotations

import pytest

from bot.coaching.detect import detect
from bot.coaching.frames import clause_cuts
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


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        (
            "I'm going to be blunt here — the warranty only covers the first owner.",
            "the warranty only covers the first owner",
            "blunt",
        ),
        (
            "Not sure how many more times I need to say it, the pool reopens on the 3rd.",
            "the pool reopens on the 3rd",
            "how many more times",
        ),
        (
            "Look, I'm not going round in circles with you: the pool reopens at 10:30 on the 3rd.",
            "the pool reopens at 10:30 on the 3rd",
            "circles",
        ),
    ],
)
def test_a_scolding_lead_in_goes_and_the_answer_after_it_stays(rules: RuleSet, text: str, kept: str, gone: str) -> None:
    suggestion = rewrite(text, detect(text, rules), rules)
    assert suggestion is not None and suggestion.kind == "rewrite"
    assert kept in suggestion.text.lower()
    assert gone not in suggestion.text.lower()
    assert not detect(suggestion.text, rules).flagged


def test_clause_cuts_keep_the_calm_part_and_never_split_a_time() -> None:
    cuts = clause_cuts("I'm going to stop you there — the boat leaves at 07:15, the timetable says so.")
    assert cuts and cuts[0] == "The boat leaves at 07:15, the timetable says so."
    assert not any(cut.startswith("15") for cut in cuts)
    assert clause_cuts("The boat leaves at 07:15 from pier two.") == []
