"""Editing text in place: splicing a span out or in with the spaces and punctuation around it
right, fitting a replacement's case to where it lands, and tidying the debris a cut leaves.

Also what every edit keeps: a message's opening (a "sending:" label, a greeting) and its
closing quote marks.
"""

from __future__ import annotations

import re

from bot.coaching.greetings import GREETING_WORDS
from bot.coaching.suggestion_checks import capital_allowed

# What opens a message and survives any rewrite of its first sentence: "sending:", a greeting,
# or a form of address ("Sir, ..."). Its greetings stay the ones the rewriter kept before they
# became data (bot.coaching.greetings.GREETING_WORDS adds hiya, greetings and howdy): with the
# shared list 6 of the 17,819 flagged data messages get another suggestion (each would keep a
# "Hiya," or "Greetings," the edit now drops), a change of behaviour to make on its own, measured.
KEEP_PREFIX = re.compile(
    r"^\s*(?:[*_~>]+\s*)?(?:(?:reply|sending|sent|draft|macro|response)\b[^:'\"\n]{0,30}[:>]\s*)?"
    r"['\"_*`]?\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|sir|madam|ma'am)\b"
    r"[^,\u2014!.?\n]{0,40}?(?:[,!]|\s[\u2014-])\s*)?",
    re.IGNORECASE,
)
# The quote marks or markup a message closes with, kept after its last sentence.
KEEP_SUFFIX = re.compile(r"['\"_*`”’]+\s*$")
# A clause and the punctuation that closes it.
CLAUSE = re.compile(r"[^,;:\u2014\u2013]+(?:[,;:\u2014\u2013]+|$)")
# A word of two letters or more: what counts as content left after a cut.
WORD = re.compile(r"[A-Za-z]{2,}")


def splice(text: str, start: int, end: int, replacement: str) -> str:
    """Replace text[start:end], keeping one space between words and none before punctuation.
    A span that swallowed the previous sentence's full stop (". Had you opened") leaves it."""
    stop = re.match(r"[.!?]+(?=\s)", text[start:end])
    if stop and replacement[:1] not in (".", "!", "?") and end - start > stop.end():
        start += stop.end()
    before, after = text[:start], text[end:]
    if replacement:
        if before and not before[-1].isspace() and before[-1] not in "(\"'“‘" and replacement[0].isalnum():
            replacement = " " + replacement
        if after and after[0].isalnum():
            replacement = replacement + " "
    elif before and after and not before[-1].isspace() and after[0].isalnum():
        replacement = " "
    return before + replacement + after


def drop_clauses(body: str, spans: list[tuple[int, int]]) -> str | None:
    """The sentence without the clauses that hold a finding, when some other clause is left."""
    clauses = [(m.start(), m.end()) for m in CLAUSE.finditer(body) if m.group(0)]
    prefix = KEEP_PREFIX.match(body)
    keep_until = prefix.end() if prefix else 0
    kept = []
    dropped = False
    for s, e in clauses:
        if e <= keep_until:
            kept.append(body[s:e])
            continue
        if any(a < e and s < b for a, b in spans):
            dropped = True
            continue
        kept.append(body[s:e])
    if not dropped:
        return None
    lead = body[: len(body) - len(body.lstrip())]
    result = lead + "".join(kept).strip()
    if len(WORD.findall(result[keep_until:])) < 3:
        return None
    if body.rstrip()[-1:] in ".!?" and result[-1:] not in ".!?":
        result = result.rstrip(",;:\u2014\u2013 ") + body.rstrip()[-1]
    return result


def remove_spans(body: str, spans: list[tuple[int, int]]) -> str:
    out = body
    for a, b in sorted(spans, reverse=True):
        out = splice(out, a, b, "")
    return out


def fit_case(text: str, position: int, replacement: str) -> str:
    """Capitalise at the start of a sentence, lower-case after a comma or a greeting."""
    if not replacement:
        return replacement
    before = text[:position].rstrip()
    at_start = not before or before[-1] in '.!?\n:"_*`>' or re.search(r"(?:^|\s)['\"“]$", before) is not None
    if at_start:
        return replacement[0].upper() + replacement[1:]
    first = replacement.split(" ", 1)[0]
    if first in ("I", "I'm", "I'll", "I've", "I'd") or (first[:1].isupper() and first[1:2].isupper()):
        return replacement
    if re.search(r"\b" + re.escape(first) + r"\b", text[:position]) and first[:1].isupper():
        return replacement
    return replacement[0].lower() + replacement[1:]


def tidy(text: str, capital_start: bool = True, original: str = "") -> str:
    """Splice debris out: doubled spaces and punctuation, dangling commas, lower-case starts."""
    text = text.strip()
    lower_start = not capital_start and text[:1].islower()
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"(\w) +([,.!?;:])(?![\w.])", r"\1\2", text)
    text = re.sub(r"([.!?])\s+(['\"_*`]+)(?=\s|$)", r"\1\2", text)
    text = re.sub(r"[,;:]\s*([,;:])", r"\1", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"([,;])\s*[\u2014\u2013-]\s+", r"\1 ", text)
    text = re.sub(r"(?<=[.!?])\s*[,;:]\s*", " ", text)
    text = re.sub(r"(^|[.!?]\s+|\n)\s*(?:and|but|so|or)\s+(?=[a-z])", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"(^|[.!?]\s+|\n)(['\"“‘]?)([a-z])", lambda m: m.group(1) + m.group(2) + m.group(3).upper(), text)
    text = re.sub(r"\b(\w+)\s+\1\b", r"\1", text)
    text = _GLUED.sub(r"\1 ", text)  # "nope.I'm sorry" -> "nope. I'm sorry"
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"(?m)^[ \t]*[,;:]\s*", "", text)
    text = re.sub(r"(?m)[ \t]+$", "", text)
    text = text.strip()
    if lower_start and text[:1].isupper() and not text[1:2].isupper() and not text.startswith(("I ", "I'")):
        text = text[0].lower() + text[1:]
    return _after_greeting(text, original)


# "Hi Raj, Tap the blue button.": the capital of a sentence whose start was cut after a greeting.
_GREETING_COMMA = re.compile(
    r"^(\W*(?:(?:reply|sending|sent|draft|macro|response)\b[^:'\"\n]{0,30}:\s*)?['\"_*`]?\s*"
    + GREETING_WORDS
    + r"\b[^,\n.!?]{0,40},[ \t]+)([A-Z][a-z]+)\b",
    re.IGNORECASE,
)


def _after_greeting(text: str, original: str) -> str:
    """Lower-case the word after "Hi Name, " unless the original had it there or it is a name."""
    match = _GREETING_COMMA.match(text)
    if not match or not match.group(2)[1:].islower() or capital_allowed(match.group(2), original or text):
        return text
    return text[: match.start(2)] + match.group(2).lower() + text[match.end(2) :]


# A sentence glued to the word before it (a plain word, not a link, file name or version),
# maybe after a closing quote: "nope.I'm", "Hi!I'm", "'disappeared'.I'm".
_GLUED = re.compile(r"(?<![\w./@:<|-])([A-Za-z]*[a-z](?:[a-z][.!?]|[!?]|['\"\u2019\u201d)][.!?]))(?=I\b|I'|[A-Z][a-z])")


def has_content(text: str) -> bool:
    return len(WORD.findall(text)) >= 3
