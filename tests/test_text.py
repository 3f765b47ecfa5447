"""Normalisation: what rules see, and that every offset maps back to what the agent typed."""

from __future__ import annotations

import pytest

from bot.coaching.text import normalize


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("ＰＩＣＮＩＣ again", "picnic again"),
        ("i\u200bd\u200b1\u200b0\u200bt of the day", "id10t of the day"),
        ("the K\u0430r\u0435n in chat", "the karen in chat"),
        ("layer \u00ad8 problem", "layer 8 problem"),
        ("c\u200dalm down", "calm down"),
        ("it\u2019s \u201cfine\u201d \u2014 really", 'it\'s "fine" - really'),
        ("caf\u00e9 na\u00efve", "cafe naive"),
    ],
)
def test_folds_disguises_to_plain_lowercase(original: str, expected: str) -> None:
    assert normalize(original).text == expected


def test_slack_markup_keeps_labels_and_length() -> None:
    original = "<@U0AB12CD> see <#C09BILL|billing> and <https://x.io/t/1|ticket 1> &gt; quoted"
    normalized = normalize(original)
    assert len(normalized.text) == len(original)
    assert "#billing" in normalized.text
    assert "ticket 1" in normalized.text
    assert "https" not in normalized.text
    assert "u0ab12cd" not in normalized.text
    assert normalized.text[normalized.text.index(">")] == ">"


@pytest.mark.parametrize(
    ("original", "needle", "typed"),
    [
        ("hey ＰＥＢＫＡＣ again", "pebkac", "ＰＥＢＫＡＣ"),
        ("x i\u200bd\u200b1\u200b0\u200bt y", "id10t", "i\u200bd\u200b1\u200b0\u200bt"),
        ("the K\u0430r\u0435n said", "karen", "K\u0430r\u0435n"),
        ("<@U1> ok ﬁne", "fine", "ﬁne"),
    ],
)
def test_offsets_point_into_the_original(original: str, needle: str, typed: str) -> None:
    normalized = normalize(original)
    start = normalized.text.index(needle)
    o_start, o_end = normalized.to_original(start, start + len(needle))
    assert original[o_start:o_end] == typed


def test_zones_find_code_quotes_and_quoted_speech() -> None:
    text = "```\nlog line\n```\n> customer words\nshe said 'hello there' and `inline`"
    kinds = [(zone.kind, text[zone.start : zone.end]) for zone in normalize(text).zones]
    assert ("code", "```\nlog line\n```") in kinds
    assert ("quote", "> customer words") in kinds
    assert ("speech", "'hello there'") in kinds
    assert ("code", "`inline`") in kinds


def test_apostrophes_inside_words_do_not_close_a_quote() -> None:
    text = "sending: 'All set, they didn't move because it's archived.' ok"
    zones = normalize(text).zones
    assert len(zones) == 1
    assert text[zones[0].start : zones[0].end] == "'All set, they didn't move because it's archived.'"


def test_long_hostile_input_is_linear() -> None:
    text = ("\u200b" * 10_000) + ("ａ" * 10_000) + ("<" * 10_000) + "&gt;" * 2_500
    normalized = normalize(text)
    assert len(normalized.text) <= len(text)
    assert normalized.to_original(0, 1)[0] >= 0


def test_lazy_properties_are_computed_once_even_on_frozen_instances() -> None:
    from dataclasses import dataclass

    from bot.coaching.lazy import lazy_property

    calls = []

    @dataclass(frozen=True)
    class Frozen:
        value: int

        @lazy_property
        def doubled(self) -> int:
            calls.append(self.value)
            return self.value * 2

    first = Frozen(3)
    assert first.doubled == 6 and first.doubled == 6 and calls == [3]
    assert Frozen(4).doubled == 8 and calls == [3, 4]  # per instance, not per class
    normalized = normalize('he said "calm down" in `code`')
    assert normalized.zones is normalized.zones and len(normalized.zones) == 2
