"""The prefilter's mechanics: required literals, windows, needles from a word start, and the
fast normalisation path, each checked against the plain whole-text way of doing it."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.compact import COMPACT_TABLE, compact
from bot.coaching.detect import detect
from bot.coaching.prefilter import (
    AT_STARTS,
    Starts,
    at_starts,
    compact_spans,
    starts_around,
    windowed,
    windows_around,
)
from bot.coaching.regex_shape import required_literals
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.text import normalize

RULES = default_rules()
EXAMPLES = [text for rule in RULES.rules for text in (*rule.examples, *rule.counter_examples)]
# The reference searches use a regex per literal, anchor and needle: over 21,000 of them, far
# past re's own cache of 512, so each call recompiled its pattern (two minutes of the suite).
regex = functools.cache(re.compile)


def test_required_literals_of_simple_patterns() -> None:
    assert required_literals(re.compile(r"\bcalm down\b")) == {"calm down"}
    assert required_literals(re.compile(r"\b(?:you|u) (?:should|must)(?:'ve| have)\b")) == {
        f"u {verb}{have}" for verb in ("should", "must") for have in ("'ve", " have")
    }  # "you should've" holds "u should've": the shorter one gates both
    assert required_literals(re.compile(r"\bnot (?:our|my) fault\b")) == {"not our fault", "not my fault"}
    assert required_literals(re.compile(r"(?i)\bPEBKAC\b")) == {"pebkac"}
    # No literal every match must contain (too short, optional, or a character class): None.
    assert required_literals(re.compile(r"\b(?:no|nah)\b")) is None
    assert required_literals(re.compile(r"(?:calm )?down")) == {"down"}
    assert required_literals(re.compile(r"\w+ing\b")) == {"ing"}
    assert required_literals(re.compile(r"(?:foo)?bar|baz")) == {"bar", "baz"}
    assert required_literals(re.compile(r"x|yzw")) is None


def test_every_match_of_every_rule_contains_one_of_its_literals() -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    labelled = [
        json.loads(line)["text"]
        for name in ("devset.jsonl", "train_a.jsonl", "train_b.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts = [normalize(text).text for text in EXAMPLES + labelled]
    checked = 0
    for rule, plans in zip(RULES.rules, RULES.plans, strict=True):
        for pattern, plan in zip(rule.patterns, plans, strict=True):
            if plan.literals is None:
                continue
            for text in texts:
                for match in pattern.finditer(text):
                    assert match.end() - match.start() <= plan.width
                    # Some occurrence of a literal sits within the widths the windows allow.
                    assert any(
                        occurrence.start() - match.start() <= plan.before
                        and match.end() - occurrence.end() <= plan.after
                        for literal in plan.literals
                        for occurrence in regex(re.escape(literal)).finditer(text)
                        if match.start() <= occurrence.start() and occurrence.end() <= match.end()
                    ), (rule.id, match.group())
                    checked += 1
    assert checked > 200


PIECES = st.sampled_from([*EXAMPLES, " ", ". ", "\n", ", ", "x" * 50, "   " * 30, "it's to ", "foo"])


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=12).map("".join))
def test_windowed_search_equals_a_whole_text_run(original: str) -> None:
    text = normalize(original).text
    for rule, plans in zip(RULES.rules, RULES.plans, strict=True):
        for pattern, plan in zip(rule.patterns, plans, strict=True):
            if plan.literals is None:
                continue
            spans = [(m.start(), m.end()) for lit in plan.literals for m in regex(re.escape(lit)).finditer(text)]
            expected = [m.span() for m in pattern.finditer(text)]
            windows = windows_around(spans, plan.before, plan.after, len(text)) if spans else ()
            assert [m.span() for m in windowed(pattern, text, windows)] == expected, (rule.id, pattern.pattern)
            if plan.before <= AT_STARTS:  # the cheaper mode scan picks for such patterns
                starts = starts_around(spans, plan.before) if spans else Starts()
                assert [m.span() for m in at_starts(pattern, text, starts)] == expected, (rule.id, pattern.pattern)


def test_remembered_literals_are_per_pattern_text_and_flags() -> None:
    """The literal analysis is remembered by pattern text and flags (rule sets are built again
    for overlays and custom terms): the same text under other flags gets its own answer."""
    assert required_literals(re.compile("Calm Down")) == {"Calm Down"}
    assert required_literals(re.compile("Calm Down", re.IGNORECASE)) == {"calm down"}
    assert required_literals(re.compile("Calm Down")) == {"Calm Down"}
    rebuilt = RuleSet.build(RULES.rules, RULES.categories)  # a second build, from the memo
    assert rebuilt.plans == RULES.plans


def test_a_window_cut_does_not_invent_a_match() -> None:
    pattern = re.compile(r"\bfoo\b")
    assert [m.span() for m in windowed(pattern, "a foobar", ((0, 5),))] == []
    assert [m.span() for m in windowed(pattern, "a foo bar", ((0, 5),))] == [(2, 5)]


def test_windows_merge_and_stay_inside_the_text() -> None:
    assert windows_around([(10, 14), (12, 20)], 2, 8, 100) == ((8, 92),)  # 10 - 2 to 20 + 8 + lookahead room
    assert windows_around([(0, 4)], 8, 8, 30) == ((0, 30),)
    far = windows_around([(0, 4), (5000, 5004)], 8, 8, 10_000)
    assert len(far) == 2 and far[0][1] < far[1][0]


def test_hits_far_apart_each_get_their_window() -> None:
    filler = "Thanks for the logs, I checked the account settings and the sync worker. " * 600
    text = "Not my problem. " + filler + "you should have read the docs. " + filler + "what a moron"
    analysis = detect(text, RULES)
    assert {f.rule for f in analysis.findings} >= {"not-my-job", "should-have", "insult"}
    for finding in analysis.findings:
        assert text[finding.start : finding.end] == finding.match


def test_a_needle_counts_only_from_a_word_start() -> None:
    tsto = RULES.get("slang-acronyms")
    assert tsto is not None and "tsto" in tsto.needles
    assert tsto not in RULES.candidates(normalize("it's to the left, requests to the API").text)
    assert tsto in RULES.candidates(normalize("TSTO, closing").text)
    assert detect("classic P.E.B.K.A.C lol", RULES).flagged
    assert detect("p e b k a c again", RULES).flagged


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdepkt .,'-!|$\u00e9🙃\n"), max_size=120))
def test_compact_spans_map_back_onto_the_text(text: str) -> None:
    folded = compact(text)
    assert folded == text.translate(COMPACT_TABLE)
    spans = [(start, min(len(folded), start + 3)) for start in range(0, len(folded), 2)]
    for (c_start, c_end), (start, end) in zip(spans, compact_spans(text, spans), strict=True):
        assert compact(text[start:end]) == folded[c_start:c_end]
        assert compact(text[start : start + 1]) == folded[c_start : c_start + 1]


def test_compact_spans_on_a_long_text_use_chunks() -> None:
    for piece in ("it's a p.e.b.k.a.c, ok ", "it's a p.e.b.k.a.c 🙃 ok "):
        text = (piece * 2000)[:40_000]
        folded = compact(text)
        spans = [(m.start(), m.end()) for m in re.finditer("pebkac", folded)]
        mapped = compact_spans(text, spans)
        assert len(mapped) == len(spans) > 1000
        assert all(text[start:end] == "p.e.b.k.a.c" for start, end in mapped)


def _reference_normalize(original: str) -> tuple[str, list[int]]:
    """The per-character normalisation (each character through the same fold), as it was
    before the run-by-run fast path."""
    from bot.coaching.text import _ITALIC_EDGE, _SLACK_MARKUP, _blank_markup, _fold_char, resolve_ambiguous

    blanked = _SLACK_MARKUP.sub(_blank_markup, original)
    if "_" in blanked:
        blanked = _ITALIC_EDGE.sub(" ", blanked)
    pieces, starts = [], []
    for index, char in enumerate(blanked):
        folded = char if char < "\x80" else _fold_char(char)
        pieces.append(folded)
        starts.extend([index] * len(folded))
    text = "".join(pieces).lower()
    if "у" in blanked or "У" in blanked:
        text = resolve_ambiguous(text, starts, blanked)
    return text, starts


TRICKY = st.sampled_from(
    ["ＰＥＢＫＡＣ", "\u200b", "К", "ﬁ", "İ", "🙃", ":tada:", "<@U1|bob>", "&gt;", "é", "\u00ad", "a"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), TRICKY), max_size=20).map("".join))
def test_fast_normalize_equals_the_per_character_one(original: str) -> None:
    normalized = normalize(original)
    text, starts = _reference_normalize(original)
    assert normalized.text == text
    for index in range(len(text)):
        assert normalized.to_original(index, index + 1) == (starts[index], starts[index] + 1)


def test_length_preserving_folds_build_no_offset_map() -> None:
    assert normalize("queue at 12 👀 all good ✅").starts is None
    assert normalize("Ｋаrеn").starts is None
    assert normalize("a\u200bb").starts is not None  # an invisible character shifts offsets


def test_ten_times_the_rules_find_the_same_spans() -> None:
    import dataclasses

    copies = [dataclasses.replace(rule, id=f"{rule.id}-x{k}") for k in range(3) for rule in RULES.rules]
    tripled = RuleSet.build(copies, RULES.categories)
    for text in EXAMPLES[:80]:
        # rules only: the learned stage's veto is for the bundled rules, not for renamed copies
        one = {(f.start, f.end, f.category) for f in detect(text, RULES, model=None).findings}
        three = {(f.start, f.end, f.category) for f in detect(text, tripled, model=None).findings}
        assert one == three, text


def test_fast_search_finds_the_same_spans() -> None:
    from bot.coaching.regex_shape import fast_search

    texts = [normalize(text).text for text in EXAMPLES] + ["i d 10 t", "xi d ten t", "in id-ten-t"]
    rewritten = 0
    for rule in RULES.rules:
        for pattern in rule.patterns:
            fast = fast_search(pattern)
            rewritten += fast is not pattern
            for text in texts:
                assert [m.span() for m in fast.finditer(text)] == [m.span() for m in pattern.finditer(text)]
    assert rewritten >= 1


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1 '\n.x\""), max_size=40))
def test_single_quote_zone_pattern_equals_the_lookbehind_first_one(text: str) -> None:
    from bot.coaching.text import _SINGLE_QUOTED

    plain = re.compile(r"(?<![a-z0-9])'(?:[^'\n]|'(?=[a-z])){1,600}?'(?![a-z0-9])")
    assert [m.span() for m in _SINGLE_QUOTED.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ9_ .!?,)'\"\n-é"), max_size=30))
def test_underscore_first_italic_pattern_equals_the_lookbehind_first_one(text: str) -> None:
    from bot.coaching.text import _ITALIC_EDGE, _OPENING_SINGLE_QUOTE

    plain = re.compile(r"(?<![A-Za-z0-9_])_(?=[A-Za-z])|(?<=[A-Za-z.!?,)'\"])_(?![A-Za-z0-9_])")
    assert [m.span() for m in _ITALIC_EDGE.finditer(text)] == [m.span() for m in plain.finditer(text)]
    opening = re.compile(r"(?:^|[^a-z0-9])'")
    assert (_OPENING_SINGLE_QUOTE.search(text) is None) == (opening.search(text) is None)


def _cue_patterns() -> list[re.Pattern[str]]:
    from bot.coaching import context, greetings

    cues = context.cues()
    fields = [getattr(cues, name) for name in cues.__dataclass_fields__]
    return [field for field in fields if isinstance(field, re.Pattern)] + [
        greetings.GREETING,
        context._REPLY_PROSE,
        context._SECOND_PERSON,
        context._WE,
        context._VOCATIVE,
    ]


# fmt: off
CUE_PIECES = st.sampled_from([*EXAMPLES[:150], "Customer: ", "> ", "\n", " ", "said ", "HELLO", "Hi", "you", "we",
                              "regards", "draft:", "macro", "```", "İ", "K", "ﬁ"])
# fmt: on


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CUE_PIECES, st.text(max_size=6)), max_size=10).map("".join))
def test_might_match_is_never_false_where_the_pattern_matches(text: str) -> None:
    from bot.coaching.regex_shape import might_match

    for pattern in _cue_patterns():
        for piece in (text, text.lower(), normalize(text).text):
            if pattern.search(piece) is not None:
                assert might_match(pattern, piece), (pattern.pattern[:80], piece)


def test_might_match_rules_out_texts_without_the_literals() -> None:
    from bot.coaching.context import cues
    from bot.coaching.regex_shape import might_match

    plain = "the export finished and the file is in the shared folder now"
    assert not might_match(cues().others_intro, plain) and not might_match(cues().agent_intro, plain)
    assert might_match(re.compile(r"(?i)\bhello\b"), "Well, HELLO there")  # case-insensitive: compared lower-cased
    assert might_match(re.compile(r"(?i)\bhello\b"), "HELLO İ")  # not ASCII: never ruled out
    assert might_match(re.compile(r"\w+"), "anything")  # no literal to go by: always searched


def _all_patterns() -> list[re.Pattern[str]]:
    return [pattern for rule in RULES.rules for pattern in rule.patterns] + _cue_patterns()


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=6).map("".join), st.integers(0, 400), st.integers(0, 400))
def test_start_search_finds_the_same_first_start(original: str, pos: int, span: int) -> None:
    from bot.coaching.regex_shape import finditer_fast, search_fast, start_search

    text = normalize(original).text
    pos = min(pos, len(text))
    endpos = min(len(text), pos + span)
    for pattern in _all_patterns():
        plain = pattern.search(text, pos, endpos)
        found = start_search(pattern).search(text, pos, endpos)
        assert (plain is None) == (found is None), pattern.pattern[:80]
        assert plain is None or found is None or plain.start() == found.start(), pattern.pattern[:80]
    for pattern in _cue_patterns():
        assert [m.span() for m in finditer_fast(pattern, text)] == [m.span() for m in pattern.finditer(text)]
        fast, plain = search_fast(pattern, text), pattern.search(text)
        assert (fast and fast.span()) == (plain and plain.span())


def test_start_search_rewrites_alternations_and_leaves_the_rest() -> None:
    from bot.coaching.regex_shape import fast_search, start_search

    guess = re.compile(r"\b(?:[i1!]'d guess|c[o0]uld be|my hunch is)\s+(?:that\s+)?you")
    assert start_search(guess) is not guess and start_search(guess).pattern.startswith("(?:")
    assert start_search(guess).search("well, it could be that you did").start() == 9
    for untouched in (r"\w+ing", r"(?:x)?", r"(?i)\bcalm down", r"(a)\1"):  # no opening worked out, empty, case
        pattern = re.compile(untouched)
        assert start_search(pattern) is fast_search(pattern)


def test_pruned_anchors_and_needles_pick_the_same_rules() -> None:
    """Anchors implied by a shorter one of the same rule, and needles that start with a
    shorter one, are not searched; the rules picked, from every anchor, stay the same."""
    from bot.coaching.prefilter import implies, searched_anchors, searched_needles

    assert implies("because of your team", "because of your") and implies("no, your fault", "your fault")
    assert not implies("fyour fault", "your fault")  # inside a word: that one would not count there
    checked = 0
    for rule in RULES.rules:
        kept = searched_anchors(rule.anchors)
        for anchor in rule.anchors:
            assert anchor in kept or any(implies(anchor, shorter) for shorter in kept)
            checked += anchor not in kept
        needles = searched_needles(rule.needles, rule.patterns)
        assert all(n in needles or any(n.startswith(k) for k in needles) for n in rule.needles)
    assert checked > 100  # the vocabulary's expansions do overlap


# --- literal choice by rarity, and the prefilter against a plain reference ----------------


def test_rarity_ranks_common_words_above_slang() -> None:
    from bot.coaching.rarity import expected_count, set_cost

    assert expected_count(" on the ") > expected_count("pebkac")
    assert expected_count("ing") > expected_count("third time")
    assert set_cost(frozenset({" on ", " 0n "})) > set_cost(frozenset({"pebkac"}))


def test_a_pattern_gates_on_its_rarest_required_literal() -> None:
    # "on the " is longer than " pebk", but every other support message holds it.
    assert required_literals(re.compile(r"\bon the \w+ pebk")) == {" pebk"}
    assert required_literals(re.compile(r"\b(?:working|getting) \w+ (?:idiot|moron)")) == {" idiot", " moron"}
    # A set too short to gate never wins over a usable one, however rare it looks.
    assert required_literals(re.compile(r"\bzq\w+ about")) == {" about"}


def test_the_prefilter_choice_never_changes_what_a_rule_needs() -> None:
    for rule, plans in zip(RULES.rules, RULES.plans, strict=True):
        for pattern, plan in zip(rule.patterns, plans, strict=True):
            if plan.literals is not None:
                assert plan.literals == required_literals(pattern)
                assert min(map(len, plan.literals)) >= 3 or all(not s.isascii() for s in plan.literals)


def _reference_candidates(text: str) -> set[str]:
    """Rules the plain way: an anchor from a word start (a regex per anchor) or a needle from
    a word start in the compact copy, and some pattern matching somewhere in the text."""
    folded = compact(text)
    picked = set()
    for rule in RULES.rules:
        anchored = any(
            regex(
                r"(?<![\w])" + re.escape(anchor) if anchor[0].isalnum() or anchor[0] == "_" else re.escape(anchor)
            ).search(text)
            for anchor in rule.anchors
        )
        if not anchored and rule.needles:
            spans = [
                (m.start(), m.end())
                for needle in rule.needles
                for m in regex(f"(?={re.escape(needle)})").finditer(folded)
            ]
            spans = [(start, start + 1) for start, _ in spans]
            anchored = any(
                start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")
                for start, _ in compact_spans(text, spans)
            )
        if anchored and any(m.end() > m.start() for p in rule.patterns for m in p.finditer(text)):
            picked.add(rule.id)
    return picked


@settings(max_examples=30, deadline=None)  # the reference tries every anchor one by one: slow
@given(st.lists(PIECES, min_size=1, max_size=8).map("".join))
def test_the_prefilter_never_drops_a_rule_that_would_match(original: str) -> None:
    text = normalize(original).text
    scanned = {rule.id: windows for rule, windows in RULES.scan(text)}
    for rule_id in _reference_candidates(text):
        assert rule_id in scanned, rule_id
        rule = RULES.get(rule_id)
        assert rule is not None
        for pattern, where in zip(rule.patterns, scanned[rule_id], strict=True):
            expected = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
            if where is None:
                continue
            if isinstance(where, Starts):
                found = [m.span() for m in at_starts(pattern, text, where)]
            else:
                found = [m.span() for m in windowed(pattern, text, where)]
            assert found == expected, (rule_id, pattern.pattern)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab '.\n\u00e9"), max_size=60), st.integers(1, 12), st.integers(1, 9))
def test_long_text_tokens_come_from_a_prefix_exactly(text: str, chunk: int, limit: int) -> None:
    import bot.coaching.model as model

    saved = model._TOKEN_CHUNK, model.MAX_TOKENS
    model._TOKEN_CHUNK, model.MAX_TOKENS = chunk, limit
    try:
        assert model.tokens_of(text) == model._all_tokens(text)[:limit]
    finally:
        model._TOKEN_CHUNK, model.MAX_TOKENS = saved
