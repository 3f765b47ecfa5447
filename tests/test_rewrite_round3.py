"""Issue 12, third round: the message's own answer survives and no step contradicts it, splice
debris the checker now sees (a lost full stop, an unclosed quote, a repeat, a reason without its
clause), and harsh shapes by word class (hindsight, a verdict on the customer, an order not to
write again). Every phrasing here is our own."""

from __future__ import annotations

import pytest

from bot.coaching.detect import detect
from bot.coaching.harsh import harsh_sentences, shape_of
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.suggestion_checks import defects


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return default_rules()


@pytest.mark.parametrize(
    "sentence",
    [
        "Had you checked the spam folder, you'd have seen the code.",
        "If you had renewed in time you would still have the discount.",
        "All of this could have been avoided with a quick backup.",
        "You would have known about the fee by now.",
        "Honestly, you are being unreasonable about the fee.",
        "Urgh, you again.",
        "I'm not sure what is so confusing about a two-step form.",
        "Please do not email us about the voucher again.",
        "Kindly refrain from calling further on this.",
        "You need to calm down before we go on.",
        "Your office was reminded three times about the renewal.",
        "That's pretty typical with first-time users, to be fair.",
    ],
)
def test_harsh_shapes_by_word_class(sentence: str) -> None:
    assert shape_of(sentence) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "Had you any luck with the new cable?",
        "If you had the receipt, great, but it isn't needed.",
        "Do not email the old support address, it is closed.",
        "Please don't send us your full card number.",
        "The technician will call you again on Friday.",
        "You'd have the parts by Monday if we ship today.",
        "You are being refunded the full 40 euros.",
        "You were told on Monday that the part ships today.",
        "Slow charging is common with older cables.",
    ],
)
def test_neutral_lookalikes_have_no_harsh_shape(sentence: str) -> None:
    assert shape_of(sentence) is None


@pytest.mark.parametrize(
    ("original", "broken", "clean"),
    [
        (
            "The parcel left on Tuesday. If it is late, write back.",
            "The parcel left on Tuesday If it is late, write back.",
            "The parcel left on Tuesday. If it is late, write back.",
        ),
        (
            "note: 'All sorted now.' was my whole answer",
            "note: 'All sorted now. Could you send me the ticket number?",
            "note: 'All sorted now.' Could you send me the ticket number?",
        ),
        (
            "Thank you. The lamp ships today.",
            "Thank you. The lamp ships today. Thank you.",
            "Thank you. The lamp ships today.",
        ),
        (
            "Hi Rosa, stop writing in, as the case is closed.",
            "Hi Rosa, as the case is closed.",
            "Hi Rosa, the case is closed.",
        ),
        (
            "A cracked screen from a drop isn't covered by the plan.",
            "A cracked screen from a drop isn't covered by the plan. Could you send a photo, so I can check what"
            " the plan covers?",
            "A cracked screen from a drop isn't covered by the plan. If you'd like a repair quote, reply and I'll"
            " send one.",
        ),
    ],
)
def test_the_checker_sees_new_splice_debris(original: str, broken: str, clean: str) -> None:
    assert defects(original, broken)
    assert not defects(original, clean)


def test_a_hindsight_sentence_goes_and_the_full_stop_before_it_stays(rules: RuleSet) -> None:
    text = "Hi Ines, we wrote on 12 May that the old tariff was ending. Had you read it, you'd have switched in time."
    suggestion = rewrite(text, detect(text, rules), rules)
    assert suggestion is not None
    out = suggestion.text
    assert "12 May" in out and "tariff" in out
    assert not harsh_sentences(out)
    assert not defects(text, out)
    assert not detect(out, rules).flagged


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, liquid damage to the speaker isn't covered, and frankly that's on you for taking it in the pool.",
        "The refund window's closed, you should have asked sooner. Nothing more I can do.",
    ],
)
def test_a_step_never_holds_out_hope_against_the_answer(rules: RuleSet, text: str) -> None:
    suggestion = rewrite(text, detect(text, rules), rules)
    assert suggestion is not None
    out = suggestion.text
    assert not defects(text, out)
    assert not detect(out, rules).flagged


def test_a_reflection_never_names_a_scare_quoted_word(rules: RuleSet) -> None:
    text = "our 'Premium' subscriber on line 3 is premium alright. Premium nonsense, every single call."
    analysis = detect(text, rules)
    if not analysis.flagged:
        pytest.skip("not flagged by the current detector")
    suggestion = rewrite(text, analysis, rules)
    assert suggestion is not None
    assert "Premium" not in suggestion.text and "premium" not in suggestion.text


def test_keep_this_calm_names_no_thing(rules: RuleSet) -> None:
    text = "reply: Let's all keep this polite, shall we?"
    analysis = detect(text, rules)
    if not analysis.flagged:
        pytest.skip("not flagged by the current detector")
    suggestion = rewrite(text, analysis, rules)
    assert suggestion is not None
    assert "this polite" not in suggestion.text
    assert not defects(text, suggestion.text)
