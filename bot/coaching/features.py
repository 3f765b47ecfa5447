"""What the learned stage sees of a message: the author's own words, nothing else.

Quoted customers, pasted logs and other people's words are blanked first, so the model
judges only what the agent wrote (the labelling rules say the same). What the rules found
is deliberately not a feature: the rules were written while reading the training messages,
so on those messages they look near perfect, and a model trained on them learns to trust
the rules and add nothing where the rules fail. Training and scoring share these functions.
"""

from __future__ import annotations

from bot.coaching.context import MessageContext
from bot.coaching.model import tokens_of


def own_text(context: MessageContext) -> str:
    """The normalised text with every zone attributed to someone else blanked out.

    Blanked with as many spaces as it had characters, so offsets stay those of the text.
    """
    text = context.text
    zones = context.normalized.zones
    if not zones:
        return text
    pieces: list[str] = []
    position = 0
    for zone in zones:
        if zone.start < position or context.attribution(zone) != "other":
            continue
        pieces.append(text[position : zone.start])
        pieces.append(" " * (zone.end - zone.start))
        position = zone.end
    pieces.append(text[position:])
    return "".join(pieces)


def message_tokens(context: MessageContext) -> list[str]:
    """The tokens the learned stage scores: the author's own words only."""
    return tokens_of(own_text(context))
