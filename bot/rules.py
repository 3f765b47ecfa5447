"""Load and validate the coaching rules in prompts/rules/*.toml into compiled, ready rules.

The rules are data so that coaches, not programmers, can add a phrase, an exception or a
tip. Every mistake in a file is reported with the file and rule it is in; the loader never
lets a bad file take the bot down with a traceback.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
import string
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import ahocorasick

from bot.models import CATEGORIES, SEVERITIES
from bot.rarity import forget_estimates, set_cost

if TYPE_CHECKING:
    from collections.abc import Callable

CONTEXT_SKIPS = frozenset({"quoted", "meta", "negated", "self", "colleague", "name"})

# Leetspeak and spacing: a term "pebkac" also matches "P.E.B.K.A.C", "p e b k a c", "p3bkac".
_LEET_CLASSES: dict[str, str] = {
    "a": "a4@", "b": "b8", "e": "e3", "g": "g9", "i": "i1!|l", "l": "l1|i", "o": "o0",
    "s": "s5$z", "t": "t7+", "z": "z2s", "0": "0o", "1": "1il!|",
}
_TERM_SEPARATOR = r"[\W_]{0,2}"
_TERM_BEFORE = r"(?<![\w/@#$])"
_TERM_AFTER = r"(?:[s5$z]|e?s)?(?![\w/@]|[.\-][a-z0-9])"

# The compact view used by the prefilter: leet folded, ASCII punctuation and spaces gone.
_LEET_FOLD = {"1": "i", "!": "i", "|": "i", "l": "i", "0": "o", "3": "e", "4": "a", "@": "a",
              "5": "s", "$": "s", "z": "s", "7": "t", "+": "t"}
COMPACT_TABLE = str.maketrans(
    {**{ch: None for ch in string.punctuation + string.whitespace if ch not in _LEET_FOLD}, **_LEET_FOLD}
)

RULES_DIR = Path(__file__).resolve().parent / "prompts" / "rules"
if not RULES_DIR.is_dir():  # running from a source checkout rather than an installed wheel
    RULES_DIR = Path(__file__).resolve().parent.parent / "prompts" / "rules"
VOCAB_FILE = RULES_DIR.parent / "vocab.toml"


class RuleError(ValueError):
    """A rule file is wrong; the message names the file and the rule."""

_ASCII_DELETE = "".join(ch for ch in string.punctuation + string.whitespace if ch not in _LEET_FOLD).encode()
_ASCII_FOLD = bytes.maketrans("".join(_LEET_FOLD).encode(), "".join(_LEET_FOLD.values()).encode())


def compact(text: str) -> str:
    """Fold a (normalised) text to letters and digits, leet undone, for the needle prefilter.

    Only ASCII characters are dropped or folded, and UTF-8 never uses an ASCII byte inside a
    multi-byte character, so bytes.translate on the encoded text is exact for any text and
    several times faster than str.translate.
    """
    return text.encode("utf-8", "surrogatepass").translate(_ASCII_FOLD, _ASCII_DELETE).decode("utf-8", "surrogatepass")


def term_pattern(term: str, spaced_only: bool = False) -> str:
    """Regex source for a slang term that tolerates leet, spacing and dotted spellings.

    ``spaced_only`` matches only spelled-out forms ("m o r o n"), for words whose plain
    form another rule judges in context.
    """
    parts = []
    for char in term:
        if char == " ":
            continue
        cls = _LEET_CLASSES.get(char)
        parts.append("[" + re.escape(cls) + "]" if cls else re.escape(char))
    separator = r"[\W_]{1,2}" if spaced_only else _TERM_SEPARATOR
    return _TERM_BEFORE + separator.join(parts) + _TERM_AFTER


@dataclass(frozen=True)
class Rule:
    """One compiled rule: what to match, when not to, and how to coach it."""

    id: str
    category: str
    severity: str
    tip: str
    principle: str
    patterns: tuple[re.Pattern[str], ...]
    anchors: frozenset[str] = frozenset()
    needles: tuple[str, ...] = ()
    skip: frozenset[str] = frozenset()
    unless_match: re.Pattern[str] | None = None
    unless_before: re.Pattern[str] | None = None
    unless_after: re.Pattern[str] | None = None
    unless_sentence: re.Pattern[str] | None = None
    unless_message: re.Pattern[str] | None = None
    only_if_message: re.Pattern[str] | None = None
    only_if_addressed: bool = False
    require_upper: bool = False
    extra_categories: tuple[str, ...] = ()
    severity_when_addressed: str | None = None
    rewrite: str | None = None
    rewrite_sentence: str | None = None
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class CategoryInfo:
    """What a category stands for, and the words the coach falls back on for it."""

    name: str
    principle: str
    next_step: str
    reflection: str
    fallback: str


# --- prefilter plans: what each pattern needs to be worth running, and where -------------

_LITERAL_SET_LIMIT = 64  # literal alternatives kept per pattern; more means "no literal"
_MIN_LITERAL = 3  # shorter literals hit nearly every message, so they gate nothing
_UNBOUNDED_REPEAT = 60  # characters an unbounded repeat (\s+, \w+) is assumed to span at most
_UNBOUNDED_WIDTH = 600  # and the most a window reaches either side of a literal
_LOOKAHEAD_MARGIN = 64  # a window's end leaves room for trailing lookaheads to see text

# A slang term's generated pattern (see term_pattern): its matches hold the term's needle.
_TERM_SHAPE = re.compile(re.escape(_TERM_BEFORE) + r"(?:\[[^\]]+\]|\\.|[^\[\\(])+" + re.escape(_TERM_AFTER))
_WORD_CHAR = re.compile(r"\w")

_Strings = frozenset[str]


def _cross(left: _Strings, right: _Strings) -> _Strings | None:
    if len(left) * len(right) > _LITERAL_SET_LIMIT:
        return None
    return frozenset(a + b for a in left for b in right)


def _score(strings: _Strings | None) -> tuple[int, float]:
    """How well a literal set gates, higher is better: long enough to gate at all first
    (see _required), then the fewest expected hits in ordinary text (bot.rarity), so a
    pattern gates on "pebkac" rather than on a longer but common " on the "."""
    if not strings or "" in strings:
        return (0, 0.0)
    usable = min(map(len, strings)) >= _MIN_LITERAL or all(not s.isascii() for s in strings)
    return (2 if usable else 1, -set_cost(strings))


# A required literal set, with the most characters a match can have before and after it.
_Need = tuple[_Strings, int, int]


def _better(exact: _Strings | None, need: _Need | None) -> _Need | None:
    if exact is not None and _score(exact) > (0, 0) and (need is None or _score(exact) >= _score(need[0])):
        return (exact, 0, 0)
    return need


def _sequence_width(items: list) -> int:
    return min(sum(_item_width(op, av) for op, av in items), _UNBOUNDED_WIDTH)


def _item_width(op: object, av: object) -> int:
    from re import _constants as sre  # type: ignore[attr-defined]  # not in typeshed

    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return 0
    if op is sre.SUBPATTERN:
        return _sequence_width(av[3].data)  # type: ignore[index]
    if op is sre.ATOMIC_GROUP:
        return _sequence_width(av.data)  # type: ignore[attr-defined]
    if op is sre.BRANCH:
        return max(_sequence_width(sub.data) for sub in av[1])  # type: ignore[index]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        _low, high, sub = cast("tuple[int, int, Any]", av)
        inner = _sequence_width(sub.data)
        if high < sre.MAXREPEAT:
            return min(inner * high, _UNBOUNDED_WIDTH)
        # Unbounded (\s+, \w+, (?:very\s+)*): assumed to span _UNBOUNDED_REPEAT characters,
        # or three rounds of a longer body; real phrases stay far inside either.
        return min(max(_UNBOUNDED_REPEAT, 3 * inner), _UNBOUNDED_WIDTH)
    if op is sre.GROUPREF:
        return _UNBOUNDED_WIDTH
    return 1  # one character


def _sequence_literals(items: list, lower: bool) -> tuple[_Strings | None, _Need | None]:
    """(the exact strings a parsed sequence matches, or None; strings one of which every
    match contains, with the widths around them, or None). Consecutive fixed pieces are
    multiplied out into phrases."""
    widths = [_item_width(op, av) for op, av in items]
    total = min(sum(widths), _UNBOUNDED_WIDTH)
    found: list[_Need] = []
    run: _Strings = frozenset({""})
    run_start = 0
    exact_so_far = True

    def close(end: int) -> None:
        if run != {""}:
            found.append((run, min(sum(widths[:run_start]), total), min(sum(widths[end:]), total)))

    for index, (op, av) in enumerate(items):
        exact, need = _item_literals(op, av, lower)
        if exact is not None:
            joined = _cross(run, exact)
            if joined is None:
                close(index)
                exact_so_far = False
                joined, run_start = exact, index
            run = joined
        else:
            exact_so_far = False
            close(index)
            run, run_start = frozenset({""}), index + 1
            if need is not None:
                strings, before, after = need
                found.append((strings, min(sum(widths[:index]) + before, total),
                              min(after + sum(widths[index + 1:]), total)))
    close(len(items))
    best = max(found, key=lambda n: _score(n[0]), default=None)
    return (run if exact_so_far else None), (best if best is not None and _score(best[0]) > (0, 0) else None)


def _item_literals(op: object, av: object, lower: bool) -> tuple[_Strings | None, _Need | None]:
    from re import _constants as sre  # type: ignore[attr-defined]  # the parser's own opcodes; stable 3.11-3.13

    if op is sre.LITERAL:
        char = chr(av)  # type: ignore[arg-type]
        return frozenset({char.lower() if lower else char}), None
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero-width: adds no characters
        return frozenset({""}), None
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:  # type: ignore[attr-defined]
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE and value[1] - value[0] < 8:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:  # a category, a negation or a wide range
                return None, None
        if len(chars) > 8:
            return None, None
        return frozenset(c.lower() for c in chars) if lower else frozenset(chars), None
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = cast("tuple[Any, int, int, Any]", av)
        return _sequence_literals(sub.data, lower or bool(add_flags & sre.SRE_FLAG_IGNORECASE))
    if op is sre.ATOMIC_GROUP:
        return _sequence_literals(av.data, lower)  # type: ignore[attr-defined]
    if op is sre.BRANCH:
        exacts: list[_Strings | None] = []
        needs: list[_Need | None] = []
        for sub in av[1]:  # type: ignore[index]
            exact, need = _sequence_literals(sub.data, lower)
            exacts.append(exact)
            needs.append(_better(exact, need))
        union_exact = None
        if all(e is not None for e in exacts):
            union_exact = frozenset().union(*exacts)  # type: ignore[arg-type]
            if len(union_exact) > _LITERAL_SET_LIMIT:
                union_exact = None
        union_need = None
        if all(n is not None for n in needs):
            union_need = (frozenset().union(*(n[0] for n in needs)),  # type: ignore[index]
                          max(n[1] for n in needs), max(n[2] for n in needs))  # type: ignore[index]
        return union_exact, union_need
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = cast("tuple[int, int, Any]", av)
        exact, need = _sequence_literals(sub.data, lower)
        if exact is not None and high <= 3:
            out: set[str] = set()
            power: _Strings | None = frozenset({""})
            for count in range(high + 1):
                if count >= low:
                    out |= power  # type: ignore[arg-type]  # never None here: the loop breaks first
                power = _cross(power, exact)  # type: ignore[arg-type]
                if power is None:
                    break
            if power is not None and len(out) <= _LITERAL_SET_LIMIT:
                return frozenset(out), None
        best = _better(exact, need) if low >= 1 else None
        if best is None:
            return None, None
        width = _item_width(op, av)  # the literal may sit in any repetition
        return None, (best[0], width, width)
    return None, None  # any character, a category, a back-reference


def _required(pattern: re.Pattern[str], min_literal: int = _MIN_LITERAL) -> _Need | None:
    from re import _parser as sre_parse  # type: ignore[attr-defined]  # not in typeshed

    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return None
    exact, need = _sequence_literals(parsed.data, bool(pattern.flags & re.IGNORECASE))
    best = _better(exact, need)
    if best is None:
        return None
    strings, before, after = best
    if min(map(len, strings)) < min_literal and not all(not s.isascii() for s in strings):
        return None
    # "calm down" holds "down": a text with the longer one has the shorter, so keep that.
    # (Its widths around still hold: the shorter sits inside the longer's occurrence.)
    kept = frozenset(s for s in strings if not any(o != s and o in s for o in strings))
    slack = max((len(o) - len(s) for o in strings - kept for s in kept if s in o), default=0)
    return kept, before + slack, after + slack


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, or None if there is no
    useful set (too short, too many). Exact: a text with none of them cannot match."""
    need = _required(pattern)
    return need[0] if need is not None else None


_GATE_AUTOMATON = 24  # more literals than this: one Aho-Corasick pass rather than one regex
_gates: dict[re.Pattern[str], tuple[bool, re.Pattern[str] | ahocorasick.Automaton] | None] = {}


def _literal_gate(pattern: re.Pattern[str]) -> tuple[bool, re.Pattern[str] | ahocorasick.Automaton] | None:
    """(compare lower-cased, what finds the literals one of which every match holds), or None."""
    need = _required(pattern, min_literal=1)
    forget_estimates()
    if need is None:
        return None
    # Any case-insensitive part: literals and text are compared lower-cased (ASCII texts only).
    folded = bool(pattern.flags & re.IGNORECASE) or "(?i" in pattern.pattern
    literals = sorted({literal.lower() for literal in need[0]} if folded else need[0])
    if len(literals) <= _GATE_AUTOMATON:  # the regex engine scans for their first characters in C
        return folded, re.compile("|".join(re.escape(literal) for literal in literals))
    automaton = ahocorasick.Automaton()
    for literal in literals:
        automaton.add_word(literal, None)
    automaton.make_automaton()
    return folded, automaton


def might_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only when ``pattern`` cannot match anywhere in ``text``: none of the literals
    every match holds occurs in it (the prefilter's own analysis of the regex). A cheap test
    before searching a long cue pattern over a stretch of a message."""
    gate = _gates.get(pattern, False)
    if gate is False:
        gate = _gates[pattern] = _literal_gate(pattern)
    if gate is None:
        return True
    folded, finder = gate  # type: ignore[misc]  # False was replaced above
    if folded:
        if not text.isascii():  # outside ASCII, case-insensitive matching is not plain lower()
            return True
        text = text.lower()
    if isinstance(finder, re.Pattern):
        return finder.search(text) is not None
    return next(finder.iter(text), None) is not None


def match_width(pattern: re.Pattern[str]) -> int:
    """The longest a match can be, counting an unbounded repeat (\\s+, \\w+) as
    _UNBOUNDED_REPEAT characters (or three rounds of a longer body) and capping the whole at
    _UNBOUNDED_WIDTH. A phrase pattern's match is far shorter than either in real text."""
    from re import _parser as sre_parse  # type: ignore[attr-defined]  # not in typeshed

    return min(_sequence_width(sre_parse.parse(pattern.pattern, pattern.flags).data), _UNBOUNDED_WIDTH)


# A rule set is built again for every overlay, workspace custom term and `rules check`, and
# working out each pattern's literals and width was most of each two-second build. Both depend
# on the pattern's text and flags only, so the answers are remembered by them (bounded: custom
# terms add a few). Applied here, after the definitions, so those stay plain functions.
_PLAN_MEMO = 8192
_T = TypeVar("_T")


def _remembered(function: Callable[..., _T]) -> Callable[..., _T]:
    answers: dict[tuple[object, ...], _T] = {}

    @functools.wraps(function)
    def remembered(pattern: re.Pattern[str], *args: object, **kwargs: object) -> _T:
        key = (pattern.pattern, pattern.flags, args, tuple(sorted(kwargs.items())))
        if key not in answers:
            if len(answers) >= _PLAN_MEMO:
                answers.clear()
            answers[key] = function(pattern, *args, **kwargs)
        return answers[key]

    return remembered


_required = _remembered(_required)
match_width = _remembered(match_width)


_LEADING_BOUNDARY = re.compile(r"\\b([a-z0-9])(?![?*+{])")
_PLAIN_LEAD = re.compile(r"[a-z0-9](?![?*+{])")
_FEW_LEADS = 6
_fast_cache: dict[tuple[str, int], re.Pattern[str]] = {}


def _group_end(source: str, start: int) -> int:
    """Index just past the group opening at ``source[start]`` ("("), or -1."""
    depth, index, in_class = 0, start, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[index + 1:index + 2] == "]":  # "[]...]": a literal ] first
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _alternatives(body: str) -> list[str]:
    """Split a group's body at its own top-level "|"."""
    parts, depth, index, last, in_class = [], 0, 0, 0, False
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if body[index + 1:index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(body[last:index])
            last = index + 1
        index += 1
    parts.append(body[last:])
    return parts


def _boundary_inside(source: str) -> str | None:
    r"""``\bx...`` as ``x(?<=\bx)...``; ``\b(?:ab|cd)...`` as ``(?:a(?<=\ba)b|c(?<=\bc)d)...``."""
    lead = _LEADING_BOUNDARY.match(source)
    if lead:
        char = lead.group(1)
        return char + r"(?<=\b" + char + ")" + source[3:]
    if not source.startswith(r"\b(?:"):
        return None
    end = _group_end(source, 2)
    if end < 0 or source[end:end + 1] in ("?", "*", "+", "{"):
        return None
    alternatives = _alternatives(source[5:end - 1])
    if not all(_PLAIN_LEAD.match(alt) for alt in alternatives):
        return None
    if len({alt[0] for alt in alternatives}) > _FEW_LEADS:  # most letters start one: no skipping
        return None
    inner = "|".join(alt[0] + r"(?<=\b" + alt[0] + ")" + alt[1:] for alt in alternatives)
    return "(?:" + inner + ")" + source[end:]


def fast_search(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern, rewritten so the regex engine can skip ahead to its first characters.

    A leading ``\\b`` hides the literal (or the alternatives' first letters) after it from
    the engine's fast scan, so a search tries every position in full; moving the boundary
    check behind the first letter (``\\bi...`` as ``i(?<=\\bi)...``) matches exactly the same
    spans and lets the engine skip positions that cannot start a match.
    """
    key = (pattern.pattern, pattern.flags)
    fast = _fast_cache.get(key)
    if fast is None:
        fast = pattern
        source = None if pattern.flags & (re.IGNORECASE | re.VERBOSE) else _boundary_inside(pattern.pattern)
        if source is not None:
            try:
                fast = re.compile(source, pattern.flags)
            except re.error:  # pragma: no cover - a rewrite the engine refuses: keep the original
                fast = pattern
        _fast_cache[key] = fast
    return fast


_MAX_HEADS = 256  # more possible opening pairs than this: not worth it
_MAX_FIRSTS = 48  # nor more possible first characters, when pairs are not worked out
_start_cache: dict[tuple[str, int], re.Pattern[str]] = {}
_Heads = set[str]


def _extend(heads: _Heads, more: _Heads, size: int) -> _Heads | None:
    out = {head if len(head) >= size else (head + tail)[:size] for head in heads for tail in more}
    return out if len(out) <= _MAX_HEADS else None


def _sequence_heads(items: list, size: int) -> _Heads | None:
    """The first ``size`` characters of every match of a parsed sequence (all of a shorter
    match), or None when they are not worked out (a category, a back-reference...) or too many."""
    heads: _Heads = {""}
    for op, av in items:
        if all(len(head) >= size for head in heads):
            break
        item = _item_heads(op, av, size)
        if item is None:
            return None
        extended = _extend(heads, item, size)
        if extended is None:
            return None
        heads = extended
    return heads


def _item_heads(op: object, av: object, size: int) -> _Heads | None:
    from re import _constants as sre  # type: ignore[attr-defined]  # not in typeshed

    if op is sre.LITERAL:
        return {chr(av)}  # type: ignore[arg-type]
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero-width: the next item starts the match
        return {""}
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:  # type: ignore[attr-defined]
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE and value[1] - value[0] < 64:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:  # a negation, a category (\w, \s) or a wide range
                return None
        return chars
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = cast("tuple[Any, int, int, Any]", av)
        if add_flags & sre.SRE_FLAG_IGNORECASE:  # case folding has its own character pairs
            return None
        return _sequence_heads(sub.data, size)
    if op is sre.ATOMIC_GROUP:  # it matches a subset of what the plain group would
        return _sequence_heads(av.data, size)  # type: ignore[attr-defined]
    if op is sre.BRANCH:
        union: _Heads = set()
        for sub in av[1]:  # type: ignore[index]
            heads = _sequence_heads(sub.data, size)
            if heads is None:
                return None
            union |= heads
        return union if len(union) <= _MAX_HEADS else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = cast("tuple[int, int, Any]", av)
        once = _sequence_heads(sub.data, size)
        if once is None:
            return None
        found: _Heads = set()
        heads, count = {""}, 0
        while True:
            if count >= low:
                found |= heads
            if count == high:
                return found
            more = _extend(heads, once, size)
            if more is None:
                return None
            if more == heads:  # every further repetition opens the same way
                return found | heads
            heads, count = more, count + 1
    return None  # any character, a back-reference, a conditional group


def _escaped(char: str) -> str:
    return char if char.isascii() and char.isalnum() else f"\\U{ord(char):08x}"


def _opening(heads: _Heads) -> str:
    """A regex matching exactly the given one- or two-character strings (all one length),
    grouped by first character so the engine can scan ahead for those."""
    if all(len(head) == 1 for head in heads):
        return "[" + "".join(_escaped(head) for head in sorted(heads)) + "]"
    seconds: dict[str, list[str]] = {}
    for head in sorted(heads):
        seconds.setdefault(head[0], []).append(head[1])
    return "(?:" + "|".join(_escaped(first) + "[" + "".join(map(_escaped, rest)) + "]"
                            for first, rest in seconds.items()) + ")"


def start_search(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern whose ``search`` finds the same start positions as ``pattern``'s, faster.

    Only the start of a hit may be used (the hit itself is one or two characters): the
    caller matches ``pattern`` there. A pattern that opens with a word boundary and an
    alternation gives the regex engine nothing to skip ahead with, so every position is
    tried in full. When every match is non-empty and opens with one of a few pairs of
    characters H (or single characters, for a match that may be one long),
    ``H(?<=(?=P)H)`` opens with literals the engine scans for in C and checks the second
    character cheaply; only where both fit does it check that ``pattern`` matches there
    (the look-ahead sees what a search sees, up to its end position): the same first hit.
    Otherwise ``fast_search(pattern)``.
    """
    key = (pattern.pattern, pattern.flags)
    found = _start_cache.get(key)
    if found is not None:
        return found
    from re import _parser as sre_parse  # type: ignore[attr-defined]  # not in typeshed

    found = fast_search(pattern)
    if found is pattern and not pattern.flags & (re.IGNORECASE | re.VERBOSE):
        try:
            parsed = sre_parse.parse(pattern.pattern, pattern.flags).data
        except re.error:  # pragma: no cover - it compiled, so it parses
            parsed = None
        heads = _sequence_heads(parsed, 2) if parsed is not None else None
        if heads is not None and any(len(head) < 2 for head in heads):
            heads = {head[:1] for head in heads}  # a match may be a single character: open on that
        if heads is None and parsed is not None:
            heads = _sequence_heads(parsed, 1)
            if heads is not None and len(heads) > _MAX_FIRSTS:
                heads = None  # nearly any letter opens a match: the wrapper would cost more than it skips
        if heads and "" not in heads:
            lead = _opening(heads)
            try:
                found = re.compile(f"{lead}(?<=(?={pattern.pattern}){lead})", pattern.flags)
            except re.error:  # an inline flag or construct the wrapper cannot hold
                found = fast_search(pattern)
    _start_cache[key] = found
    return found


def search_fast(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, found through ``start_search``: the same match."""
    finder = start_search(pattern)
    if finder is pattern:
        return pattern.search(text)
    hit = finder.search(text)
    return None if hit is None else pattern.match(text, hit.start())


def finditer_fast(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, each match found through ``start_search``.

    Only for a pattern ``start_search`` rewrote (it never matches the empty string, so the
    next search starts where a match ended, as in finditer); any other is run as it is.
    """
    finder = start_search(pattern)
    if finder is fast_search(pattern):  # not rewritten: the (boundary-moved) pattern as it is
        yield from finder.finditer(text)
        return
    pos = 0
    while True:
        hit = finder.search(text, pos)
        if hit is None:
            return
        match = pattern.match(text, hit.start())
        if match is None:  # pragma: no cover - the look-ahead just matched there
            pos = hit.start() + 1
            continue
        yield match
        pos = match.end()


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
_AT_STARTS = 8  # a literal at most this far into its pattern's match: try each start, no search


class Starts(tuple):
    """Windows of candidate *start* positions: the pattern is tried with ``match`` at each,
    for a literal that sits near the front of every match (most rules' patterns)."""

    __slots__ = ()


def _starts(spans: list[tuple[int, int]], before: int) -> Starts:
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


def _windows(spans: list[tuple[int, int]], before: int, after: int, length: int) -> Windows:
    """Merged [start, end) windows that hold every match reaching ``before`` characters
    back and ``after`` on from one of ``spans`` (plus room for a trailing lookahead)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        lo, hi = max(0, start - before), min(length, end + after + _LOOKAHEAD_MARGIN)
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def _automaton(keys: dict[str, tuple[list[int], list[int]]]) -> ahocorasick.Automaton | None:
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


def _prefilter(anchors: dict[str, dict[str, list[int]]], literals: dict[str, int]) -> ahocorasick.Automaton | None:
    """One automaton for the leet-folded text: folded anchors (each spelling as written, to
    check against the text, with its rules) and folded literals (their id, or -1)."""
    if not anchors and not literals:
        return None
    automaton = ahocorasick.Automaton()
    for key in sorted(anchors.keys() | literals.keys()):
        written = tuple((anchor, anchor[0].isalnum(), tuple(indices))
                        for anchor, indices in sorted(anchors.get(key, {}).items()))
        automaton.add_word(key, (len(key), written, literals.get(key, -1)))
    automaton.make_automaton()
    return automaton


def _first(run: tuple[int, Windows | None]) -> int:
    return run[0]


def _inverted(key_literals: dict[int, frozenset[int]]) -> dict[int, tuple[int, ...]]:
    """Literal id -> the literal keys whose sets hold it."""
    keys: dict[int, list[int]] = {}
    for key, literals in key_literals.items():
        for literal in literals:
            keys.setdefault(literal, []).append(key)
    return {literal: tuple(found) for literal, found in keys.items()}


def _implies(longer: str, anchor: str) -> bool:
    """Does every occurrence of ``longer`` (from a word start when it starts with a letter or
    digit) hold ``anchor`` where ``anchor`` counts (from a word start, if it needs one)?"""
    at = longer.find(anchor)
    while at != -1:
        if at == 0 or not anchor[0].isalnum() or not (longer[at - 1].isalnum() or longer[at - 1] == "_"):
            return True
        at = longer.find(anchor, at + 1)
    return False


def _searched_anchors(rule: Rule) -> list[str]:
    """The anchors worth searching for: the same rules are picked, from fewer keys. An anchor
    is left out when another anchor of its rule occurs inside it where that one counts
    ("because of your team" holds "because of your"): the rule is picked there anyway."""
    kept: list[str] = []
    for anchor in sorted(rule.anchors, key=lambda a: (len(a), a)):
        if not any(_implies(anchor, shorter) for shorter in kept):
            kept.append(anchor)
    return kept


def _searched_needles(rule: Rule) -> tuple[str, ...]:
    """The needles worth searching for. A needle that starts with a shorter needle of its
    rule is hit wherever that one is, from the same word start, so it picks nothing more;
    a rule with slang-term patterns keeps all of its needles (their spans make the terms'
    windows)."""
    if any(_TERM_SHAPE.fullmatch(pattern.pattern) for pattern in rule.patterns):
        return rule.needles
    kept: list[str] = []
    for needle in sorted(rule.needles, key=lambda n: (len(n), n)):
        if not any(needle.startswith(shorter) for shorter in kept):
            kept.append(needle)
    return tuple(kept)


def _word_start(text: str, start: int) -> bool:
    return start == 0 or _WORD_CHAR.match(text, start - 1) is None


_CHUNK = 128
# ASCII bytes compact() keeps -> 1, the ones it drops -> 0.
_KEPT_MASK = bytes(0 if bytes([code]) in _ASCII_DELETE else 1 for code in range(256))
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


@dataclass(frozen=True)
class RuleSet:
    """All rules, indexed for the prefilter so a clean message costs almost nothing.

    A rule is a candidate when one of its anchors (words or phrases, matched from the start
    of a word, so "obvious" also finds "obviously") or term needles (found from a word start
    in the compact, leet-folded copy, so "p e b k a c" and "P.3.B.K.A.C" are seen) occurs.
    Each of a candidate's patterns then runs only where it can match: in windows around the
    literals every match of it contains (computed from the regex), or around the needle hits
    for term patterns. Anchors and literals are found in one Aho-Corasick pass over a
    leet-folded copy of the text ("t0" read as "to", offsets unchanged), where all the
    spellings of a literal are one key (a few thousand keys, not tens of thousands): an
    anchor hit is checked against the text as written; a literal hit can only widen the
    windows, and a pattern searched in a wider window finds the same matches. The hits
    become windows only when some rule was picked (most messages make none a candidate).
    """

    rules: tuple[Rule, ...]
    categories: dict[str, CategoryInfo]
    by_id: dict[str, Rule] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    plans: tuple[tuple[PatternPlan, ...], ...] = ()
    key_literals: dict[int, frozenset[int]] = field(default_factory=dict)  # literal key -> ids of its folded literals
    key_reach: dict[int, tuple[int, int]] = field(default_factory=dict)  # literal key -> (before, after)
    # Per rule: literal key -> positions of the patterns planned on it; positions of patterns
    # run on the whole text; positions of slang-term patterns.
    slots: tuple[dict[int, tuple[int, ...]], ...] = ()
    rule_literal_keys: tuple[dict[int, tuple[int, ...]], ...] = ()  # per rule: literal id -> its keys holding it
    whole_slots: tuple[tuple[int, ...], ...] = ()
    term_slots: tuple[tuple[int, ...], ...] = ()
    unwindowed: frozenset[int] = frozenset()  # rules with a pattern that runs on the whole text
    prefilter: ahocorasick.Automaton | None = field(default=None, repr=False, compare=False)  # leet-folded
    needles: ahocorasick.Automaton | None = field(default=None, repr=False, compare=False)
    term_rules: frozenset[int] = frozenset()  # rules with a slang-term pattern (windows from needle hits)

    @classmethod
    def build(cls, rules: Iterable[Rule], categories: dict[str, CategoryInfo]) -> RuleSet:
        rules = tuple(rules)
        anchors: dict[str, dict[str, list[int]]] = {}  # folded anchor -> anchor as written -> rules
        needles: dict[str, tuple[list[int], list[int]]] = {}
        keys: dict[tuple[str, int], PatternPlan] = {}
        groups: dict[tuple[frozenset[str] | None, int, int], int] = {}
        literal_ids: dict[str, int] = {}  # folded literal -> its id
        key_literals: dict[int, frozenset[int]] = {}
        plans = []
        for index, rule in enumerate(rules):
            for anchor in _searched_anchors(rule):
                anchors.setdefault(leet_fold(anchor), {}).setdefault(anchor, []).append(index)
            for needle in _searched_needles(rule):
                needles.setdefault(needle, ([], []))[0].append(index)
            rule_plans = []
            for pattern in rule.patterns:
                plan = keys.get((pattern.pattern, pattern.flags))
                if plan is None:
                    need = _required(pattern)
                    literals, before, after = need if need is not None else (None, 0, 0)
                    term = literals is None and bool(rule.needles) and bool(_TERM_SHAPE.fullmatch(pattern.pattern))
                    # Patterns with the same literals and reach share their hits and windows.
                    key = groups.setdefault((literals, before, after), len(groups)) if literals else -1
                    plan = PatternPlan(key, match_width(pattern), literals, term, before, after)
                    keys[(pattern.pattern, pattern.flags)] = plan
                    fast_search(pattern)  # compiled now, at load, not on a message
                    start_search(pattern)
                    if key >= 0 and key not in key_literals:
                        key_literals[key] = frozenset(
                            literal_ids.setdefault(leet_fold(literal), len(literal_ids)) for literal in literals or ())
                rule_plans.append(plan)
            plans.append(tuple(rule_plans))
        forget_estimates()  # the literal-cost memo is only needed while planning
        slots: list[dict[int, tuple[int, ...]]] = []
        for planned in plans:
            positions: dict[int, list[int]] = {}
            for position, plan in enumerate(planned):
                if plan.literals is not None:
                    positions.setdefault(plan.key, []).append(position)
            slots.append({key: tuple(found) for key, found in positions.items()})
        return cls(
            rules=rules,
            categories=categories,
            by_id={rule.id: rule for rule in rules},
            order={rule.id: index for index, rule in enumerate(rules)},
            plans=tuple(plans),
            key_literals=key_literals,
            key_reach={plan.key: (plan.before, plan.after) for plan in keys.values() if plan.literals is not None},
            slots=tuple(slots),
            rule_literal_keys=tuple(_inverted({key: key_literals[key] for key in by_key}) for by_key in slots),
            whole_slots=tuple(
                tuple(position for position, plan in enumerate(rule_plans) if plan.literals is None and not plan.term)
                for rule_plans in plans
            ),
            term_slots=tuple(
                tuple(position for position, plan in enumerate(rule_plans) if plan.term) for rule_plans in plans
            ),
            unwindowed=frozenset(
                index for index, rule_plans in enumerate(plans)
                if any(plan.literals is None and not plan.term for plan in rule_plans)
            ),
            prefilter=_prefilter(anchors, literal_ids),
            needles=_automaton(needles),
            term_rules=frozenset(
                index for index, rule_plans in enumerate(plans) if any(plan.term for plan in rule_plans)
            ),
        )

    def scan(self, text: str) -> list[tuple[Rule, tuple[Windows | None, ...]]]:
        """Candidate rules for a normalised text, in file order, each with, per pattern, the
        windows to run it in (empty: skip it; None: the whole text). A candidate none of
        whose patterns can match is left out."""
        out = []
        for rule, runs in self.runs(text):
            windows: list[Windows | None] = [()] * len(rule.patterns)
            for position, where in runs:
                windows[position] = where
            out.append((rule, tuple(windows)))
        return out

    def runs(self, text: str) -> list[tuple[Rule, list[tuple[int, Windows | None]]]]:
        """What ``scan`` finds, as detection uses it: each candidate with only the patterns
        worth running, (position in the rule, windows or None for the whole text), in the
        rule's order: a rule of forty patterns of which two can match costs two steps."""
        picked: set[int] = set()
        hits = list(self.prefilter.iter(leet_fold(text))) if self.prefilter else []
        for end, (length, written, _literal) in [hit for hit in hits if hit[1][1]]:  # anchor hits
            start = end - length + 1
            for anchor, wordlike, indices in written:
                # as written, not only folded; from a word start ("obvious" in "obviously", not "unobvious")
                if text.startswith(anchor, start) and not (
                    wordlike and start and (text[start - 1].isalnum() or text[start - 1] == "_")
                ):
                    picked.update(indices)
        needle_spans: dict[int, list[tuple[int, int]]] = {}
        if self.needles is not None:
            compacted = compact(text)
            # A hit only for rules the anchors already picked, none with a term pattern, would
            # change nothing: its place in the text (the costly part) is not worked out.
            term_rules = self.term_rules
            raw = [(end - length + 1, end + 1, indices)
                   for end, (length, _w, indices, _k) in self.needles.iter(compacted)
                   if not picked.issuperset(indices) or not term_rules.isdisjoint(indices)]
            if raw:
                spans = compact_spans(text, [(start, end) for start, end, _ in raw])
                for (start, end), (_s, _e, indices) in zip(spans, raw, strict=True):
                    if _word_start(text, start):  # "it's to" holds "tsto", but not from a word start
                        picked.update(indices)
                        for index in indices:
                            needle_spans.setdefault(index, []).append((start, end))
        if not picked:
            return []
        hits_of: dict[int, list[tuple[int, int]]] = {}  # literal id -> spans
        for end, (size, _written, literal) in hits:
            if literal >= 0:
                hits_of.setdefault(literal, []).append((end - size + 1, end + 1))
        length = len(text)
        by_key: dict[int, Windows] = {}
        out = []
        for index in sorted(picked):
            # the rule's literal keys with a literal that occurs (through its own index: few)
            lit_keys = self.rule_literal_keys[index]
            here = {key for literal in lit_keys.keys() & hits_of.keys() for key in lit_keys[literal]}
            terms = self.term_slots[index]
            needled = needle_spans.get(index) if terms else None
            if not here and not needled and index not in self.unwindowed:
                continue  # none of its patterns can match: no literal of theirs occurs
            runs: list[tuple[int, Windows | None]] = [(position, None) for position in self.whole_slots[index]]
            slots = self.slots[index]
            for key in here:
                where = by_key.get(key)
                if where is None:
                    ids = self.key_literals[key]
                    spans = [span for literal, found in hits_of.items() if literal in ids for span in found]
                    before, after = self.key_reach[key]
                    where = _starts(spans, before) if before <= _AT_STARTS else _windows(spans, before, after, length)
                    by_key[key] = where
                runs.extend((position, where) for position in slots[key])
            if needled:
                for position in terms:
                    width = self.plans[index][position].width
                    runs.append((position, _windows(needled, width, width, length)))
            runs.sort(key=_first)  # the rule's own pattern order
            out.append((self.rules[index], runs))
        return out

    def candidates(self, text: str) -> list[Rule]:
        """Rules worth running on a normalised text, in file order, each once."""
        return [rule for rule, _windows in self.scan(text)]

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id.get(rule_id)


# --- vocabulary ----------------------------------------------------------------------
#
# Word classes live in prompts/vocab.toml so a rule can say "{you} should have {past_participle}"
# instead of spelling out fifteen verbs: one new word in a class reaches every rule using it.

_VOCAB_REF = re.compile(r"(?<!\\)\{([a-z][a-z0-9_]*)\}")
_VOCAB_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_AT_PATTERN_END = re.compile(r"\)*$")  # only closing groups left: the slot ends the pattern
_LITERAL_ITEM = re.compile(r"^[a-z0-9'&\- ]+$")
_VOCAB_KEYS = {"items", "except", "anchors", "doc"}
MAX_ANCHORS_PER_RULE = 4000


@dataclass(frozen=True)
class Vocab:
    """Named word classes, each ready to splice into a pattern or expand into anchors.

    ``sources`` maps a name to a non-capturing regex alternation (exceptions become a
    negative lookahead at the slot's start); ``literals`` to the plain phrases of the class,
    which anchors may use.
    """

    sources: dict[str, str] = field(default_factory=dict)
    literals: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def expand(self, source: str, where: str) -> str:
        """Replace every ``{name}`` of a known class; an unknown lower-case ``{name}`` is an error.

        Regex quantifiers (``{0,3}``) and escaped braces are left alone.
        """
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.sources:
                raise RuleError(f"{where}: unknown word class {{{name}}} (not in vocab.toml)")
            if _AT_PATTERN_END.match(source, match.end()):
                # A class names whole words: a slot that ends the pattern ends at a word's end
                # ("{tech_object}" is "app", never the start of "applied").
                return self.sources[name] + r"(?!\w)"
            return self.sources[name]

        return _VOCAB_REF.sub(one, source)

    def expand_anchor(self, anchor: str, where: str) -> list[str]:
        """All plain phrases an anchor with ``{name}`` slots stands for (a cartesian product)."""
        names = _VOCAB_REF.findall(anchor)
        if not names:
            return [anchor]
        results = [""]
        position = 0
        for match in _VOCAB_REF.finditer(anchor):
            name = match.group(1)
            literals = self.literals.get(name)
            if name not in self.sources:
                raise RuleError(f"{where}: unknown word class {{{name}}} in anchor {anchor!r}")
            if not literals:
                raise RuleError(f"{where}: word class {{{name}}} has no plain phrases to anchor on")
            head = anchor[position:match.start()]
            results = [prefix + head + literal for prefix in results for literal in literals]
            position = match.end()
            if len(results) > MAX_ANCHORS_PER_RULE:
                raise RuleError(f"{where}: anchor {anchor!r} expands to too many phrases")
        tail = anchor[position:]
        return [result + tail for result in results]


def _vocab_item_source(item: str) -> str:
    """A class item is a regex fragment; a plain space in it matches any run of spaces."""
    return item.replace(" ", r"\s+")


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables, or a RuleError that names the file (rules, vocab, overlays)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path.name}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path.name}: not valid TOML: {exc}") from None


def load_vocab(path: Path | None = None) -> Vocab:
    """Read vocab.toml: ``[name]`` tables with ``items`` (regex fragments, may use other
    ``{classes}``), optional ``except`` (fragments the slot must not start with) and
    ``anchors`` (plain phrases to anchor on when items are patterns)."""
    path = path if path is not None else VOCAB_FILE
    if not path.is_file():
        return Vocab()
    data = read_toml(path)
    raw: dict[str, dict[str, list[str]]] = {}
    for name, value in data.items():
        where = f"{path.name}: class {name!r}"
        if not _VOCAB_NAME.match(name):
            raise RuleError(f"{where}: names are lower-case letters, digits and underscores")
        if isinstance(value, list):
            value = {"items": value}
        if not isinstance(value, dict):
            raise RuleError(f"{where}: must be a list of strings or a table with 'items'")
        unknown = set(value) - _VOCAB_KEYS
        if unknown:
            raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        items = _strings(value.get("items"), where, "items")
        if not items:
            raise RuleError(f"{where}: needs at least one item")
        raw[name] = {
            "items": items,  # regex fragments, written in lower case (never lower() them: \W is not \w)
            "except": _strings(value.get("except"), where, "except"),
            "anchors": [item.lower() for item in _strings(value.get("anchors"), where, "anchors")],
        }
    sources: dict[str, str] = {}
    literals: dict[str, tuple[str, ...]] = {}

    def resolve(name: str, stack: tuple[str, ...]) -> str:
        if name in sources:
            return sources[name]
        where = f"{path.name}: class {name!r}"
        if name in stack:
            raise RuleError(f"{where}: refers to itself through {' -> '.join((*stack, name))}")
        entry = raw[name]

        def inner(match: re.Match[str]) -> str:
            ref = match.group(1)
            if ref not in raw:
                raise RuleError(f"{where}: unknown word class {{{ref}}}")
            return resolve(ref, (*stack, name))

        items = sorted(
            (_VOCAB_REF.sub(inner, _vocab_item_source(item)) for item in entry["items"]),
            key=len, reverse=True,
        )
        body = "|".join(items)
        if entry["except"]:
            exceptions = "|".join(_VOCAB_REF.sub(inner, _vocab_item_source(e)) for e in entry["except"])
            body = rf"(?!(?:{exceptions})\b)(?:{body})"
        source = f"(?:{body})"
        _compile(source, where)
        sources[name] = source
        plain: list[str] = list(entry["anchors"])
        for item in entry["items"]:
            refs = _VOCAB_REF.findall(item)
            if not refs and _LITERAL_ITEM.match(item):
                plain.append(item)
            elif len(refs) == 1 and _VOCAB_REF.fullmatch(item):
                plain.extend(literals.get(refs[0], ()))
        literals[name] = tuple(dict.fromkeys(plain))
        return source

    for name in raw:
        resolve(name, ())
    return Vocab(sources=sources, literals=literals)


# Leetspeak in patterns: a literal letter also matches the digits and symbols people type
# for it ("c4lm d0wn", "n0thing"), as terms always did.
_PATTERN_LEET: dict[str, str] = {"a": "[a4@]", "e": "[e3]", "i": "[i1!]", "o": "[o0]", "s": "[s5$]", "t": "[t7]"}


def leet_source(source: str) -> str:
    """Rewrite a regex so its literal letters a/e/i/o/s/t accept their leet stand-ins.

    Escapes, character classes, group headers, named groups and quantifiers are copied as
    they are, so the expression means the same thing with more spellings.
    """
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            nxt = source[i + 1:i + 2]
            width = {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
            if nxt == "N":
                width = source.find("}", i) + 1 - i if "}" in source[i:] else 2
            out.append(source[i:i + width])
            i += width
        elif char == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            out.append(source[i:j + 1])
            i = j + 1
        elif char == "(" and source[i + 1:i + 2] == "?":
            j = i + 2
            if source[j:j + 2] in ("P<", "P="):
                j = source.find(">" if source[j + 1] == "<" else ")", j) + 1
            elif source[j:j + 1] == "#":
                j = source.find(")", j) + 1
            elif source[j:j + 2] in ("<=", "<!"):
                j += 2
            elif source[j:j + 1] in (":", "=", "!", ">"):
                j += 1
            else:  # inline flags such as (?i) or (?i:...)
                while j < n and (source[j].isalpha() or source[j] == "-"):
                    j += 1
                j += 1 if source[j:j + 1] in (":", ")") else 0
            out.append(source[i:j])
            i = j
        elif char == "{":
            j = source.find("}", i)
            j = n - 1 if j == -1 else j
            out.append(source[i:j + 1])
            i = j + 1
        else:
            out.append(_PATTERN_LEET.get(char, char))
            i += 1
    return "".join(out)


def fuzzy_variants(term: str, exceptions: frozenset[str] = frozenset()) -> list[str]:
    """One-edit typos of a slang term of 5+ letters: two neighbouring letters swapped
    ("idoit", "pebakc"), never the first letter, never a variant listed as a real word."""
    letters = term.replace(" ", "")
    if len(letters) < 5 or not letters.isalnum():
        return []
    variants = []
    for index in range(1, len(letters) - 1):
        a, b = letters[index], letters[index + 1]
        if a == b:
            continue
        variant = letters[:index] + b + a + letters[index + 2:]
        if variant != letters and variant not in exceptions:
            variants.append(variant)
    return list(dict.fromkeys(variants))


# --- loading -------------------------------------------------------------------------

_RULE_KEYS = {
    "id", "severity", "tip", "principle", "patterns", "terms", "anchors", "skip", "unless_match",
    "unless_before", "unless_after", "unless_sentence", "unless_message", "only_if_message",
    "only_if_addressed", "require_upper", "extra_categories", "severity_when_addressed",
    "rewrite", "rewrite_sentence", "examples", "counter_examples", "spaced_only", "leet", "fuzzy",
}
_FILE_KEYS = {
    "category", "principle", "next_step", "reflection", "fallback", "skip",
    "severity_when_addressed", "rule", "leet",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{1,60}$")


def _compile(source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise RuleError(f"{where}: invalid regular expression {source!r}: {exc}") from None


def _joined(
    sources: list[str], where: str, vocab: Vocab | None = None, leet: bool = False
) -> re.Pattern[str] | None:
    if not sources:
        return None
    expanded = []
    for source in sources:
        _compile(source if vocab is None else _VOCAB_REF.sub("x", source), where)
        source = vocab.expand(source, where) if vocab is not None else source
        expanded.append(leet_source(source) if leet else source)
    return _compile("|".join(f"(?:{source})" for source in expanded), where)


def _pattern(source: str, where: str, vocab: Vocab, leet: bool) -> re.Pattern[str]:
    """A rule pattern: written errors are reported as written, then classes and leet applied."""
    _compile(_VOCAB_REF.sub("x", source), where)
    expanded = vocab.expand(source, where)
    return _compile(leet_source(expanded) if leet else expanded, where)


def _flag(raw: dict, key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise RuleError(f"{where}: '{key}' must be true or false")
    return value


def _strings(value: object, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise RuleError(f"{where}: '{key}' must be a string or a list of strings")


def _text(value: object, where: str, key: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise RuleError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _parse_rule(
    raw: dict, file_info: CategoryInfo, defaults: dict[str, object], path: Path,
    vocab: Vocab | None = None,
) -> Rule:
    """One [[rule]] table to a compiled Rule: ``{class}`` slots expanded from the vocabulary
    in patterns, exceptions and anchors; leet tolerance on patterns unless ``leet = false``."""
    vocab = vocab if vocab is not None else Vocab()
    rule_id = raw.get("id")
    where = f"{path.name}: rule {rule_id!r}" if rule_id else f"{path.name}: a rule without an id"
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise RuleError(f"{where}: 'id' must be lower-case letters, digits and dashes")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}")
    leet = _flag(raw, "leet", where, bool(defaults.get("leet", True)))
    fuzzy = _flag(raw, "fuzzy", where, False)
    spaced_only = _flag(raw, "spaced_only", where, False)
    patterns = [_pattern(p, where, vocab, leet) for p in _strings(raw.get("patterns"), where, "patterns")]
    terms = [term.lower() for term in _strings(raw.get("terms"), where, "terms")]
    fuzzy_except = frozenset(vocab.literals.get("fuzzy_except", ()))
    typos = [v for term in terms for v in fuzzy_variants(term, fuzzy_except)] if fuzzy and not spaced_only else []
    patterns += [_compile(term_pattern(term, spaced_only), where) for term in terms + typos]
    if not patterns:
        raise RuleError(f"{where}: needs 'patterns' or 'terms'")
    anchors: set[str] = set()
    for written in _strings(raw.get("anchors"), where, "anchors"):
        for anchor in vocab.expand_anchor(written.lower(), where):
            if not anchor.strip() or anchor != anchor.strip():
                raise RuleError(f"{where}: anchor {anchor!r} must not be blank or start/end with a space")
            anchors.add(anchor)
            if " " in anchor:  # "eye dee" also finds "eye-dee"
                anchors.add(anchor.replace(" ", "-"))
    if raw.get("patterns") and not anchors:
        raise RuleError(f"{where}: 'patterns' need 'anchors' (words one of which must appear)")
    if len(anchors) > MAX_ANCHORS_PER_RULE:
        raise RuleError(f"{where}: more than {MAX_ANCHORS_PER_RULE} anchors")
    needle_sources = [compact(term) for term in terms + typos]
    if leet:  # "c4lm d0wn" misses the anchor "calm down" but not its leet-folded needle
        # only long phrases: a short compacted needle ("howit") would match across words ("show it")
        needle_sources += [compact(a) for a in sorted(anchors) if " " in a and len(compact(a)) >= 8]
    needles = tuple(dict.fromkeys(needle_sources))
    skip = frozenset(_strings(raw["skip"], where, "skip")) if "skip" in raw else cast(frozenset[str], defaults["skip"])
    if not skip <= CONTEXT_SKIPS:
        raise RuleError(f"{where}: 'skip' may only hold {', '.join(sorted(CONTEXT_SKIPS))}")
    extra = tuple(_strings(raw.get("extra_categories"), where, "extra_categories"))
    for category in extra:
        if category not in CATEGORIES:
            raise RuleError(f"{where}: unknown extra category {category!r}")
    when_addressed = raw.get("severity_when_addressed", defaults["severity_when_addressed"])
    if when_addressed is not None and when_addressed not in SEVERITIES:
        raise RuleError(f"{where}: 'severity_when_addressed' must be one of {', '.join(SEVERITIES)}")
    for flag in ("require_upper", "only_if_addressed"):
        _flag(raw, flag, where, False)
    rewrite = raw.get("rewrite")
    if rewrite is not None and not isinstance(rewrite, str):
        raise RuleError(f"{where}: 'rewrite' must be a string")
    rewrite_sentence = raw.get("rewrite_sentence")
    if rewrite_sentence is not None and not isinstance(rewrite_sentence, str):
        raise RuleError(f"{where}: 'rewrite_sentence' must be a string")
    return Rule(
        id=rule_id,
        category=file_info.name,
        severity=severity,
        tip=_text(raw.get("tip"), where, "tip"),
        principle=_text(raw.get("principle"), where, "principle", required=False)
        or file_info.principle,
        patterns=tuple(patterns),
        anchors=frozenset(anchors),
        needles=needles,
        skip=skip,
        unless_match=_joined(_strings(raw.get("unless_match"), where, "unless_match"), where, vocab),
        unless_before=_joined(_strings(raw.get("unless_before"), where, "unless_before"), where, vocab),
        unless_after=_joined(_strings(raw.get("unless_after"), where, "unless_after"), where, vocab),
        unless_sentence=_joined(_strings(raw.get("unless_sentence"), where, "unless_sentence"), where, vocab),
        unless_message=_joined(_strings(raw.get("unless_message"), where, "unless_message"), where, vocab),
        only_if_message=_joined(_strings(raw.get("only_if_message"), where, "only_if_message"), where, vocab),
        only_if_addressed=bool(raw.get("only_if_addressed", False)),
        require_upper=bool(raw.get("require_upper", False)),
        extra_categories=extra,
        severity_when_addressed=when_addressed,
        rewrite=rewrite,
        rewrite_sentence=rewrite_sentence,
        examples=tuple(_strings(raw.get("examples"), where, "examples")),
        counter_examples=tuple(_strings(raw.get("counter_examples"), where, "counter_examples")),
        source=path.name,
    )


def load_file(path: Path, vocab: Vocab | None = None) -> tuple[CategoryInfo, list[Rule]]:
    """Parse one category file; raises RuleError naming the file (and rule) on any problem."""
    data = read_toml(path)
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise RuleError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}")
    category = data.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"{path.name}: 'category' must be one of {', '.join(CATEGORIES)}")
    info = CategoryInfo(
        name=category,
        principle=_text(data.get("principle"), path.name, "principle"),
        next_step=_text(data.get("next_step"), path.name, "next_step"),
        reflection=_text(data.get("reflection"), path.name, "reflection"),
        fallback=_text(data.get("fallback"), path.name, "fallback"),
    )
    file_skip = frozenset(_strings(data.get("skip"), path.name, "skip"))
    if not file_skip <= CONTEXT_SKIPS:
        raise RuleError(f"{path.name}: 'skip' may only hold {', '.join(sorted(CONTEXT_SKIPS))}")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(f"{path.name}: needs at least one [[rule]]")
    when_addressed = data.get("severity_when_addressed")
    if when_addressed is not None and when_addressed not in SEVERITIES:
        raise RuleError(f"{path.name}: 'severity_when_addressed' must be one of {', '.join(SEVERITIES)}")
    file_leet = data.get("leet", True)
    if not isinstance(file_leet, bool):
        raise RuleError(f"{path.name}: 'leet' must be true or false")
    defaults = {"skip": file_skip, "severity_when_addressed": when_addressed, "leet": file_leet}
    for index, raw in enumerate(raw_rules):
        if not isinstance(raw, dict):
            raise RuleError(f"{path.name}: [[rule]] number {index + 1} is not a table")
    rules = [_parse_rule(raw, info, defaults, path, vocab) for raw in raw_rules]
    return info, rules


def load_rules(directory: Path | str | None = None, vocab: Path | str | None = None,
               overlay: Path | str | None = None) -> RuleSet:
    """Load every *.toml in the rules folder; duplicate ids across files are an error.

    Word classes come from ``vocab`` if given, else a ``vocab.toml`` inside the folder,
    else the bundled prompts/vocab.toml, so a team's own rules can use the shared classes.
    ``overlay`` (COACH_RULES_DIR) is a folder whose files add to these rules rather than
    replace them: one custom file must not cost the team the bundled PEBKAC rule.
    """
    if overlay is not None:
        return _overlaid(load_rules(directory, vocab), Path(overlay), vocab)
    folder = Path(directory) if directory else RULES_DIR
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleError(f"{folder}: no rule files (*.toml) found")
    if vocab is not None:
        vocab_path = Path(vocab)
    elif (folder / "vocab.toml").is_file():
        vocab_path = folder / "vocab.toml"
        files = [f for f in files if f.name != "vocab.toml"]
    else:
        vocab_path = VOCAB_FILE
    word_classes = load_vocab(vocab_path)
    categories: dict[str, CategoryInfo] = {}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        info, file_rules = load_file(path, word_classes)
        if info.name in categories:
            raise RuleError(f"{path.name}: category {info.name!r} is defined in two files")
        categories[info.name] = info
        for rule in file_rules:
            if rule.id in seen:
                raise RuleError(f"{path.name}: rule {rule.id!r} is already defined in {seen[rule.id]}")
            seen[rule.id] = path.name
            rules.append(rule)
    return RuleSet.build(rules, categories)



def _overlaid(base: RuleSet, folder: Path, vocab: Path | str | None) -> RuleSet:
    """``base`` with a folder's rule files laid over it, file by file in name order.

    A rule with a new id is added (after its category's rules), one with an existing id
    replaces it in place, and ``enabled = false`` (with just the id) switches it off. The
    header keys are optional here; those given replace the category's. Word classes are the
    bundled ones, so a vocab.toml in the folder is refused rather than silently ignored.
    """
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleError(f"{folder}: no rule files (*.toml) found")
    if (folder / "vocab.toml").is_file():
        raise RuleError(f"{folder}: vocab.toml is only read with --rules-only (overlays use the bundled word classes)")
    word_classes = load_vocab(Path(vocab) if vocab is not None else VOCAB_FILE)
    rules = list(base.rules)
    categories = dict(base.categories)
    seen: dict[str, str] = {}
    for path in files:
        data = read_toml(path)
        category = data.get("category")
        if category not in categories:
            raise RuleError(f"{path.name}: 'category' must be one of {', '.join(categories)}")
        unknown = set(data) - _FILE_KEYS
        if unknown:
            raise RuleError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}")
        header = {key: _text(data[key], path.name, key) for key in ("principle", "next_step", "reflection", "fallback")
                  if key in data}
        info = categories[category] = dataclasses.replace(categories[category], **header)
        file_skip = frozenset(_strings(data.get("skip"), path.name, "skip"))
        if not file_skip <= CONTEXT_SKIPS:
            raise RuleError(f"{path.name}: 'skip' may only hold {', '.join(sorted(CONTEXT_SKIPS))}")
        defaults = {"skip": file_skip, "severity_when_addressed": data.get("severity_when_addressed"),
                    "leet": data.get("leet", True)}
        raw_rules = data.get("rule", [])
        if not isinstance(raw_rules, list) or not all(isinstance(raw, dict) for raw in raw_rules):
            raise RuleError(f"{path.name}: [[rule]] entries must be tables")
        for raw in raw_rules:
            raw = dict(raw)
            enabled = raw.pop("enabled", True)
            rule_id = raw.get("id")
            if not isinstance(enabled, bool):
                raise RuleError(f"{path.name}: rule {rule_id!r}: 'enabled' must be true or false")
            if isinstance(rule_id, str) and rule_id in seen:
                raise RuleError(f"{path.name}: rule {rule_id!r} is already overlaid in {seen[rule_id]}")
            seen[str(rule_id)] = path.name
            at = next((i for i, rule in enumerate(rules) if rule.id == rule_id), None)
            if not enabled:
                if at is None:
                    raise RuleError(f"{path.name}: rule {rule_id!r}: 'enabled = false' names no rule to switch off")
                del rules[at]
                continue
            rule = dataclasses.replace(_parse_rule(raw, info, defaults, path, word_classes),
                                       source=str(path.resolve()))
            if at is not None:
                rules[at] = rule
            else:
                last = max((i for i, r in enumerate(rules) if r.category == category), default=len(rules) - 1)
                rules.insert(last + 1, rule)
    return RuleSet.build(rules, categories)


_default: RuleSet | None = None


def default_rules() -> RuleSet:
    """The bundled rules, loaded once per process."""
    global _default
    if _default is None:
        _default = load_rules()
    return _default
