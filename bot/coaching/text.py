"""Normalise Slack message text for matching, keeping a map back to the original offsets.

Rules match on a lower-cased, Latin-folded copy of the message. People dodge word filters
with zero-width characters, fullwidth or Cyrillic letters and Slack markup; the copy undoes
that, and ``NormalizedText.to_original`` turns a span in the copy back into a span of what
the agent actually typed, so highlights land on the right characters.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from bot.coaching.lazy import lazy_property

# Characters that render as nothing (or as a soft hyphen) and are used to split words.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c"
    "\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)

# Letters from other scripts that look like Latin ones (only the lookalikes: a Cyrillic word
# stays mostly Cyrillic, but "Kаrеn" with Cyrillic а/е becomes "karen").
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "ӏ": "l",
    "ԛ": "q",
    "ԝ": "w",
    "ɡ": "g",
    "һ": "h",
    "ү": "y",
    "ѵ": "v",
    "ɩ": "i",
    "А": "a",
    "В": "b",
    "Е": "e",
    "Ё": "e",
    "К": "k",
    "М": "m",
    "Н": "h",
    "О": "o",
    "Р": "p",
    "С": "c",
    "Т": "t",
    "У": "y",
    "Х": "x",
    "Ѕ": "s",
    "І": "i",
    "Ї": "i",
    "Ј": "j",
    "Ԁ": "d",
    "Ӏ": "l",
    "Ԛ": "q",
    "Ԝ": "w",
    "Һ": "h",
    "Ү": "y",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "Α": "a",
    "Β": "b",
    "Ε": "e",
    "Ζ": "z",
    "Η": "h",
    "Ι": "i",
    "Κ": "k",
    "Μ": "m",
    "Ν": "n",
    "Ο": "o",
    "Ρ": "p",
    "Τ": "t",
    "Υ": "y",
    "Χ": "x",
    # Latin oddities NFKC leaves alone
    "ı": "i",
    "ℓ": "l",
    "ſ": "s",
    "ʟ": "l",
    "ɪ": "i",
    "ᴅ": "d",
    "ᴏ": "o",
    "ᴛ": "t",
}

# Trademark-style signs that NFKC would spell out ("PEBKAC™" -> "pebkactm"): a space instead,
# so the sign never glues letters onto a term.
SYMBOLS: dict[str, str] = {"\u2122": " ", "\u00ae": " ", "\u2120": " ", "\u00a9": " ", "\u2117": " "}

# Letters that stand for two Latin ones: Cyrillic у looks like "y" but is typed for "u" too
# ("stуpid"). The fold gives the first; ``resolve_ambiguous`` picks by the neighbours.
AMBIGUOUS: dict[str, tuple[str, str]] = {"у": ("y", "u"), "У": ("y", "u")}
_VOWELS = frozenset("aeiou")


def _likelier(prev: str, nxt: str, after: str, options: tuple[str, str]) -> str:
    """Which of (y, u) fits between two folded letters: "st_pid" -> u, "la_er" -> y, "yo_" -> u."""
    y, u = options
    prev_letter, next_letter = prev.isalpha(), nxt.isalpha()
    if prev in ("o", "q"):
        return u
    if not next_letter or nxt in _VOWELS or nxt == "y":
        return y
    if not prev_letter:  # word start before a consonant: "user", "up", "under"
        return u
    if prev in _VOWELS:
        if prev == "a" and (nxt in "lgdt" or (nxt == "s" and after.isalpha())):
            return u  # "fault", "cause", "caught"
        return y  # "keyboard", "days"
    return u  # between consonants: "stupid", "dumb", "but"


def resolve_ambiguous(text: str, starts: list[int], original: str) -> str:
    """Re-fold the letters of ``AMBIGUOUS`` by context; the length (so the offset map) stays."""
    chars = list(text)
    for index, char in enumerate(chars):
        source = original[starts[index]] if index < len(starts) else ""
        options = AMBIGUOUS.get(source)
        if not options or char != options[0]:
            continue
        prev = chars[index - 1] if index > 0 else " "
        nxt = chars[index + 1] if index + 1 < len(chars) else " "
        after = chars[index + 2] if index + 2 < len(chars) else " "
        chars[index] = _likelier(prev, nxt, after, options)
    return "".join(chars)


# Typographic punctuation folded to ASCII so patterns can say ' and " and -.
PUNCTUATION: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": "'",
    "\u203a": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
}

# Slack's wire format: <@U123|name>, <#C123|name>, <!here>, <url|label>, <url>, and HTML
# entities for the three characters Slack escapes.
_SLACK_MARKUP = re.compile(
    r"<([@#!])[^<>\n]{1,200}?>"
    r"|<[a-z][a-z0-9+.\-]{1,20}:[^<>\s|]{1,2000}(?:\|[^<>\n]{0,500})?>"
    r"|&(?:gt|lt|amp);"
)


def _blank_markup(match: re.Match[str]) -> str:
    """Replace one piece of markup with a same-length stand-in, so offsets stay put."""
    raw = match.group(0)
    if raw[0] == "&":
        symbol = {"&gt;": ">", "&lt;": "<", "&amp;": "&"}[raw]
        return symbol + " " * (len(raw) - 1)
    inner = raw[1:-1]
    if "|" in inner:
        head, label = inner.split("|", 1)
        sigil = head[0] if head[0] in "@#" else ""
        label = sigil + label
        return " " * (len(raw) - 1 - len(label)) + label + " "
    if inner[0] == "@":
        return "@" + " " * (len(raw) - 1)
    return " " * len(raw)


# An underscore that opens or closes Slack italics (next to a letter on one side only);
# identifiers such as user_error keep theirs. Same length, so offsets do not move. Written
# underscore first, each look-behind after it spanning the underscore too, so the regex
# engine jumps from one "_" to the next instead of trying every position: the same matches
# as (?<![A-Za-z0-9_])_(?=[A-Za-z])|(?<=[A-Za-z.!?,)'"])_(?![A-Za-z0-9_]).
_ITALIC_EDGE = re.compile(r"_(?:(?<![A-Za-z0-9_]_)(?=[A-Za-z])|(?<=[A-Za-z.!?,)'\"]_)(?![A-Za-z0-9_]))")

_char_cache: dict[str, str] = {}


def _fold_char(char: str) -> str:
    """Fold one non-ASCII character to what it looks like in lower-case Latin (may be '')."""
    folded = _char_cache.get(char)
    if folded is not None:
        return folded
    if char in INVISIBLE:
        folded = ""
    elif char in SYMBOLS:
        folded = SYMBOLS[char]
    else:
        nfkc = "".join(PUNCTUATION.get(part, part) for part in unicodedata.normalize("NFKC", char))
        decomposed = unicodedata.normalize("NFD", nfkc.lower())
        folded = "".join(CONFUSABLES.get(piece, piece) for piece in decomposed if unicodedata.category(piece) != "Mn")
        if len(folded) > 8:  # a ligature or symbol that explodes; keep it as one blank
            folded = " "
    if len(_char_cache) < 65536:
        _char_cache[char] = folded
    return folded


@dataclass(frozen=True)
class Zone:
    """A region of the normalised text: a quote block, a quoted phrase, or code."""

    start: int
    end: int
    kind: str  # "quote" (> lines) | "speech" ("..." or '...') | "code"


_CODE_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]{1,2000}`")
_QUOTE_LINE = re.compile(r"(?m)^[ \t]*>[^\n]*")
# Slack renders "> " as a quote only at a line's start, but agents paste one after a speaker
# too: "customer wrote > ...", "her reply: > ...". The quote runs to the end of the line.
_QUOTE_AFTER_SPEAKER = re.compile(
    r"(?:\b(?:wrote|writes|said|says|replied|replies|asked|asks|typed|posted|emailed|messaged|texted|words)|:)"
    r"[ \t]*(>[^\n]*)"
)
_DOUBLE_QUOTED = re.compile(r'"[^"\n]{1,600}"')
# A single-quoted phrase: opens after a non-letter, closes before one; apostrophes inside
# words ("didn't") are part of the phrase. The opening check sits after the quote so the
# pattern starts with a literal, which the regex engine finds by fast search (the opening
# test too: a quote at the start or after anything but a letter or digit).
_OPENING_SINGLE_QUOTE = re.compile(r"'(?<![a-z0-9]')")
_SINGLE_QUOTED = re.compile(r"'(?<=(?<![a-z0-9])')(?:[^'\n]|'(?=[a-z])){1,600}?'(?![a-z0-9])")


@dataclass(frozen=True)
class NormalizedText:
    """The original message, its normalised copy, and the offset map between the two."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None  # None: the copy has the same offsets as the original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text back onto the original text."""
        if self.starts is None:
            return start, end
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return self.starts[start], self.starts[end - 1] + 1

    @lazy_property
    def zones(self) -> tuple[Zone, ...]:
        """Code, quote blocks and quoted phrases, found once per message and only on demand."""
        text = self.text
        zones: list[Zone] = []
        # Zones taken so far, disjoint and sorted: one bisect per candidate, not a scan of all.
        taken_starts: list[int] = []
        taken_ends: list[int] = []

        def take(start: int, end: int, kind: str) -> None:
            at = bisect.bisect_right(taken_ends, start)
            if at < len(taken_starts) and taken_starts[at] < end:
                return
            taken_starts.insert(at, start)
            taken_ends.insert(at, end)
            zones.append(Zone(start, end, kind))

        if "`" in text:
            for pattern in (_CODE_FENCE, _INLINE_CODE):
                for m in pattern.finditer(text):
                    take(m.start(), m.end(), "code")
        if ">" in text:
            for m in _QUOTE_LINE.finditer(text):
                take(m.start(), m.end(), "quote")
            for m in _QUOTE_AFTER_SPEAKER.finditer(text):
                take(m.start(1), m.end(1), "quote")
        if '"' in text:
            for m in _DOUBLE_QUOTED.finditer(text):
                take(m.start(), m.end(), "speech")
        # Most messages hold apostrophes only inside words ("didn't"): a cheap check that some
        # quote opens a phrase saves the single-quote search on them.
        if "'" in text and _OPENING_SINGLE_QUOTE.search(text) is not None:
            for m in _SINGLE_QUOTED.finditer(text):
                take(m.start(), m.end(), "speech")
        zones.sort(key=lambda zone: zone.start)
        return tuple(zones)

    @lazy_property
    def _zone_starts(self) -> list[int]:
        return [zone.start for zone in self.zones]

    def zone_at(self, start: int, end: int) -> Zone | None:
        """The zone that contains the span, if any (zones are disjoint: at most one does)."""
        if not self.zones:
            return None
        at = bisect.bisect_right(self._zone_starts, start) - 1
        if at >= 0 and end <= self.zones[at].end:
            return self.zones[at]
        return None


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_run_cache: dict[str, tuple[str, tuple[int, ...] | None]] = {}


def _fold_run(run: str) -> tuple[str, tuple[int, ...] | None]:
    """Fold a run of non-ASCII characters; the second item gives, per folded character, the
    index in ``run`` it came from, or is None when every character folded to exactly one."""
    cached = _run_cache.get(run)
    if cached is not None:
        return cached
    folded = [_fold_char(char) for char in run]
    if all(len(piece) == 1 for piece in folded):
        result: tuple[str, tuple[int, ...] | None] = ("".join(folded), None)
    else:
        result = ("".join(folded), tuple(i for i, piece in enumerate(folded) for _ in piece))
    if len(run) <= 16 and len(_run_cache) < 65536:  # emoji and short words recur; long runs don't
        _run_cache[run] = result
    return result


def normalize(original: str) -> NormalizedText:
    """Build the matching copy of a message. Linear in its length, with no per-character
    Python work on ASCII: non-ASCII runs (emoji, fullwidth, Cyrillic) are folded run by run,
    and the offset map is built only when a fold changed the length."""
    blanked = _SLACK_MARKUP.sub(_blank_markup, original) if ("<" in original or "&" in original) else original
    if "_" in blanked:  # Slack italics: "_Obviously you…_" reads as words, not as one identifier
        blanked = _ITALIC_EDGE.sub(" ", blanked)
    if blanked.isascii():
        return NormalizedText(original, blanked.lower())
    pieces: list[str] = []
    folds: list[tuple[int, int, tuple[int, ...]]] = []  # (start in blanked, end, map) of length-changing runs
    last = 0
    for m in _NON_ASCII.finditer(blanked):
        start, end = m.span()
        pieces.append(blanked[last:start])
        folded, index = _fold_run(m.group())
        pieces.append(folded)
        if index is not None:
            folds.append((start, end, index))
        last = end
    pieces.append(blanked[last:])
    text = "".join(pieces).lower()
    ambiguous = "у" in blanked or "У" in blanked  # rare: only then look at the neighbours
    if not folds and not ambiguous:
        return NormalizedText(original, text)
    starts: list[int] = []
    last = 0
    for start, end, index in folds:
        starts.extend(range(last, start))
        starts.extend(start + i for i in index)
        last = end
    starts.extend(range(last, len(blanked)))
    if ambiguous:
        text = resolve_ambiguous(text, starts, blanked)
    return NormalizedText(original, text, tuple(starts) if folds else None)
