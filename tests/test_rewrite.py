"""Rewrites: calmer, facts kept, a next step at the end, and never flagged themselves."""

from __future__ import annotations

import re

import pytest

from bot.detect import detect
from bot.rewrite import rewrite
from bot.rules import RuleSet

DRAFTS = [
    "Hi Nadia, as I already told you, the return label is in your order confirmation #A-7731.",
    "Obviously the 20% discount can't be combined with the loyalty offer.",
    "Per my last email, we need the serial number SN-4410 to continue.",
    "Hi Tom, you should have backed up your files before upgrading to 4.2.",
    "calm down, it's only been an hour",
    "That's company policy, I can't make exceptions.",
    "Not my problem, talk to your reseller.",
    "Hi Vera, there's no way you waited 2 hours, our phone logs say 12 minutes.",
    "Hello Mrs. Kwan,\n\nThanks for calling. I've looked into the points transfer. I don't know.\n\nRegards,\nPaul",
    "sending: 'Hi Clare, the issue is user error. Please follow the guide properly.'",
    "Hi Raj, I promise this is not rocket science. Tap the blue button.",
]


@pytest.mark.parametrize("draft", DRAFTS)
def test_rewrite_passes_the_detector_and_ends_in_a_next_step(rules: RuleSet, draft: str) -> None:
    analysis = detect(draft, rules)
    assert analysis.flagged
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None and suggestion.kind == "rewrite"
    assert not detect(suggestion.text, rules).flagged, suggestion.text
    assert re.search(r"i'll|let me|could you|happy to|here's|i can|let's|\?", suggestion.text, re.I)
    assert suggestion.principles


@pytest.mark.parametrize(
    ("draft", "kept"),
    [
        ("Hi Nadia, as I already told you, the return label is in your order confirmation #A-7731.",
         ["Hi Nadia", "return label", "#A-7731"]),
        ("Obviously the 20% discount can't be combined with the loyalty offer.", ["20% discount", "loyalty"]),
        ("Per my last email, we need the serial number SN-4410 to continue.", ["SN-4410"]),
        ("Hello Mrs. Kwan,\n\nThanks for calling. I've looked into it. I don't know.\n\nRegards,\nPaul",
         ["Hello Mrs. Kwan,", "Thanks for calling.", "Regards,\nPaul"]),
    ],
)
def test_rewrite_keeps_facts_greeting_and_sign_off(rules: RuleSet, draft: str, kept: list[str]) -> None:
    suggestion = rewrite(draft, detect(draft, rules), rules)
    assert suggestion is not None
    for fact in kept:
        assert fact in suggestion.text, (fact, suggestion.text)


def test_sign_off_stays_last(rules: RuleSet) -> None:
    draft = "Hi Jo,\n\nThat's our policy.\n\nKind regards,\nSam"
    suggestion = rewrite(draft, detect(draft, rules), rules)
    assert suggestion is not None
    assert suggestion.text.endswith("Kind regards,\nSam")


def test_internal_put_down_gets_a_reflection(rules: RuleSet) -> None:
    suggestion = rewrite("PEBKAC again on the Orchard account, caps lock", None, rules)
    assert suggestion is not None and suggestion.kind == "reflection"
    assert "confusing" in suggestion.text
    assert not detect(suggestion.text, rules).flagged


def test_clean_text_has_no_suggestion(rules: RuleSet) -> None:
    assert rewrite("Thanks Ines, your refund is on its way.", None, rules) is None
