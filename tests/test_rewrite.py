"""Rewrites: the agent's own message made calmer. Properties, never exact strings.

Every suggestion keeps the draft's facts, reads cleanly, is not flagged itself, and (for a
reply to a customer) ends with a concrete step; notes to colleagues get no customer tail and
team chatter gets a reflection in the note's own words. Sentences here are written for these
tests (and the pairs file), never copied from the labelled data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.audience import audience
from bot.coaching.detect import detect
from bot.coaching.facts import extract, missing
from bot.coaching.frames import base_form, ing_form, past_participle
from bot.coaching.rewrite import rewrite
from bot.coaching.rewrite_eval import score
from bot.coaching.rules import RuleError, RuleSet
from bot.coaching.strategies import default_strategies, load_strategies
from bot.coaching.suggestion_checks import defects, has_next_step, hollow
from bot.models import Analysis, Finding

PAIRS = Path(__file__).resolve().parent.parent / "prompts" / "rewrite_pairs.jsonl"
INVENTED = re.compile(r"refund|another team|escalat|pass (?:it|this) (?:on|to)|\[\w+\]", re.IGNORECASE)

DRAFTS = [
    "Hi Nadia, as I already told you, the return label is in your order confirmation #A-7731.",
    "Obviously the 20% discount can't be combined with the loyalty offer.",
    "Per my last email, we need the serial number SN-4410 to continue.",
    "Hi Tom, you should have backed up your files before upgrading to 4.2.",
    "calm down, it has been forty minutes",
    "That's company policy, I won't make an exception.",
    "Not my problem, ask the shop you bought it from.",
    "Hi Nadia, there's no way you were on hold for 90 minutes, our call records show 9.",
    "Hello Mrs. Kwan,\n\nThanks for calling. I've looked into the points transfer. I don't know.\n\nRegards,\nPaul",
    "sending: 'Hi Moira, the problem is user error. Please read the manual properly.'",
    "Hi Dev, honestly this is not rocket science. Press the green icon.",
    "Hi Ola, that's not our fault, your bank rejected the transfer of €310.",
    "If you had read the quick-start card, you'd know the reset pin is on the underside.",
    "Did you even read the red warning on the upload screen?",
    "You must have clicked the archive box on project Atlas.",
    "Hey <@U0SAMPLE>, as I said before, the fix is in <https://docs.example.com/vpn|the VPN guide>.",
    "Hi Ben, the export stopped because you deleted the temp folder during the upload.",
    "Hi Kit, you're wrong, the order #55-1902 left our depot on Friday.",
]


# Notes to colleagues whose plain, clean rewrite the learned stage still reads as a put-down:
# known false alarms, marked so that a fix shows up (strict xfail).
REWRITE_FLAGGED: set[str] = set()  # the rewrite of the before
AFTER_FLAGGED: set[str] = set()  # the hand-written after


def pairs() -> list[dict[str, object]]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pair_params(known: set[str]) -> list[object]:
    return [
        pytest.param(
            pair,
            id=str(pair["id"]),
            marks=pytest.mark.xfail(strict=True, reason="the learned stage flags this clean note (known false alarm)"),
        )
        if pair["id"] in known
        else pytest.param(pair, id=str(pair["id"]))
        for pair in pairs()
    ]


def assert_good(draft: str, rules: RuleSet) -> str:
    """The shared properties; returns the suggestion text for further checks."""
    analysis = detect(draft, rules)
    assert analysis.flagged, draft
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None
    text = suggestion.text
    assert not detect(text, rules).flagged, text
    assert not defects(draft, text), (defects(draft, text), text)
    assert not hollow(text), text
    if suggestion.kind == "rewrite":
        assert not [f.text for f in missing(extract(draft, analysis), text)], text
        if audience(draft, analysis) == "customer":
            assert has_next_step(text), text
        if not INVENTED.search(draft):
            assert not INVENTED.search(text), text
    assert suggestion.principles
    return text


@pytest.mark.parametrize("draft", DRAFTS)
def test_rewrite_keeps_facts_reads_cleanly_and_ends_with_a_step(rules: RuleSet, draft: str) -> None:
    assert_good(draft, rules)


@pytest.mark.parametrize("pair", _pair_params(REWRITE_FLAGGED))
def test_pairs_file_befores_get_good_rewrites(rules: RuleSet, pair: dict[str, object]) -> None:
    before = str(pair["before"])
    if not detect(before, rules).flagged:
        pytest.skip("the current detector does not flag this one")  # the pair itself is checked below
    assert_good(before, rules)


@pytest.mark.parametrize("pair", _pair_params(AFTER_FLAGGED))
def test_pairs_file_afters_are_what_a_good_rewrite_looks_like(rules: RuleSet, pair: dict[str, object]) -> None:
    before, after = str(pair["before"]), str(pair["after"])
    assert not detect(after, rules).flagged, after
    analysis = detect(before, rules)
    if not analysis.flagged:  # vetoed by the learned stage: the facts are what lies outside the rule's span
        analysis = detect(before, rules, model=None)
    assert not missing(extract(before, analysis), after), after
    assert not defects(before, after), after
    if pair["audience"] == "customer":
        assert has_next_step(after), after


def test_pairs_file_has_about_sixty_of_every_audience() -> None:
    found = pairs()
    assert 50 <= len(found) <= 80
    assert {p["audience"] for p in found} == {"customer", "colleague", "chatter"}
    assert len({p["id"] for p in found}) == len(found)


def test_blaming_clause_is_dropped_and_the_cause_kept(rules: RuleSet) -> None:
    draft = "Hi Ola, that's not our fault, your bank rejected the transfer of €310."
    text = assert_good(draft, rules)
    assert "bank rejected the transfer" in text and "fault" not in text


def test_hindsight_is_reframed_around_the_same_object(rules: RuleSet) -> None:
    draft = "If you had read the quick-start card, you'd know the reset pin is on the underside."
    text = assert_good(draft, rules)
    assert "quick-start card" in text and "reset pin is on the underside" in text
    assert "if you had" not in text.lower()


def test_did_you_even_keeps_what_the_customer_should_look_at(rules: RuleSet) -> None:
    text = assert_good("Did you even read the red warning on the upload screen?", rules)
    assert "the red warning" in text.lower() and "upload screen" in text


def test_slack_markup_survives_intact(rules: RuleSet) -> None:
    draft = "Hey <@U0SAMPLE>, as I said before, the fix is in <https://docs.example.com/vpn|the VPN guide>."
    text = assert_good(draft, rules)
    assert "<@U0SAMPLE>" in text and "<https://docs.example.com/vpn|the VPN guide>" in text


def test_code_stays_code(rules: RuleSet) -> None:
    draft = "Obviously you run `sync --force` first, Dana."
    text = assert_good(draft, rules)
    assert "`sync --force`" in text and text.count("`") == 2


def test_sign_off_stays_last(rules: RuleSet) -> None:
    draft = "Hi Jo,\n\nThat's our policy.\n\nKind regards,\nSam"
    suggestion = rewrite(draft, detect(draft, rules), rules)
    assert suggestion is not None
    assert suggestion.text.endswith("Kind regards,\nSam")
    assert suggestion.text.startswith("Hi Jo,")


def test_greeting_is_kept(rules: RuleSet) -> None:
    text = assert_good("Hi Ola, that's not our fault, your bank rejected the transfer of €310.", rules)
    assert text.startswith("Hi Ola,")


def test_same_stock_text_is_not_given_to_many_messages(rules: RuleSet) -> None:
    drafts = ["calm down.", "Calm down please!", "relax!!", "chill out.", "calm down, ok?", "Relax."]
    texts = [rewrite(d, detect(d, rules), rules) for d in drafts if detect(d, rules).flagged]
    assert len({t.text for t in texts if t}) >= len(texts) // 2


def test_note_to_colleagues_has_no_customer_tail(rules: RuleSet) -> None:
    # (the note says what we did: "the courier lost it" alone is itself a deflection by the guide)
    draft = "FYI told the Hartley account it's not our fault, the courier lost parcel 5520; I've filed the claim."
    analysis = detect(draft, rules)
    if not analysis.flagged or audience(draft, analysis) != "colleague":
        pytest.skip("not read as a flagged colleague note by the current detector")
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None and suggestion.kind == "rewrite"
    assert "screenshot" not in suggestion.text and "could you" not in suggestion.text.lower()
    assert "courier lost parcel 5520" in suggestion.text and "Hartley" in suggestion.text


def test_internal_put_down_gets_a_reflection_in_its_own_topic(rules: RuleSet) -> None:
    suggestion = rewrite("PEBKAC again, he couldn't find the reset button on the modem", None, rules)
    assert suggestion is not None and suggestion.kind == "reflection"
    assert "reset button" in suggestion.text and "?" in suggestion.text
    assert not detect(suggestion.text, rules).flagged


def test_reflection_without_a_struggle_still_uses_the_note(rules: RuleSet) -> None:
    suggestion = rewrite("another ID10T on the Marlow account lol", None, rules)
    assert suggestion is not None and suggestion.kind == "reflection"
    assert "Marlow" in suggestion.text
    assert not detect(suggestion.text, rules).flagged


def test_clean_text_has_no_suggestion(rules: RuleSet) -> None:
    assert rewrite("Thanks Ines, your refund is on its way.", None, rules) is None


@pytest.mark.parametrize("category", ["blame", "argumentative", "dismissive", "disparaging"])
@pytest.mark.parametrize(
    "draft",
    [
        "Hi Lee, the widget for invoice 4471 keeps failing and I am fed up with this.",
        "Your parcel <https://track.example.com/9|9921> is late, whatever.",
        "Order 33 will ship Monday, that's on the courier and frankly that's that.",
    ],
)
def test_any_finding_span_and_unknown_rule_falls_back_gracefully(rules: RuleSet, draft: str, category: str) -> None:
    """The detector will change (new rules, new ids, new spans): the rewriter must not care."""
    start = draft.index(",") + 2
    end = min(len(draft), start + 17)
    finding = Finding(
        rule="rule-from-the-future",
        category=category,
        severity="medium",
        start=start,
        end=end,
        match=draft[start:end],
        tip="tip",
        principle="be kind",
    )
    analysis = Analysis(
        text=draft, findings=(finding,), categories=(category,), severity="medium", addressed_to_customer=True
    )
    suggestion = rewrite(draft, analysis, rules)
    assert suggestion is not None and suggestion.text.strip()
    assert not detect(suggestion.text, rules).flagged
    assert not defects(draft, suggestion.text), suggestion.text
    assert has_next_step(suggestion.text)


def test_verb_forms() -> None:
    assert [base_form(v) for v in ("backed", "lost", "read", "updated", "stopped", "tried")] == [
        "back",
        "lose",
        "read",
        "update",
        "stop",
        "try",
    ]
    assert [ing_form(v) for v in ("lost", "backed", "update", "set")] == ["losing", "backing", "updating", "setting"]
    assert [past_participle(v) for v in ("click", "read", "choose", "update", "top")] == [
        "clicked",
        "read",
        "chosen",
        "updated",
        "topped",
    ]


def test_strategies_file_loads_and_is_shape_keyed() -> None:
    strategies = default_strategies()
    assert len(strategies.frames) >= 30
    assert {"drop", "reframe"} == {f.strategy for f in strategies.frames}
    assert set(strategies.stock) == {"blame", "argumentative", "dismissive", "disparaging"}
    assert all(len(v) >= 2 for v in strategies.stock.values())
    assert all(not hollow(s) for values in strategies.stock.values() for s in values)


def test_broken_strategies_file_names_the_frame(tmp_path: Path) -> None:
    bad = tmp_path / "rewrites.toml"
    bad.write_text(
        '[[frame]]\nid = "x"\nstrategy = "reframe"\npattern = "(?P<a>you)"\ntemplate = "{b}"\n', encoding="utf-8"
    )
    with pytest.raises(RuleError, match="frame #1"):
        load_strategies(bad)
    bad.write_text('[[frame]]\nid = "y"\nstrategy = "explode"\npattern = "x"\n', encoding="utf-8")
    with pytest.raises(RuleError, match="strategy"):
        load_strategies(bad)


def test_scorer_catches_what_an_agent_would_notice() -> None:
    assert "doubled word" in defects("Hi.", "Thanks for the the update.")
    assert "capital after a comma" in defects("hi", "Hi there, The order shipped.")
    assert 'orphan "' in defects("ok", 'It says "restart.')
    assert "broken markup" in defects("<@U1> hi", "<@U1 hi")
    assert "wrong article" in defects("x", "That was an tricky one.")
    assert hollow("Hi Sam, here's what happened and what we can do now.")
    assert not hollow("Here's what happened: the card expired on the 3rd.")
    assert has_next_step("Could you send me a screenshot of the checkout page?")
    assert has_next_step("I'll retry the payment today.")
    assert not has_next_step("Let me know if anything is still unclear.")


def test_scorer_figures_on_a_few_drafts(rules: RuleSet) -> None:
    report = score(DRAFTS, lambda text, analysis: rewrite(text, analysis, rules), rules)
    figures = report.figures()
    assert figures["flagged messages"] == sum(1 for d in DRAFTS if detect(d, rules).flagged)
    assert figures["re-flagged"] == 0.0
    assert figures["introduced defects"] == 0.0
    assert figures["every fact kept (replies)"] >= 0.9
    assert figures["next step (customer-facing)"] >= 0.9


def test_eval_rewrites_command(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    lines = [
        {"id": f"m{i}", "text": text, "flag": True, "categories": ["blame"], "severity": "medium"}
        for i, text in enumerate(DRAFTS[:6])
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--rewrites", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["flagged messages"] == 6 and figures["re-flagged"] == 0.0
    text = CliRunner().invoke(cli, ["eval", "--rewrites", str(path), "--show-misses", "3"])
    assert text.exit_code == 0 and "fact retention (replies)" in text.output


def test_the_last_resort_reflections_are_clean(rules: RuleSet) -> None:
    """A retrained model may read a plain question as harsh; the coach's last words must not be."""
    from bot.coaching.reflection import LAST_REFLECTIONS

    assert not [text for text in LAST_REFLECTIONS if detect(text, rules).flagged]
