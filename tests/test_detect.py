"""Detection: each category fires on fresh phrasings, and each kind of near-miss stays silent.

These sentences are written for the tests (not taken from the development set), so they
check that the rules generalise rather than remember.
"""

from __future__ import annotations

import pytest

from bot.coaching.detect import detect
from bot.coaching.rules import RuleSet

FLAGGED = [
    # disparaging
    ("Tullamore ticket was another 1D-10-T, closing", "disparaging"),
    ("pure P.E.B.C.A.K on the Harlow account", "disparaging"),
    ("classic layer eight problem at the dental office", "disparaging"),
    ("ＩＤ１０Ｔ strikes again", "disparaging"),
    ("that guy is a total m0r0n", "disparaging"),
    ("their office manager is an absolute idiot", "disparaging"),
    ("she is so dumb, asked the same thing four times", "disparaging"),
    ("luzer of the week: the Brightwater admin", "disparaging"),
    ("RTFM honestly, it's on page one", "disparaging"),
    ("code 18 again, the plug was out", "disparaging"),
    ("Karen mode activated in chat 3", "disparaging"),
    ("user error as usual, closing", "disparaging"),
    # blame
    ("Hi Tom, you should have backed up your files before upgrading.", "blame"),
    ("Hello, that's not our fault, the bank declined it.", "blame"),
    ("Hi Ana, why didn't you check the size guide before ordering?", "blame"),
    ("you probably deleted the folder by accident", "blame"),
    ("Hi, if you had read the email you'd know the date changed.", "blame"),
    ("Hi Lee, we're not liable for damage caused by third-party chargers.", "blame"),
    # argumentative
    ("Hi Mo, like I told you yesterday, the refund takes 5 days.", "argumentative"),
    ("Please calm down, I'm trying to help.", "argumentative"),
    ("You're mistaken, the order was delivered on Monday.", "argumentative"),
    ("Hi Jan, clearly the invoice says net 30.", "argumentative"),
    ("Have you even read the setup instructions?", "argumentative"),
    ("As previously stated, we need a photo of the damage.", "argumentative"),
    # dismissive
    ("Sorry, there's nothing I can do about that.", "dismissive"),
    ("That's the policy. Thanks for contacting us.", "dismissive"),
    ("Not my department, sorry.", "dismissive"),
    ("no clue tbh", "dismissive"),
    ("Above my pay grade, I'm afraid.", "dismissive"),
]

CLEAN = [
    # technical uses of the same strings
    'The API returns `{"reason": "user_error"}` when the CSV header is missing.',
    "Their bank sent decline code 18, asked them for a different card.",
    "It's a layer 3 routing issue on the customer's VPN, looping in network eng.",
    "The printer shows error 40 - paper path blocked; sent the manual page.",
    "The IRC bridge counts /lusers, the number is off by two bots.",
    # literal meanings and names
    "Karen Oduya from Fenwick signed the renewal today 🎉",
    "Picnic blankets are back in stock for the spring catalogue.",
    "Booked a call with Moroni Travel for Thursday.",
    # substrings of innocent words
    "The dumbbell set ships separately from the bench.",
    "That oxymoron in our onboarding email made me laugh, fixing the wording.",
    # quoting the customer
    "> you people are idiots\nSorry about the wait, Dana, I've refunded the fee.",
    "Customer wrote 'calm down? I AM calm' - fair, we were slow. Refund sent.",
    # code blocks and logs
    "```\nERROR pebkac_guard: legacy check failed\n```\nfrom their old install, ignoring",
    # self-deprecation and owning our fault
    "ugh, I'm such an idiot, sent the wrong invoice. Correcting now.",
    "That one is totally on us, the sync job skipped their workspace.",
    # naming a banned phrase to discourage it
    "Reminder: we never use terms like PEBKAC or luser about customers.",
    "The coach bot flagged 'calm down' in my draft, good catch.",
    # polite versions
    "I don't know offhand, but I'll check with billing and reply within the hour.",
    "We can't refund after 60 days, but I can offer a credit or transfer the licence.",
    "You should have a confirmation email by now, let me know if it's not there.",
    "You must be tired of this issue, I'm sorry. I've escalated it to engineering.",
    # colleague logistics
    "as I said in standup, I'm covering the late shift on Friday",
    # negation and defending the customer
    "Not user error at all, our reset link expired early. Fixed.",
    "Honestly not a PEBKAC, the button is hidden on mobile.",
    "You're right, and you're not wrong to be frustrated. I've fixed the charge.",
    # plain good replies
    "Hi Priya, thanks for your patience! Your replacement ships today with tracking.",
    "Obviously we take privacy seriously, here's our policy page: https://example.com/privacy",
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_flags_fresh_phrasings(rules: RuleSet, text: str, category: str) -> None:
    analysis = detect(text, rules)
    assert analysis.flagged, text
    assert category in analysis.categories, (text, analysis.categories)
    assert analysis.severity in {"low", "medium", "high"}


@pytest.mark.parametrize("text", CLEAN)
def test_near_misses_stay_silent(rules: RuleSet, text: str) -> None:
    analysis = detect(text, rules)
    assert not analysis.flagged, [(f.rule, f.match) for f in analysis.findings]


def test_findings_point_at_what_was_typed(rules: RuleSet) -> None:
    text = "<@U01> lol another Ｐ\u200bＥＢＫＡＣ from the Orchard account"
    analysis = detect(text, rules)
    (finding,) = analysis.findings
    assert text[finding.start : finding.end] == finding.match == "Ｐ\u200bＥＢＫＡＣ"
    assert finding.rule == "pebkac"
    assert finding.tip and finding.principle


def test_one_bad_sentence_flags_a_long_good_message(rules: RuleSet) -> None:
    good = "Thanks for the details, I've checked the order and it ships Monday. " * 30
    analysis = detect(good + "Honestly the guy is a moron. " + good, rules)
    assert analysis.categories == ("disparaging",)
    assert analysis.severity == "high"


def test_insult_in_a_reply_is_high_and_combined_labels(rules: RuleSet) -> None:
    analysis = detect("Hi Ben, did you even read the email? It clearly says Friday.", rules)
    assert "argumentative" in analysis.categories  # the labelling guide adds blame; the model may too
    combo = detect("Hi Ben, as I said, this is PEBKAC.", rules)
    assert set(combo.categories) == {"disparaging", "argumentative"}
    assert combo.severity == "high"


def test_internal_slang_is_medium_but_addressed_slang_is_high(rules: RuleSet) -> None:
    assert detect("layer 8 issue on the Wexford ticket", rules).severity == "medium"
    assert detect("Hi Wexford team, this is a layer 8 issue.", rules).severity == "high"


def test_strikethrough_and_emoji_do_not_cancel_a_put_down(rules: RuleSet) -> None:
    assert detect("~PEBKAC~ 🙃 resolved", rules).flagged


def test_forty_thousand_characters(rules: RuleSet) -> None:
    text = ("as I said " + "x" * 90 + " ") * 400
    analysis = detect(text[:40_000], rules)
    assert analysis.flagged
    assert len(analysis.findings) <= 20 * len(rules.rules)


def test_empty_and_whitespace(rules: RuleSet) -> None:
    assert not detect("", rules).flagged
    assert not detect(" \n\t ", rules).flagged


def test_rejects_non_text(rules: RuleSet) -> None:
    with pytest.raises(TypeError, match="needs a str"):
        detect(b"bytes", rules)  # type: ignore[arg-type]


# --- shared segments and data-driven context ---------------------------------------------


def test_segments_split_sentences_but_not_titles() -> None:
    from bot.coaching import greetings, segments

    text = "Hi Mrs. Hale, thanks. The refund is done!\nCheers"
    spans = segments.sentence_spans(text)
    assert [text[a:b].strip() for a, b in spans if text[a:b].strip()] == [
        "Hi Mrs. Hale, thanks.",
        "The refund is done!",
        "Cheers",
    ]
    assert spans[0][0] == 0 and spans[-1][1] == len(text)  # the spans cover the whole text
    assert segments.sentence_at(text, text.index("refund"), text.index("refund") + 6) == spans[1]
    assert greetings.has_greeting("draft: 'Hello Sam, ...'")
    assert not greetings.has_greeting("this is a high-priority ticket")


def test_an_excusing_cue_inside_the_match_does_not_excuse_it() -> None:
    assert detect("Hi Jo, there's nothing I can offer you.").flagged
    assert not detect("Hi Jo, there's nothing more I can do about the fee, but I can offer a voucher.").flagged


def test_a_negated_follow_up_cue_is_no_follow_up() -> None:
    assert detect("Hi Ro, dunno. The portal won't let me in either.").flagged
    assert not detect("Hi Ro, dunno yet, let me check with the team.").flagged


def test_context_cues_are_data(tmp_path) -> None:
    from bot.coaching.context import MessageContext, load_context
    from bot.coaching.rules import RULES_DIR
    from bot.coaching.text import normalize

    source = (RULES_DIR.parent / "context.toml").read_text(encoding="utf-8")
    custom = tmp_path / "context.toml"
    custom.write_text(source.replace('"shift", "shifts",', '"shift", "shifts", "bake sale",'), encoding="utf-8")
    cues = load_context(custom)
    assert MessageContext(normalize("as I said, the bake sale is Friday"), cues).colleague_directed
    assert not MessageContext(normalize("as I said, the bake sale is Friday")).colleague_directed


def _sure_it_is_clean(veto: float):
    """A model with no weights and a very negative bias: every message scores about 0.0003."""
    from bot.coaching.model import OUTPUTS, LearnedModel

    return LearnedModel(
        weights={},
        bias=(-8.0,) * len(OUTPUTS),
        idf={},
        thresholds={"flag": 0.5, "evidence": 0.0, "category": 0.7, "veto": veto},
    )


def test_a_bundled_rule_falls_when_the_model_is_sure_the_message_is_clean(rules: RuleSet) -> None:
    text = "honestly the checkout flow has been a nightmare since the redesign, calm down is what I needed"
    assert detect(text, rules, model=None).flagged, "the case needs a bundled rule that fires"
    assert detect(text, rules, model=_sure_it_is_clean(veto=0.0)).flagged  # no veto: the rule stands
    vetoed = detect(text, rules, model=_sure_it_is_clean(veto=0.05))
    assert not vetoed.flagged and vetoed.model_score is not None and vetoed.model_score < 0.05


def test_a_teams_own_term_is_never_vetoed(tmp_path) -> None:
    from bot.coaching.rules import load_rules

    (tmp_path / "dismissive.toml").write_text(
        'category = "dismissive"\nprinciple = "Offer a way forward."\nnext_step = "I\'ll check."\n'
        'reflection = "What would help?"\nfallback = "Let\'s sort it out."\n'
        "[[rule]]\nid='not-our-circus'\nseverity='medium'\ntip='Offer a way forward.'\n"
        "patterns=['''\\bnot our circus\\b''']\nanchors=['circus']\n",
        encoding="utf-8",
    )
    custom = load_rules(tmp_path)
    analysis = detect("Sorry, that one is not our circus.", custom, model=_sure_it_is_clean(veto=0.05))
    assert [f.rule for f in analysis.findings] == ["not-our-circus"]
