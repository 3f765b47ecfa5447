"""Issue 12, fifth round (session 14's read): a cut never leaves a sentence without its main
clause ("If the adapter is old.", "By post and by phone.", "It would still work.") or a quote
that opens on a space; a bare condition at the end of a reply is completed by the next step
instead; a condition that reproaches ("if you can't work out X, maybe Y") is a harsh shape, as
is hindsight about someone else; a softened adverb does not stop a stated limit from staying,
and a route to who can help ("you'll need to apply through the council website") stays too.
Every phrasing here is our own (test_rewrite_variety checks the suite against data/)."""

from __future__ import annotations

import re

import pytest

from bot.coaching.harsh import shape_of
from bot.coaching.rules import RuleSet
from bot.coaching.suggestion_checks import defects, ends_open, has_next_step
from tests.factories import clean_suggestion


@pytest.mark.parametrize(
    ("original", "candidate"),
    [
        (
            "Hi Lena, the cable is fine. If the adapter is old, that is on you.",
            "Hi Lena, the cable is fine. If the adapter is old.",
        ),
        (
            "Sending: I told you, by post and by phone. It closes at 5.",
            "Sending: By post and by phone. It closes at 5.",
        ),
        ("I hear you, but repeating it will not help.", "I hear you, but."),
        ("Had you waited, it would still work.", "It would still work."),
        ("I think you'll see, Ms Roy, that the form was signed.", "Ms Roy, that the form was signed."),
    ],
)
def test_a_sentence_cut_from_its_main_clause_is_a_defect(original: str, candidate: str) -> None:
    assert "fragment sentence" in defects(original, candidate)


@pytest.mark.parametrize(
    "candidate",
    [
        "If you send me the code, I'll check it.",
        "If you don't need the add-on you can remove it under Plans.",
        "If it's still blank tomorrow please call us.",
        "The form was signed on the 3rd, so it would have gone through.",
    ],
)
def test_whole_sentences_are_not_fragments(candidate: str) -> None:
    assert not defects("Thanks for waiting.", candidate)


@pytest.mark.parametrize(
    ("original", "candidate", "defect"),
    [
        ("You sound like a total drama llama right now.", "You sound like a right now.", "article without its noun"),
        ("replied 'no idea, mate' to the question", "replied '' to the question", "empty single quotes"),
        ("told her 'not my call, the venue sets it'", "the venue sets it'.", "closing ' never opened"),
    ],
)
def test_splice_debris_is_a_defect(original: str, candidate: str, defect: str) -> None:
    assert defect in defects(original, candidate)


def test_a_sentence_cut_off_before_its_verb_is_a_fragment() -> None:
    assert "fragment sentence" in defects(
        "The bank did it. You'll want to ring them.", "The bank did it. You'll want to"
    )


def test_a_quote_that_opens_on_a_space_or_a_comma_is_a_defect() -> None:
    original = 'Sending: "you broke it. The hinge is covered."'
    assert "empty or spaced quote" in defects(original, 'Sending: " The hinge is covered."')
    assert "empty or spaced quote" in defects(original, 'Sending: ", the hinge is covered."')
    assert "empty or spaced quote" not in defects(original, 'Sending: "The hinge is covered."')


def test_a_bare_condition_at_the_end_is_completed_by_the_step(rules: RuleSet) -> None:
    out = clean_suggestion("Not our problem if the locker code expired before you got there.", rules)
    joined = re.search(r"\bif the locker code expired before you got there, (could|would|can) you\b[^.!]*\?", out, re.I)
    assert joined, out
    assert "problem" not in out.lower()
    assert has_next_step(out)


@pytest.mark.parametrize(
    ("condition", "open_"),
    [
        ("If the locker code expired before you got there.", True),
        ("If your router is in a cupboard.", True),
        ("If you can't follow the guide.", False),  # a reproach, not a case a step can answer
        ("If that's too much.", False),
        ("If Noor had read the leaflet.", False),
        ("If you resend it, I'll check it.", False),  # already whole
    ],
)
def test_only_a_plain_condition_is_left_open_for_the_step(condition: str, open_: bool) -> None:
    assert ends_open(condition) is open_


def test_a_reproaching_condition_does_not_survive(rules: RuleSet) -> None:
    out = clean_suggestion(
        "Sending: If you can't work out a two-step login, maybe online banking isn't for you.", rules
    )
    assert "isn't for you" not in out and "If you can't" not in out


@pytest.mark.parametrize(
    ("sentence", "harsh"),
    [
        ("If you can't find the reset link, maybe don't change your password so often.", True),
        ("If Dev had charged the scanner overnight, it wouldn't have died mid-shift.", True),
        ("If your son had waited for the update, it would have worked.", True),
        ("If you can't find the reset link, check the spam folder.", False),
        ("If the parcel had arrived, it would be on the shelf.", False),
    ],
)
def test_reproaching_conditions_and_third_party_hindsight_are_harsh_shapes(sentence: str, harsh: bool) -> None:
    assert (shape_of(sentence) is not None) is harsh


def test_a_softened_adverb_does_not_stop_a_stated_limit_from_staying(rules: RuleSet) -> None:
    out = clean_suggestion("Hi Marco, clearly a day pass that has been scanned can't be exchanged. Thanks, Ola", rules)
    assert "can't be exchanged" in out and "clearly" not in out.lower()
    assert has_next_step(out)
    assert "leave any option" not in out  # the step does not hold out hope of another answer


def test_hindsight_about_the_customers_team_is_reframed(rules: RuleSet) -> None:
    text = 'reply to Amal at Northgate: "if your office had read the rollout email you\'d know the portal moved."'
    out = clean_suggestion(text, rules)
    assert "rollout email" in out and "portal moved" in out
    assert "had read" not in out


def test_a_route_to_who_can_help_stays_when_a_step_supplies_the_help(rules: RuleSet) -> None:
    text = (
        "Sending: Parking permits are issued by the council, so you'll need to apply through the council website."
        " Not our department."
    )
    out = clean_suggestion(text, rules)
    assert "apply through the council website" in out  # the answer, not a stock "I'm sorry"
    assert "department" not in out.lower()
    assert has_next_step(out)


def test_a_put_down_beside_a_kept_limit_still_goes(rules: RuleSet) -> None:
    out = clean_suggestion("Hi Jo, your fault for clicking the link. We cannot reverse the transfer.", rules)
    assert "fault" not in out.lower()
    assert "cannot reverse the transfer" in out
