"""The greeting and sign-off words are data (prompts/greetings.toml) and bot.coaching.greetings
builds every pattern from them; detection's greeting pattern is exactly the one it was when
the words lived in code, so detection and the learned model's features do not move."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.coaching import greetings
from bot.coaching.rules import RuleError

# The patterns as bot/coaching/segments.py wrote them before the words moved to prompts/.
GREETING_BEFORE = (
    r"(?:^|\n|[:\"'>`_*]\s{0,3})\s*(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|greetings|howdy)\b"
)
SIGN_OFF_WORDS_BEFORE = (
    "(?:regards|best|best regards|kind regards|warm regards|cheers|thanks|thank you|many thanks"
    "|sincerely|warmly|all the best|talk soon)"
)
# Session 13 added the "yours ..." forms (a reply that closes "Yours sincerely, Registrations"
# got its next step after the sign-off), and the model was retrained with them.
SIGN_OFF_WORDS_NOW = SIGN_OFF_WORDS_BEFORE.replace("|sincerely|", "|sincerely|yours (?:sincerely|truly|faithfully)|")
# The rewriter's sign-off as bot/coaching/rewrite_eval.py wrote it.
CLOSING_BEFORE = re.compile(
    r"\n\s*(?:(?i:regards|best|best regards|kind regards|warm regards|cheers|thanks|thank you|many thanks"
    r"|sincerely|warmly|all the best|talk soon|we look forward[^\n]*)\b[^\n]*(?:\n[^\n]{0,60})?"
    r"|[-\u2014~^]*\s*[A-Z][a-z]+(?: [A-Z][a-z]+)?)\s*$",
)


def test_detection_reads_exactly_the_greeting_pattern_it_read_before() -> None:
    assert greetings.GREETING.pattern == GREETING_BEFORE
    assert greetings.GREETING.flags == re.compile("", re.IGNORECASE).flags
    assert greetings.SIGN_OFF_WORDS == SIGN_OFF_WORDS_NOW  # context's reply cue embeds it


def test_the_rewriters_closing_finds_what_it_found_in_code() -> None:
    endings = [f"\n{word.title()},\nPriya" for word in SIGN_OFF_WORDS_BEFORE[3:-1].split("|")]
    endings += ["\nWe look forward to seeing you.\nLucas", "\n— Dave", "\nbest wishes", "\nregards", "no ending"]
    for ending in endings:
        text = "The refund went out today." + ending
        found, before = greetings.CLOSING.search(text), CLOSING_BEFORE.search(text)
        assert (found and found.span()) == (before and before.span()), ending


def test_phrases_sharing_a_first_word_share_a_group_in_order() -> None:
    assert greetings.alternation(["hi", "good morning", "good evening", "howdy"]) == (
        "(?:hi|good (?:morning|evening)|howdy)"
    )
    assert greetings.alternation(["best", "best regards", "kind regards"]) == "(?:best|best regards|kind regards)"
    assert greetings.alternation(["ma'am", "a.k.a"]) == r"(?:ma'am|a\.k\.a)"


def test_every_reader_finds_the_same_greetings_and_sign_offs() -> None:
    reply = "Hiya Sam, the refund went out today.\n\nKind regards,\nPriya"
    assert greetings.has_greeting(reply) and greetings.GREETING_LEAD.match(reply).group(0) == "Hiya Sam, "
    assert greetings.CLOSING.search(reply).group(0) == "\n\nKind regards,\nPriya"
    assert greetings.CLOSING.search("Thanks for waiting.\nWe look forward to hearing from you.\nLucas")
    assert not greetings.has_greeting("this is a high-priority ticket")


def test_a_broken_greetings_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "greetings.toml"
    path.write_text('[greeting]\nwords = []\n[sign_off]\nwords = ["regards"]\nlines = ["x"]\n')
    with pytest.raises(RuleError, match=r"greetings\.toml: \[greeting\] words must be a non-empty list"):
        greetings.load_greetings(path)
    path.write_text("[greeting\n")
    with pytest.raises(RuleError, match=r"greetings\.toml: not valid TOML"):
        greetings.load_greetings(path)
