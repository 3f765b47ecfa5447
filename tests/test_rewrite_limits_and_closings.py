"""Issue 12, fourth round (session 13's human read): the agent's stated limit stays when a next
step can supply the option, a step goes before an inline sign-off or a closing well-wish, a
passive reframe keeps its whole noun phrase ("a scan of your passport"), "I can see you're
upset" is empathy and not a step, and a learned finding never lands on a bare sign-off.
Every phrasing here is our own (test_rewrite_variety checks the suite against data/)."""

from __future__ import annotations

import pytest

from bot.coaching.detect import detect
from bot.coaching.frames import soften
from bot.coaching.greetings import BARE_SALUTATION, INLINE_CLOSING
from bot.coaching.rules import RuleSet
from bot.coaching.strategies import default_strategies
from bot.coaching.suggestion_checks import has_next_step
from tests.factories import clean_suggestion


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("we can't move the pickup slot once the van has left. full stop. stop asking", "move the pickup slot"),
        ("Sending: We cannot reopen the survey after the closing date. End of story.", "reopen the survey"),
    ],
)
def test_a_stated_limit_stays_and_the_step_supplies_the_option(rules: RuleSet, text: str, limit: str) -> None:
    out = clean_suggestion(text, rules)
    assert limit in out  # the agent's answer, not a stock "I'm sorry the answer isn't a simple yes"
    assert "full stop" not in out.lower() and "end of story" not in out.lower()
    assert has_next_step(out)


def test_a_brush_off_without_a_thing_is_not_kept_as_a_limit(rules: RuleSet) -> None:
    out = clean_suggestion("Mr Hale, we can't help with that, it's how things are. Rules are rules.", rules)
    assert "rules are rules" not in out.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Hi Omar, as the order page clearly says, the voucher can't be extended past June. Kind regards, Tom",
        "Hi Omar, as I told you twice already, the voucher can't be extended past June. Have a good weekend!",
    ],
)
def test_the_step_goes_before_an_inline_sign_off_or_well_wish(rules: RuleSet, text: str) -> None:
    out = clean_suggestion(text, rules)
    closing = INLINE_CLOSING.search(text)
    assert closing is not None
    assert out.endswith(closing.group(0).strip())  # the closing stays last, the step before it
    assert "June" in out


@pytest.mark.parametrize(
    ("text", "closing"),
    [
        ("The fee is 4 euros. Regards.", True),
        ("No exceptions. Yours sincerely, Registrations", True),
        ("Doors open at 6.30pm. Have a great night!", True),
        ("The fee is 4 euros. Thanks, I'll refund it today.", False),  # a promise, not a sign-off
        ("Regards to your team for the patience", False),  # no sentence before it
    ],
)
def test_what_counts_as_an_inline_closing(text: str, closing: bool) -> None:
    assert (INLINE_CLOSING.search(text) is not None) is closing


def test_a_passive_reframe_keeps_the_whole_noun_phrase(rules: RuleSet) -> None:
    text = "reply: The visa check failed because you uploaded a scan of your passport cover, not the photo page."
    out = clean_suggestion(text, rules)
    assert "a scan of your passport cover" in out
    assert "of your was" not in out


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        ("Hi Lee, I can see you're upset. The fee is 4 euros.", False),
        ("Hi Lee, I can tell this is annoying. The fee is 4 euros.", False),
        ("Hi Lee, the fee is 4 euros. I can check whether it was charged twice.", True),
    ],
)
def test_empathy_is_not_a_next_step(draft: str, expected: bool) -> None:
    assert has_next_step(draft) is expected


@pytest.mark.parametrize(
    ("sentence", "bare"),
    [
        ("Regards,\n", True),
        ("kind regards, the Harbour Ferries team", True),
        ("Hi Nadia,", True),
        ("thanks a lot, you muppet.", False),
        ("hi Nadia, the order shipped on Monday.", False),
    ],
)
def test_bare_salutations(sentence: str, bare: bool) -> None:
    assert (BARE_SALUTATION.fullmatch(sentence) is not None) is bare


def test_a_learned_finding_does_not_land_on_the_sign_off(rules: RuleSet) -> None:
    text = (
        "Hi Dana,\n\nI've gone over the file twice now. The extra charge stands and I won't be revisiting "
        "it again, so there's no point writing in about it.\n\nRegards,\nMarcus"
    )
    analysis = detect(text, rules)
    assert analysis.flagged
    for finding in analysis.findings:
        assert not BARE_SALUTATION.fullmatch(text[finding.start : finding.end]), finding


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("No refunds after 30 days, period.", "No refunds after 30 days."),
        ("The plan renews each billing period.", "The plan renews each billing period."),
        ("The van has left. Full stop.", "The van has left."),
    ],
)
def test_a_slammed_door_goes_but_a_billing_period_stays(sentence: str, expected: str) -> None:
    assert soften(sentence, default_strategies()).strip() == expected


def test_a_draft_label_with_a_title_keeps_its_label_and_the_answer(rules: RuleSet) -> None:
    text = "reply to Dr. Okoye: That's impossible, our portal can't charge a card twice."
    out = clean_suggestion(text, rules)
    assert out.startswith("reply to Dr. Okoye: ")
    assert "charge a card twice" in out
