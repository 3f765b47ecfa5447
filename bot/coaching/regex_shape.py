"""What a compiled pattern needs before it can match: its literals, its width, its first
characters; and the faster searches those allow.

The prefilter runs a rule's pattern only where the text holds a literal every match of it
contains, in a window as wide as a match can reach. Both are read from the regex's own
parse tree (``re._parser``), so a rule file never has to say them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import ahocorasick

from bot.coaching.rarity import forget_estimates, set_cost

# --- prefilter plans: what each pattern needs to be worth running, and where -------------

_LITERAL_SET_LIMIT = 64  # literal alternatives kept per pattern; more means "no literal"
_MIN_LITERAL = 3  # shorter literals hit nearly every message, so they gate nothing
_UNBOUNDED_REPEAT = 60  # characters an unbounded repeat (\s+, \w+) is assumed to span at most
_UNBOUNDED_WIDTH = 600  # and the most a window reaches either side of a literal
_Strings = frozenset[str]


def _cross(left: _Strings, right: _Strings) -> _Strings | None:
    if len(left) * len(right) > _LITERAL_SET_LIMIT:
        return None
    return frozenset(a + b for a in left for b in right)


def _score(strings: _Strings | None) -> tuple[int, float]:
    """How well a literal set gates, higher is better: long enough to gate at all first
    (see required_need), then the fewest expected hits in ordinary text (bot.coaching.rarity), so a
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
                found.append(
                    (strings, min(sum(widths[:index]) + before, total), min(after + sum(widths[index + 1 :]), total))
                )
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
        present = [n for n in needs if n is not None]
        if len(present) == len(needs):
            union_need = (
                frozenset().union(*(n[0] for n in present)),
                max(n[1] for n in present),
                max(n[2] for n in present),
            )
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


def required_need(pattern: re.Pattern[str], min_literal: int = _MIN_LITERAL) -> _Need | None:
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
    need = required_need(pattern)
    return need[0] if need is not None else None


_GATE_AUTOMATON = 24  # more literals than this: one Aho-Corasick pass rather than one regex
_gates: dict[re.Pattern[str], tuple[bool, re.Pattern[str] | ahocorasick.Automaton] | None] = {}


def _literal_gate(pattern: re.Pattern[str]) -> tuple[bool, re.Pattern[str] | ahocorasick.Automaton] | None:
    """(compare lower-cased, what finds the literals one of which every match holds), or None."""
    need = required_need(pattern, min_literal=1)
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


required_need = _remembered(required_need)
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
            if source[index + 1 : index + 2] == "]":  # "[]...]": a literal ] first
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
            if body[index + 1 : index + 2] == "]":
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
    if end < 0 or source[end : end + 1] in ("?", "*", "+", "{"):
        return None
    alternatives = _alternatives(source[5 : end - 1])
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
    return (
        "(?:"
        + "|".join(_escaped(first) + "[" + "".join(map(_escaped, rest)) + "]" for first, rest in seconds.items())
        + ")"
    )


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
