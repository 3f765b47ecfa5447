"""One sentence splitter for everything that reads messages (the one greeting and sign-off
pattern: bot.coaching.greetings).

Detection (context checks), the rewriter and the LLM path must agree on where a sentence
ends, or a rewrite replaces half a sentence and a check looks at the wrong clause. "Mrs." and
"e.g." do not end a sentence; a line break always does.

API: ``sentence_spans(text)`` -> [(start, end)] covering the text; ``sentence_starts(text)``
-> sorted start offsets; ``sentence_at(text, start, end, starts=None)`` -> the sentence span
around a span; ``clause_before`` / ``clause_after``.
"""

from __future__ import annotations

import bisect
import itertools
import re

SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"')\]_*]|$)|\n")
ABBREVIATION = re.compile(r"\b(?:mr|mrs|ms|dr|st|vs|etc|e\.g|i\.e|approx|no|jr|sr)$", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[,;:]|\s-+\s|\s\u2014\s?|\(|\)")


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start: after . ! ? (not after "Mrs.", "e.g.") and line breaks."""
    starts = [0]
    for match in SENTENCE_END.finditer(text):
        # Only the few characters before the full stop can hold "Mrs" or "e.g" (a search from
        # the text's start would make a long message quadratic).
        if match.group(0) == "." and ABBREVIATION.search(text, max(0, match.start() - 8), match.start()):
            continue
        starts.append(match.end())
    return starts


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans that cover the whole text, in order (empty ones dropped)."""
    starts = sentence_starts(text)
    bounds = [*starts, len(text)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a] or [(0, len(text))]


def sentence_at(text: str, start: int, end: int, starts: list[int] | None = None) -> tuple[int, int]:
    """The sentence around the span [start, end) (it may run over several if the span does)."""
    starts = starts if starts is not None else sentence_starts(text)
    index = bisect.bisect_right(starts, start) - 1
    sentence_start = starts[max(index, 0)]
    after = bisect.bisect_left(starts, end)
    sentence_end = starts[after] if after < len(starts) else len(text)
    return sentence_start, max(sentence_end, end)


def clause_before(text: str, sentence_start: int, start: int) -> str:
    """The clause that runs up to ``start`` (from the last comma, colon, dash or bracket)."""
    parts = CLAUSE_BREAK.split(text[sentence_start:start])
    return parts[-1] if parts else ""


def clause_after(text: str, end: int, sentence_end: int) -> str:
    """The clause that follows ``end`` up to the next clause break."""
    return CLAUSE_BREAK.split(text[end:sentence_end], maxsplit=1)[0]
