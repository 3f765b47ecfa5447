"""Sentences with a harsh shape, found by word classes rather than by phrases.

The detector judges phrases; a rewrite can still keep a sentence it misses on its own ("I don't
know how many other ways I can say this", "you're not getting that price again", "stop using
the old app"). The rewriter drops or softens such sentences around the flagged span, and the
rewrite scorer counts the ones that survive, so "re-flagged 0" cannot hide them. Each shape is
built from word classes (a count of repeats and a verb of saying; the customer as subject, a
negation and a word of entitlement...), so it covers wordings nobody listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching import segments


def _alt(words: str) -> str:
    return "(?:" + "|".join(sorted(words.split(), key=len, reverse=True)) + ")"


_YOU = r"(?:you|u)"
_YOU_ARE = r"(?:you(?:'re|’re| are)|ur|u r)"
_SAY = _alt(
    "say said saying tell told telling explain explained explaining repeat repeated repeating "
    "put write wrote answer answered spell spelled spelt"
)
_COUNT = _alt("times ways occasions")
_ORDINAL = _alt("last third fourth fifth sixth tenth hundredth millionth umpteenth nth final")
_ENTITLED = _alt("entitled eligible owed due getting allowed having receiving qualified")
_FAULT_VERB = _alt(
    "ignored ignore broke break refused refuse failed fail misused misuse skipped skip overlooked disregarded neglected"
)
_STOP = _alt("stop quit cease")
_OURS = _alt("our my")
_NOT_OUR_NOUN = _alt(
    "target market priority concern problem department job responsibility business remit area fault issue"
)
_ONLY = _alt("just only merely simply")
_CONTACT = _alt(
    "contact contacting email emailing message messaging call calling write writing send sending "
    "chase chasing ring ringing reply replying"
)
_MANNER = _alt("calm relax settle slow listen read")
_VERDICT = _alt(
    "ridiculous unreasonable rude difficult silly absurd dramatic hysterical impossible "
    "childish paranoid clueless hopeless"
)
_SIGH = _alt("ugh sigh jeez geez ffs omg smh urgh")
_PAST = r"\w+(?:ed|en|wn|ne|t|ught)"


@dataclass(frozen=True)
class Shape:
    """One harsh shape: its name (what an agent is told), the category it belongs to, its pattern."""

    name: str
    category: str
    pattern: re.Pattern[str]


def _shape(name: str, category: str, pattern: str) -> Shape:
    return Shape(name, category, re.compile(pattern, re.IGNORECASE))


SHAPES: tuple[Shape, ...] = (
    # exasperated repetition: a count of repeats with a verb of saying, or an ordinal "time"
    _shape(
        "repetition",
        "argumentative",
        rf"\bhow many (?:more |other |different )?{_COUNT}\b[^.!?]{{0,40}}\b{_SAY}\b"
        rf"|\b{_SAY}\b[^.!?]{{0,30}}\bhow many (?:more |other |different )?{_COUNT}\b"
        rf"|\bfor the {_ORDINAL} time\b"
        rf"|\b{_ORDINAL} time\b[^.!?]{{0,30}}\b{_SAY}\b"
        rf"|\b(?:i|we) (?:don't|do not) know how (?:else|many)\b"
        rf"|\b(?:round|around|go(?:ing)? round) in circles\b"
        rf"|\b(?:again|once more),? (?:and )?(?:for|as)\b[^.!?]{{0,20}}\b{_SAY}\b",
    ),
    # a flat refusal aimed at the customer: you + negation + a word of entitlement
    _shape(
        "flat refusal",
        "dismissive",
        rf"\b(?:{_YOU_ARE}\s+(?:simply\s+|just\s+)?not|{_YOU}\s+(?:aren't|aren’t))\s+(?:going\s+to\s+be\s+)?{_ENTITLED}\b"
        rf"|\b{_YOU}\s+(?:won't|will not|don't|do not|aren't|are not)\s+(?:be\s+)?(?:get|getting|have|having)\b"
        rf"\s+(?:that|this|it|the|a|any)\b[^.!?]{{0,40}}\b(?:again|back|anymore|any more|ever)\b"
        rf"|\b{_YOU}\s+(?:can't|cannot|can not)\s+(?:just\s+)?(?:expect|demand)\b",
    ),
    # a brush-off: not our concern, we're only the X
    _shape(
        "not our concern",
        "dismissive",
        rf"\b(?:isn't|is not|aren't|are not|'s not|’s not|'re not|’re not)\s+(?:really\s+)?{_OURS}\s+"
        rf"(?:\w+\s+)?{_NOT_OUR_NOUN}\b"
        rf"|(?:^|[,;:]\s*)(?:we(?:'re|’re| are)|i(?:'m|’m| am))\s+{_ONLY}\s+(?:the|a|an)\s+\w+(?:\s+\w+)?[.!]*$"
        rf"|\b(?:is|are|'re|’re|am)\s+not\s+(?:responsible|liable|accountable)\s+for\b"
        rf"|\bnot\s+(?:something|anything)\s+(?:we(?:'re|’re| are)|i(?:'m|’m| am))\s+(?:responsible|liable)\b",
    ),
    # the customer as the author of the fault
    _shape(
        "blame on the customer",
        "blame",
        rf"\b(?:'s|’s|is|was)\s+(?:all\s+|really\s+|entirely\s+)?on\s+{_YOU}\b(?!\s+to\b)"
        rf"|\b{_YOU}(?:'ve|’ve| have)?\s+(?:just\s+|clearly\s+|simply\s+)?{_FAULT_VERB}\b"
        rf"|\byour\s+(?:own\s+)?(?:fault|mistake|doing|problem)\b"
        # told before, and counting: "you were warned twice", "your team was reminded three times"
        rf"|\b(?:{_YOU}|your\s+\w+)\s+(?:were|was|have\s+been|has\s+been|had\s+been)\s+(?:\w+\s+)?"
        rf"(?:warned|told|informed|reminded|notified)\s+(?:twice|repeatedly|(?:several|multiple|many|\w+)\s+times)\b",
    ),
    # a verdict on a group the customer belongs to: "very common with older users"
    _shape(
        "a verdict on a group",
        "disparaging",
        r"\b(?:very\s+|so\s+|really\s+|pretty\s+)?(?:common|typical|usual)\s+(?:with|for|among|of)\s+"
        r"(?:[\w-]+\s+)?(?:customers|users|people|folks|clients|callers|buyers|types)\b",
    ),
    # hindsight aimed at the customer: had you X, you'd have Y; this could have been avoided
    _shape(
        "hindsight",
        "blame",
        rf"\b(?:had {_YOU}|if {_YOU}(?:'d|’d| had))\s+(?:\w+\s+){{0,2}}?{_PAST}\b[^.!?]{{0,60}}"
        rf"\b{_YOU}(?:'d|’d| would)\b"
        rf"|\b(?:could|would)\s+(?:all\s+)?have\s+been\s+avoided\b"
        rf"|^(?:then\s+)?{_YOU}(?:'d|’d| would)(?:\s+have|'ve|’ve)\s+(?:had|known|seen|noticed|avoided)\b"
        # the same of someone else: "if (?:Sam|your son) had listened, he wouldn't ..."
        rf"|\bif\s+(?:he|she|they|(?:your|his|her|their)\s+\w+|(?-i:[A-Z][a-z]+))\s+had\s+{_PAST}\b[^.!?]{{0,60}}"
        rf"\b(?:he|she|they|it|you)(?:'d|’d| would(?:n't|n’t| not)?)\b",
    ),
    # a condition that reproaches, then a verdict: "if you can't X, maybe don't Y"
    _shape(
        "a reproach in a condition",
        "argumentative",
        rf"^(?:\w+,?\s+)?if\s+{_YOU}\s+(?:can't|cannot|can not|don't|do not|won't|will not|couldn't)\s+"
        rf"[^.!?]{{3,80}}?,\s*(?:then\s+)?(?:maybe|perhaps|i'?m not sure|i am not sure|i doubt|don't|do not"
        rf"|you (?:probably |really )?(?:shouldn't|should not|might want)|there's no point|that's on)\b",
    ),
    # a verdict on the customer's manner, or a sigh at them
    _shape(
        "verdict on the customer",
        "argumentative",
        rf"\b{_YOU_ARE}\s+(?:being\s+)?(?:so\s+|very\s+|just\s+|a\s+(?:bit|little)\s+)?{_VERDICT}\b"
        rf"|^{_SIGH}\b|,\s*{_YOU} again\b|^{_YOU} again\b"
        rf"|\b(?:i'?m|i am) not sure what(?:'s|’s| is) (?:so )?(?:unclear|confusing|hard)\b"
        rf"|\bmake me repeat\b|\bright in front of {_YOU}\b|\bnice and slow(?:ly)?\b",
    ),
    # an order: stop doing X, don't contact us again, calm down, or a bare command that closes the matter
    _shape(
        "an order",
        "dismissive",
        rf"(?:^|[,;:\u2014]\s*)(?:just\s+|please\s+)?{_STOP}\s+\w+ing\b"
        rf"|\b(?:don't|don’t|do not|refrain from)\s+{_CONTACT}\s+(?:(?:us|me)\b[^.!?]{{0,40}}"
        rf"\b(?:again|further|anymore|any more)|further)\b"
        rf"|\b(?:you\s+)?(?:need|have|got)\s+to\s+{_MANNER}\s+(?:down|properly|carefully)\b"
        rf"|^(?:come on|deal with it|get over it|grow up|take it or leave it|end of (?:story|discussion))\b"
        rf"|\btake (?:it|that|this) up with (?:yourself|them)\b",
    ),
    # sarcasm: a rhetorical tag, a proverb at the customer, a verdict on their precision
    _shape(
        "sarcasm",
        "argumentative",
        r"\bshall we\s*\?|\bas they say\b|\bseems to be the (?:issue|problem) here\b"
        r"|\blet me be (?:very |really |perfectly )?(?:clear|precise|blunt|plain)\b"
        r"|\bwhat part of\b|^reading is\b|\bnot the end of the world\b|,\s*full stop\b",
    ),
)


def sentences(text: str) -> list[str]:
    """The message's sentences, split as detection and rewriting split them (bot.coaching.segments)."""
    return [part for start, end in segments.sentence_spans(text) if (part := text[start:end].strip())]


def shape_of(sentence: str) -> Shape | None:
    """The first harsh shape the sentence has, or None."""
    plain = sentence.strip().lstrip("'\"“‘_*`>").strip()
    return next((shape for shape in SHAPES if shape.pattern.search(plain)), None)


def harsh_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that have a harsh shape."""
    return [sentence for sentence in sentences(text) if shape_of(sentence) is not None]
