"""A customer-facing rewrite ends with a concrete next step, unless the agent already gave one.

The most specific step that passes the whole engine wins (a thing the edit had to give up, the
message's topic, a thing the message names, the category's, the generic ones), and a step
never asks for what the message already gives (a number, a time or a date). It goes before
the sign-off and inside a closing quote.
"""

from __future__ import annotations

import re

from bot.coaching.facts import extract
from bot.coaching.greetings import CLOSING, INLINE_CLOSING
from bot.coaching.named_things import objects_named
from bot.coaching.rewrite_case import Case
from bot.coaching.suggestion_checks import ends_open, has_next_step


def with_next_step(case: Case, draft: str, lost: list[str] | None = None, avoid: str = "") -> str:
    """End a customer-facing rewrite with a concrete step, unless the agent already gave one.

    The most specific step that passes wins: about a thing the edit had to give up ("the setup
    page"), so the suggestion still points at it; then the message's topic; then the thing the
    message names (not ``avoid``, which the opener already names); then the category's and the
    generic ones. Within each group the message's text picks the order."""
    original, strategies = case.text, case.strategies
    lost = [phrase[0].lower() + phrase[1:] for phrase in lost or []]
    if has_next_step(draft) and not lost:
        return draft
    category = case.category
    named = [step for step in strategies.steps.get(category, ()) if "{object}" in step]
    groups: list[list[str]] = []
    if lost:
        groups.append([step.replace("{object}", lost[0]) for step in named])
    topic = case.topic
    if topic is not None:
        groups.append(list(topic.next_steps))
    objects = [thing for thing in objects_named(original, case.analysis, case.rules) if thing != avoid]
    if objects:
        groups.append([step.replace("{object}", objects[0]) for step in named])
    groups.append(
        [step for step in strategies.steps.get(category, ()) if "{object}" not in step]
        + list(strategies.steps.get("generic", ()))
    )
    rotated: list[str] = []
    for group in groups:
        rotated += case.rotated(group, "step:")
    given = any(fact.kind == "number" for fact in extract(original))
    timed = _GIVES_TIME.search(original) is not None
    # a step that asks for what the message already gives (a number, a time or date) comes last
    rotated.sort(
        key=lambda step: (
            (given and _ASKS_FOR_NUMBER.search(step) is not None) or (timed and _ASKS_FOR_TIME.search(step) is not None)
        )
    )
    if ends_open(draft):  # "If the courier left it at the wrong door, could you send me ...?"
        rotated.sort(key=lambda step: not _COMPLETES.match(step))
    for step in rotated:
        candidate = insert_step(draft, step)
        if case.sendable(candidate):
            return candidate
    return draft


_GIVES_TIME = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b|\bat \d{1,2}\b|\b\d{1,2}(?:st|nd|rd|th)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:yesterday|today|tonight|this morning|last night)\b"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)

_ASKS_FOR_TIME = re.compile(
    r"\b(?:tell|send) me (?:when|what time|which (?:day|date|time)|the (?:date|time))\b"
    r"|\bwhen (?:this|it|the \w+) (?:first |last )?(?:happened|started|was|dropped)\b",
    re.IGNORECASE,
)

_ASKS_FOR_NUMBER = re.compile(
    r"\b(?:send|tell) me (?:the |your |any )?[\w -]{0,20}?(?:number|reference)\b", re.IGNORECASE
)


# A step that can complete a bare condition: a question to the customer.
_COMPLETES = re.compile(r"(?:could|would|can) you\b[^?]*\?$", re.IGNORECASE)


def insert_step(text: str, step: str) -> str:
    """Put the step before the sign-off, inside a closing quote, after a full stop."""
    sign_off = CLOSING.search(text)
    tail = ""
    if sign_off:
        text, tail = text[: sign_off.start()].rstrip(), text[sign_off.start() :]
    wish = INLINE_CLOSING.search(text)
    if wish:
        text, tail = text[: wish.start()], text[wish.start() :] + tail
    closing = ""
    quote = re.search(r"([.!?]?)(['\"”’_*`]+)\s*$", text)
    pairs = {"'": "'", '"': '"', "”": "“", "’": "‘", "_": "_", "*": "*", "`": "`"}
    if quote:
        mark = quote.group(2)
        opener = pairs.get(mark[0], mark[0])
        opened = re.search(r"(?:^|[:>\s])" + re.escape(opener) + r"\S", text[: quote.start()])
        if opened and mark != "```":
            closing = mark
            text = text[: quote.start()] + quote.group(1)
    text = text.rstrip()
    if ends_open(text) and _COMPLETES.match(step):
        return f"{text.rstrip('.! ')}, {step[0].lower()}{step[1:]}{closing}{tail}"
    if text and text[-1] not in ".!?":
        text = text.rstrip(",;:\u2014\u2013- ") + "."
    separator = "\n\n" if "\n\n" in text and not closing else " "
    return f"{text}{separator}{step}{closing}{tail}"
