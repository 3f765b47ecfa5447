"""A message about someone, to no "you", under no greeting or draft label, is a note or team
talk however the detector read it: it gets the note without the put-down or a reflection,
never a customer-facing step. A titled name said to the customer (", Mr Tan.", "calm down
Mr Patel,") still marks a reply. Every phrasing here is our own."""

from __future__ import annotations

import re

import pytest

from bot.coaching.audience import audience
from bot.coaching.detect import detect
from bot.coaching.rewrite import rewrite


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("told Ms Osei the refund rules for the third time and offered to mime them", "colleague"),
        ("Dr Varga is back again, still convinced the kiosk steals his coins, what a clown", "chatter"),
        ("she thinks the power button is decorative, what a clown", "chatter"),
        ("Honestly the form is so simple a toddler could fill it in, Mr Tan.", "customer"),
        ("calm down Mr Patel, the shuttle is ten minutes behind for everyone", "customer"),
    ],
)
def test_who_a_message_about_someone_is_for(text: str, expected: str) -> None:
    analysis = detect(text)
    assert analysis.flagged, "the message must flag for this test to mean anything"
    assert audience(text, analysis) == expected


def test_a_note_about_a_customer_gets_no_customer_tail() -> None:
    text = "told Ms Osei the refund rules for the third time and offered to mime them"
    suggestion = rewrite(text)
    assert suggestion is not None
    assert "could you" not in suggestion.text.lower() and "send me" not in suggestion.text.lower()
    assert "third time" not in suggestion.text


def test_a_reflection_never_names_a_bare_title() -> None:
    text = "rumour is Ms. Quarrie is still hunting for the any key, bless"
    suggestion = rewrite(text)
    assert suggestion is not None and suggestion.kind == "reflection"
    assert not re.search(r"\b(?:Mr|Mrs|Ms|Dr)\.?\s*[?.,]", suggestion.text)
