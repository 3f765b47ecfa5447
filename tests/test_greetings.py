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
SIGN_OFF_BEFORE = (
    r"\n\s*(?:regards|best|best regards|kind regards|warm regards|cheers|thanks|thank you|many thanks"
    r"|sincerely|warmly|all the best|talk soon)\b[^\n]*(?:\n[^\n]{0,60})?\s*$"
)


def test_detection_reads_exactly_the_greeting_pattern_it_read_before() -> None:
    assert greetings.GREETING.pattern == GREETING_BEFORE
    assert greetings.GREETING.flags == re.compile("", re.IGNORECASE).flags
    assert greetings.SIGN_OFF.pattern == SIGN_OFF_BEFORE
    assert greetings.SIGN_OFF.flags == re.compile("", re.IGNORECASE).flags


def test_phrases_sharing_a_first_word_share_a_group_in_order() -> None:
    assert greetings.alternation(["hi", "good morning", "good evening", "howdy"]) == (
        "(?:hi|good (?:morning|evening)|howdy)"
    )
    assert greetings.alternation(["best", "best regards", "kind regards"]) == "(?:best|best regards|kind regards)"
    assert greetings.alternation(["ma'am", "a.k.a"]) == r"(?:ma'am|a\.k\.a)"


def test_every_reader_finds_the_same_greetings_and_sign_offs() -> None:
    reply = "Hiya Sam, the refund went out today.\n\nKind regards,\nPriya"
    assert greetings.has_greeting(reply) and greetings.OPENS_WITH_GREETING.match(reply)
    assert greetings.SIGN_OFF.search(reply) and greetings.CLOSING.search(reply)
    assert greetings.CLOSING.search("Thanks for waiting.\nWe look forward to hearing from you.\nLucas")
    assert not greetings.has_greeting("this is a high-priority ticket")


def test_a_broken_greetings_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "greetings.toml"
    path.write_text('[greeting]\nwords = []\naddress = ["sir"]\n[sign_off]\nwords = ["regards"]\nlines = ["x"]\n')
    with pytest.raises(RuleError, match=r"greetings\.toml: \[greeting\] words must be a non-empty list"):
        greetings.load_greetings(path)
    path.write_text("[greeting\n")
    with pytest.raises(RuleError, match=r"greetings\.toml: not valid TOML"):
        greetings.load_greetings(path)
