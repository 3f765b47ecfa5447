"""The prefilter's parts: per-pattern plans, windows around literal hits, the Aho-Corasick
automata, and mapping compact-view hits back to the text. ``RuleSet`` (bot.coaching.rules) builds
its index from these and ``RuleSet.runs`` uses them on every message; ``matches`` then searches a
pattern only where a plan says it can match (detect reads every rule's matches through it)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

import ahocorasick

from bot.coaching.compact import ASCII_DELETE
from bot.coaching.regex_shape import finditer_fast, start_search
from bot.coaching.terms import TERM_SHAPE

LOOKAHEAD_MARGIN = 64  # a window's end leaves room for trailing lookaheads to see text
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class PatternPlan:
    """How the prefilter decides where one pattern of a rule runs.

    ``literals``: the pattern runs only in windows around their occurrences, reaching
    ``before`` characters back and ``after`` on (the most a match can hold either side of
    the literal). ``term``: a slang term's pattern, run in windows of its whole ``width``
    around the rule's needle hits. Neither: the pattern runs over the whole text whenever
    its rule is a candidate.
    """

    key: int  # patterns with the same literals and widths share one key: hits collected once
    width: int
    literals: frozenset[str] | None = None
    term: bool = False
    before: int = 0
    after: int = 0


Windows = tuple[tuple[int, int], ...]
AT_STARTS = 8  # a literal at most this far into its pattern's match: try each start, no search


class Starts(tuple):
    """Windows of candidate *start* positions: the pattern is tried with ``match`` at each,
    for a literal that sits near the front of every match (most rules' patterns)."""

    __slots__ = ()


def starts_around(spans: list[tuple[int, int]], before: int) -> Starts:
    """Merged [first, last + 1) ranges of every position a match holding one of ``spans``
    can start at."""
    out: list[tuple[int, int]] = []
    for start, _end in sorted(spans):
        lo, hi = max(0, start - before), start + 1
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return Starts(out)


def windows_around(spans: list[tuple[int, int]], before: int, after: int, length: int) -> Windows:
    """Merged [start, end) windows that hold every match reaching ``before`` characters
    back and ``after`` on from one of ``spans`` (plus room for a trailing lookahead)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        lo, hi = max(0, start - before), min(length, end + after + LOOKAHEAD_MARGIN)
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def needle_automaton(keys: dict[str, tuple[list[int], list[int]]]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    # Vocabulary expansion gives hundreds of thousands of keys but few distinct payloads: share
    # one tuple per payload (tens of MB less resident memory, the same values).
    shared: dict[tuple[object, ...], tuple[object, ...]] = {}
    for key, (rule_indices, pattern_keys) in keys.items():
        value = (len(key), key[0].isalnum(), tuple(rule_indices), tuple(pattern_keys))
        automaton.add_word(key, shared.setdefault(value, value))
    automaton.make_automaton()
    return automaton


# The leet spellings rule patterns accept (leet_source): each class read as its letter.
_LEET_FOLD_BYTES = bytes.maketrans(b"4@31!05$7", b"aaeiioost")


def leet_fold(text: str) -> str:
    """The text with 4 @ 3 1 ! 0 5 $ 7 read as the letters they stand for, offsets unchanged
    (only ASCII characters change, one for one, so the UTF-8 bytes can be translated)."""
    return text.encode("utf-8", "surrogatepass").translate(_LEET_FOLD_BYTES).decode("utf-8", "surrogatepass")


def anchor_automaton(
    anchors: dict[str, dict[str, list[int]]], literals: dict[str, int]
) -> ahocorasick.Automaton | None:
    """One automaton for the leet-folded text: folded anchors (each spelling as written, to
    check against the text, with its rules) and folded literals (their id, or -1)."""
    if not anchors and not literals:
        return None
    automaton = ahocorasick.Automaton()
    for key in sorted(anchors.keys() | literals.keys()):
        written = tuple(
            (anchor, anchor[0].isalnum(), tuple(indices)) for anchor, indices in sorted(anchors.get(key, {}).items())
        )
        automaton.add_word(key, (len(key), written, literals.get(key, -1)))
    automaton.make_automaton()
    return automaton


def inverted(key_literals: dict[int, frozenset[int]]) -> dict[int, tuple[int, ...]]:
    """Literal id -> the literal keys whose sets hold it."""
    keys: dict[int, list[int]] = {}
    for key, literals in key_literals.items():
        for literal in literals:
            keys.setdefault(literal, []).append(key)
    return {literal: tuple(found) for literal, found in keys.items()}


def implies(longer: str, anchor: str) -> bool:
    """Does every occurrence of ``longer`` (from a word start when it starts with a letter or
    digit) hold ``anchor`` where ``anchor`` counts (from a word start, if it needs one)?"""
    at = longer.find(anchor)
    while at != -1:
        if at == 0 or not anchor[0].isalnum() or not (longer[at - 1].isalnum() or longer[at - 1] == "_"):
            return True
        at = longer.find(anchor, at + 1)
    return False


def searched_anchors(anchors: frozenset[str]) -> list[str]:
    """The anchors worth searching for: the same rules are picked, from fewer keys. An anchor
    is left out when another anchor of its rule occurs inside it where that one counts
    ("because of your team" holds "because of your"): the rule is picked there anyway."""
    kept: list[str] = []
    for anchor in sorted(anchors, key=lambda a: (len(a), a)):
        if not any(implies(anchor, shorter) for shorter in kept):
            kept.append(anchor)
    return kept


def searched_needles(needles: tuple[str, ...], patterns: tuple[re.Pattern[str], ...]) -> tuple[str, ...]:
    """The needles worth searching for. A needle that starts with a shorter needle of its
    rule is hit wherever that one is, from the same word start, so it picks nothing more;
    a rule with slang-term patterns keeps all of its needles (their spans make the terms'
    windows)."""
    if any(TERM_SHAPE.fullmatch(pattern.pattern) for pattern in patterns):
        return needles
    kept: list[str] = []
    for needle in sorted(needles, key=lambda n: (len(n), n)):
        if not any(needle.startswith(shorter) for shorter in kept):
            kept.append(needle)
    return tuple(kept)


def at_word_start(text: str, start: int) -> bool:
    return start == 0 or _WORD_CHAR.match(text, start - 1) is None


_CHUNK = 128
# ASCII bytes compact() keeps -> 1, the ones it drops -> 0.
_KEPT_MASK = bytes(0 if bytes([code]) in ASCII_DELETE else 1 for code in range(256))
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")


def compact_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map [start, end) spans of ``compact(text)`` back to spans of ``text``.

    Called only when a needle hits, so a clean message never pays for it. compact() keeps
    every non-ASCII character, so an "x" for each gives a same-length ASCII view whose bytes
    say, one per character, kept (1) or dropped (0); counting them (bytes.count, in C) per
    chunk and then bisecting inside one chunk finds any compact offset's character.
    """
    view = text if text.isascii() else _NON_ASCII_CHAR.sub("x", text)
    kept = view.encode().translate(_KEPT_MASK)
    size = len(text)
    chunk_size = _CHUNK if size > 8 * _CHUNK else max(1, size)  # short: one chunk
    chunk_starts = [0]  # compact offset where each chunk of text begins
    for chunk in range(0, size, chunk_size):
        chunk_starts.append(chunk_starts[-1] + kept.count(1, chunk, chunk + chunk_size))

    def position(index: int) -> int:
        chunk = bisect.bisect_right(chunk_starts, index) - 1
        skip = index - chunk_starts[chunk]  # kept characters before it inside the chunk
        first = low = chunk * chunk_size
        high = min(size, low + chunk_size)
        while low < high:  # the first character with skip + 1 kept ones up to it
            middle = (low + high) // 2
            if kept.count(1, first, middle + 1) > skip:
                high = middle
            else:
                low = middle + 1
        return low

    return [(position(start), position(end - 1) + 1) for start, end in spans]


# --- searching where a plan says --------------------------------------------------------


def matches(pattern: re.Pattern[str], text: str, where: Windows | None) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, searched only where ``RuleSet.runs`` said the
    pattern can match: the whole text (``None``), tried at candidate start positions
    (``Starts``) or inside windows."""
    if where is None:
        return finditer_fast(pattern, text)
    if isinstance(where, Starts):
        return at_starts(pattern, text, where)
    return windowed(pattern, text, where)


def at_starts(pattern: re.Pattern[str], text: str, starts: Starts) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, trying only the given start positions.

    Every match starts at one of them (the prefilter's literal analysis), so the first that
    matches is finditer's next match; then, as in finditer, the next try starts where the
    match ended. Each try sees the whole text, so nothing is cut short.
    """
    last = 0
    for first, stop in starts:
        for pos in range(max(first, last), stop):
            if pos < last:
                continue
            match = pattern.match(text, pos)
            if match is not None and match.end() > pos:
                yield match
                last = match.end()


def windowed(pattern: re.Pattern[str], text: str, windows: Windows) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, searching only inside ``windows``.

    The prefilter's windows hold every match, so this equals a whole-text run. A window's
    end cuts the string short for lookaheads, so each hit is re-matched on the full text
    from its start (a hit that only existed because of the cut is dropped), and, as in
    finditer, the next search starts where the last match ended.
    """
    last = 0
    search = start_search(pattern).search  # only its hits' starts are used
    for window_start, window_end in windows:
        pos = max(window_start, last)
        while pos < window_end:
            hit = search(text, pos, window_end)
            if hit is None:
                break
            match = pattern.match(text, hit.start())
            if match is None or match.end() == match.start():
                pos = hit.start() + 1
                continue
            yield match
            last = pos = match.end()
