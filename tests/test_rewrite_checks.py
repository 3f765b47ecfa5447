"""The rewrite scorer's stronger checks: splice debris and harsh sentences a rewrite kept.

Each check must fire on debris of its class and stay quiet on the same text read cleanly, so
no check can pass by never firing. Sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from bot.coaching.harsh import harsh_sentences, shape_of
from bot.coaching.suggestion_checks import defects


@pytest.mark.parametrize(
    "original, broken, clean, name",
    [
        (
            "Hi Omar, that's on your router, sorry.",
            "Hi Omar, R router.",
            "Hi Omar, the router needs a restart.",
            "fragment sentence",
        ),
        (
            "For the record, that's on you, in the end.",
            "For the record. In the end.",
            "For the record, the lamp was reset.",
            "fragment sentence",
        ),
        (
            "Sending to the tenant: you painted it and you knew the rules.",
            "Sending to the tenant: and you knew the rules.",
            "Sending to the tenant: the rules cover paint.",
            "sentence starts mid-clause",
        ),
        (
            "You're wrong that you only had 12, the log shows 14.",
            "That you only had 12, the log shows 14.",
            "The log shows 14 rather than 12.",
            "clause left from a cut",
        ),
        (
            "Ticket 5190. Thanks.",
            "Ticket 5190.Thanks for waiting.",
            "Ticket 5190. Thanks for waiting.",
            "no space after a full stop",
        ),
        (
            "Hi Noor, thanks. You should know this.",
            "Hi Noor, Thanks for writing.",
            "Hi Noor, thanks for writing.",
            "capital after a comma",
        ),
        (
            "Sending: the kettle is fine.",
            "Sending the kettle is fine.",
            "Sending: the kettle is fine.",
            "lost prefix colon",
        ),
        (
            "the van.",
            "Could you check the van overnight like and tell me what you see?",
            "Could you check the van and tell me what you see?",
            "step object is not a noun phrase",
        ),
        (
            "That crack's on you.",
            "If anything about that crack's still looks wrong, tell me.",
            "If anything about the crack still looks wrong, tell me.",
            "step object is not a noun phrase",
        ),
    ],
)
def test_each_debris_class_is_counted_and_clean_text_is_not(original: str, broken: str, clean: str, name: str) -> None:
    assert name in defects(original, broken)
    assert name not in defects(original, clean)


def test_what_the_original_already_had_is_not_counted() -> None:
    original = "Hi Noor, Thanks for waiting. Done. Sending: nothing else."
    assert not defects(original, original)


def test_a_name_after_a_comma_and_a_sign_off_are_fine() -> None:
    original = "Hi Sam, Priya set this up.\n\nRegards,\nPaul"
    assert not defects(
        original, "Hi Sam, Priya set this up. Could you check the hub and tell me what you see?\n\nRegards,\nPaul"
    )
    assert not defects("Hello Mrs. Ode, thanks.", "Hello Mrs. Ode, the parcel left today.")


@pytest.mark.parametrize(
    "sentence",
    [
        "I can't count how many different ways I've explained the fee.",
        "This is the fifth time I'm saying it.",
        "You aren't eligible for that rate anymore.",
        "You won't be getting that voucher back.",
        "Plugs aren't really our department.",
        "We're only the courier.",
        "Well, the dent is on you.",
        "You ignored both warnings.",
        "Quit resetting the hub every hour.",
        "Let me be blunt about the invoice.",
    ],
)
def test_harsh_shapes_are_found_by_word_class(sentence: str) -> None:
    assert shape_of(sentence) is not None, sentence
    assert harsh_sentences("Hi Li, the hub is online. " + sentence) == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "I've explained the fee on the invoice page.",
        "Thanks for your patience with the hub.",
        "You're eligible for the loyalty rate from May.",
        "The dent is on the left door.",
        "We're only a click away if you need us.",
        "Don't worry about the invoice.",
        "The reading is correct.",
    ],
)
def test_calm_sentences_have_no_harsh_shape(sentence: str) -> None:
    assert shape_of(sentence) is None, sentence


# --- the rewriter against the same checks -------------------------------------------------

from bot.coaching.detect import detect  # noqa: E402
from bot.coaching.facts import extract, missing  # noqa: E402
from bot.coaching.rewrite import rewrite  # noqa: E402
from bot.coaching.rules import RuleSet  # noqa: E402


@pytest.mark.parametrize(
    "draft",
    [
        "Sending: as I said twice already, the kiosk reboots at 02:00 every night.",
        "sending to the tenant: obviously the boiler service is booked for Thursday.",
        "reply: Calm down, the parcel for order 88-4410 left the depot today.",
        "sending: Please relax, the late fee is £6.",  # the calm-down cut once took the colon with it
        "sending to the lodger: Relax, the boiler engineer comes at 9.",  # flagged whole, label included
    ],
)
def test_a_draft_prefix_is_kept_as_written(rules: RuleSet, draft: str) -> None:
    analysis = detect(draft, rules)
    if not analysis.flagged:  # vetoed by the learned stage (a bare "Calm down, ..."): the rules' flag is rewritten
        analysis = detect(draft, rules, model=None)
    assert analysis.flagged, draft
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None and suggestion.kind == "rewrite"
    prefix = draft[: draft.index(":") + 1]
    assert suggestion.text.startswith(prefix), suggestion.text
    assert not defects(draft, suggestion.text), (defects(draft, suggestion.text), suggestion.text)
    assert not detect(suggestion.text, rules).flagged, suggestion.text
    assert not missing(extract(draft, analysis), suggestion.text), suggestion.text
    assert "lodger together" not in suggestion.text  # a person is no object to go through


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Bo, as I said before, the dock ships on Monday. I don't know how many other ways I can explain this.",
        "Hi Ada, as I already told you, the voucher code V-2291 expired in March. You're not getting it back.",
        "Per my last email, the router firmware 7.2 fixes the drop-outs. Quit resetting it every hour.",
    ],
)
def test_a_harsh_sentence_next_to_the_flagged_one_does_not_survive(rules: RuleSet, draft: str) -> None:
    analysis = detect(draft, rules)
    assert analysis.flagged, draft
    assert harsh_sentences(draft)  # the shape is there to be removed
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None
    assert not harsh_sentences(suggestion.text), suggestion.text
    assert not defects(draft, suggestion.text), (defects(draft, suggestion.text), suggestion.text)
    assert not detect(suggestion.text, rules).flagged, suggestion.text
    numbers = [f for f in extract(draft, analysis) if f.kind in ("number", "name")]
    assert not missing(numbers, suggestion.text), suggestion.text


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Zoe, as I said, the wifi dropped at 21:40 because the router rebooted.",
        "Obviously the meter was read on Tuesday.",
        "As I mentioned, your lesson was booked for 4pm and the tutor waited.",
    ],
)
def test_a_step_never_asks_for_the_time_the_message_gives(rules: RuleSet, draft: str) -> None:
    from bot.coaching.next_step import _ASKS_FOR_TIME  # the step's own shape, so the test names what it rules out

    analysis = detect(draft, rules)
    assert analysis.flagged, draft
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None and suggestion.kind == "rewrite"
    assert not _ASKS_FOR_TIME.search(suggestion.text), suggestion.text
    assert not defects(draft, suggestion.text), suggestion.text
