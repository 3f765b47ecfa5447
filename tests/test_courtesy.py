"""A message of nothing but courtesy gets silence: the labelled files hold almost no such
message, and in them a thank-you often opens a refusal, so the learned stage alone reads a bare
"thank you for your understanding" or a well-wish as a brush-off. The words are data
([courtesy] in prompts/greetings.toml); the rules still read every message, and courtesy next
to a harsh sentence is still flagged. Every phrasing here is our own."""

from __future__ import annotations

import pytest

from bot.coaching import learned
from bot.coaching.detect import detect
from bot.coaching.greetings import is_courtesy
from bot.coaching.named_things import objects_named
from bot.coaching.rules import RuleSet
from bot.coaching.splice import tidy
from bot.coaching.suggestion_checks import defects

COURTESY_ONLY = [
    "Thank you so much for your understanding.",
    "Hello Ottilie, thanks for getting in touch about the calendar sync.",
    "Hi Wilma, I hope this helps. Take care.",
    "Enjoy the rest of your week! :wave:",
]


@pytest.mark.parametrize("text", COURTESY_ONLY)
def test_courtesy_alone_is_not_flagged(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not detect(text).flagged
    # the guard is what keeps it silent: without it the learned stage flags these
    monkeypatch.setattr(learned, "_courtesy_only", lambda context, own: False)
    assert detect(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for getting in touch. We don't deal with third-party chargers, ask the shop.",
        "Have a good one, and stop opening new tickets for this.",
        "Thanks for nothing.",
        "Thanks for your patience, genius.",
    ],
)
def test_courtesy_with_a_harsh_word_or_sentence_is_still_flagged(text: str) -> None:
    assert detect(text).flagged


@pytest.mark.parametrize(
    ("sentence", "courtesy"),
    [
        ("Hi Bram, thank you for flagging the broken link on the pricing page.", True),
        ("Many thanks for bearing with us today!", True),
        ("Kind regards, the Lantern Books team", True),
        ("Hope you're well 🙂", True),
        ("Thanks, but no.", False),  # a contrast
        ("Thanks for finally reading the manual.", False),  # a reproach
        ("Thanks for the essay.", False),  # sarcasm
        ("Have a nice day, and read the FAQ first.", False),  # more than a wish
        ("The invoice is attached.", False),
    ],
)
def test_what_counts_as_courtesy(sentence: str, courtesy: bool) -> None:
    assert is_courtesy(sentence) is courtesy


def test_a_suggestion_of_nothing_but_courtesy_is_a_defect() -> None:
    """The learned stage no longer flags a bare sign-off, so the rewriter's checks must refuse
    an edit that leaves only one: it says nothing the agent meant."""
    draft = "Sadly that is beyond what our plan covers. Warm regards, the Fernhill desk"
    assert "nothing left but courtesy" in defects(draft, "Warm regards, the Fernhill desk")
    assert "nothing left but courtesy" not in defects("Thanks a lot!", "Many thanks!")
    kept = "Our plan covers two rooms. Warm regards, the Fernhill desk"
    assert "nothing left but courtesy" not in defects(draft, kept)


def test_two_sentences_glued_together_are_a_defect() -> None:
    assert "glued sentences" in defects("Hi! The van is late.", "Hi!I'm sorry the van is late.")
    assert "glued sentences" not in defects("Hi! The van is late.", "Hi! I'm sorry the van is late.")
    assert "glued sentences" in defects("Thanks for the 'fix'. Ok.", "Thanks for the 'fix'.Thanks for waiting.")
    assert "glued sentences" not in defects("x", "You chose 'annual'. Then the price changed.")


@pytest.mark.parametrize(
    ("spliced", "tidied"),
    [
        ("Hi!I'm sorry the van is late.", "Hi! I'm sorry the van is late."),
        ("The box was not 'lost'.It is in the locker.", "The box was not 'lost'. It is in the locker."),
        ("Open v2.Beta from the menu.", "Open v2.Beta from the menu."),  # a version, not two sentences
    ],
)
def test_tidy_puts_the_space_back_between_glued_sentences(spliced: str, tidied: str) -> None:
    assert tidy(spliced) == tidied


def test_the_object_of_a_courtesy_is_not_a_thing_the_step_asks_about(rules: RuleSet) -> None:
    text = "Reply: Sorry, that's the rule. We appreciate your understanding."
    assert "your understanding" not in objects_named(text, detect(text, rules), rules)
