"""What the learned stage sees of a message: the author's own words, and what the rules found.

Quoted customers, pasted logs and other people's words are blanked first, so the model
judges only what the agent wrote (the labelling rules say the same). The rules add the
categories they hit. Training and scoring share these functions, so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.context import MessageContext
from bot.model import tokens_of
from bot.models import Finding

# A quoted phrase in single quotes opens after something that is not a letter or digit.
_OPENING_SINGLE_QUOTE = re.compile(r"(?:^|[^a-z0-9])'")


def _may_have_zones(text: str) -> bool:
    """Cheap test (substring checks first) for a backtick, a ">", or a quote that opens."""
    return "`" in text or ">" in text or '"' in text or ("'" in text and _OPENING_SINGLE_QUOTE.search(text) is not None)


def own_text(context: MessageContext) -> str:
    """The normalised text with every zone attributed to someone else blanked out.

    Blanked with as many spaces as it had characters, so offsets stay those of the text.
    """
    text = context.text
    if not _may_have_zones(text):  # no quote, code or quoted phrase: nothing to blank
        return text
    zones = context.normalized.zones
    if not zones:
        return text
    pieces: list[str] = []
    position = 0
    for zone in zones:
        if zone.start < position or context.attribution(zone) != "other":
            continue
        pieces.append(text[position:zone.start])
        pieces.append(" " * (zone.end - zone.start))
        position = zone.end
    pieces.append(text[position:])
    return "".join(pieces)


def engine_features(findings: Iterable[Finding]) -> frozenset[str]:
    """What the rules already found, as features prefixed with '@' (the categories they hit).

    Whether the text reads as a reply or as chatter was tried too: it bought nothing the
    words do not already say, and cost more than the rest of the model together.
    """
    return frozenset(f"@rule:{finding.category}" for finding in findings)


def message_features(context: MessageContext, findings: Iterable[Finding] = ()) -> tuple[list[str], frozenset[str]]:
    """The author's tokens and the engine features of one message."""
    return tokens_of(own_text(context)), engine_features(findings)
