"""The facts of a message: what any rewrite, rule-made or model-made, must keep.

An agent ignores a suggestion that drops the customer's problem. So the coach pulls out what
a reply is *about* (links, Slack mentions, code, e-mails, numbers, ids, amounts, dates, names,
products, and noun phrases such as "the yellow notice" or "your invoice"), leaves out whatever
sits inside a flagged span (the put-down is not a fact), and rejects any candidate that loses
one. The rule rewriter and the LLM guard use this same check, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.coaching.greetings import GREETING_WORDS, SIGN_OFF_WORDS
from bot.models import Analysis

# Slack markup and links are kept whole: a mangled <@U…> or <url|label> is broken markup.
_SLACK_TOKEN = re.compile(r"<[@#!][^<>\s]{1,80}>|<[a-z][a-z0-9+.\-]{1,20}:[^<>\s|]{1,2000}(?:\|[^<>\n]{0,200})?>")
_URL = re.compile(r"\bhttps?://[^\s<>|]+[^\s<>|.,;:!?)'\"]")
_CODE = re.compile(r"```.*?```|`[^`\n]{1,200}`", re.S)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION = re.compile(r"(?<![\w<])@[A-Za-z0-9_.-]{2,40}")
_NUMBERISH = re.compile(r"(?<![\w])[#$€£]?[A-Za-z-]*\d[\w./:,%-]*")
# A limit the message states: the answer itself, which a rewrite must keep however it is
# worded around it ("the fare is non-refundable", "flood is not covered", "the date can't be
# changed", "the voucher is single-use").
_LIMIT = re.compile(
    r"\bnon-?(?:refundable|transferable|returnable|exchangeable|negotiable|cancellable)\b"
    r"|\bsingle-use\b"
    r"|\b(?:not|never)\s+(?:covered|refundable|eligible|included|transferable|returnable)\b"
    r"|\b(?:can't|cannot|can not|won't)\s+be\s+(?:changed|refunded|cancelled|canceled|moved|reversed|transferred"
    r"|extended|reissued|exchanged|combined)\b",
    re.IGNORECASE,
)
# A sentence that states what can't be done, as a fact about the thing ("we can't change the
# delivery address once it's dispatched", "a seat change is not possible", "the promotion has
# ended"): the rewriter may keep it and let a next step supply the option. Not a brush-off
# without a thing ("we can't help with that", "rules are rules").
STATED_LIMIT = re.compile(
    _LIMIT.pattern
    + r"|\b(?:we|i)\s+(?:can't|cant|cannot|can not|are unable to|am unable to|aren't able to|won't be able to)\s+"
    r"(?!(?:help|do|assist|see|find|tell|say)\b)[a-z]+\s+(?:the|your|ur|a|an|this|that|these|those|any)\s+\w+"
    r"|\b(?:is|are|isn't|aren't)\s+(?:not\s+)?(?:possible|available|allowed|permitted|refundable|supported)\b"
    r"|\b(?:has|have)\s+(?:already\s+)?(?:ended|expired|closed|sold out|passed)\b",
    re.IGNORECASE,
)
# ... or names the one who can do it: a route is an answer too ("changes have to be made
# online, so you'll need to go through the website", "you'll need to ask your GP for a new
# referral"), and the next step supplies the help a bare referral lacks.
STATED_ROUTE = re.compile(
    r"\b(?:you(?:'ll|’ll| will| would|'d|’d)?|u)\s+(?:need|have|has)\s+to\s+"
    r"(?:go\s+(?:back\s+)?(?:to|through)|contact|call|ask|speak\s+to|talk\s+to|get\s+in\s+touch\s+with|reach\s+out\s+to"
    r"|apply\s+(?:to|through)|book\s+(?:through|with)|use)\s+(?:the|your|their|our|a|an)\s+\w+",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’&-]*[A-Za-z0-9]|\b[A-Z]\b")
# A name follows these: a greeting or a sign-off ("Hi Raj", "Thanks Priya"), or a bare "Morning".
_GREETING_BEFORE = re.compile(
    r"\b(?:" + GREETING_WORDS + "|" + SIGN_OFF_WORDS + r"|morning|afternoon|evening)\s+$", re.I
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n:>*_\"“'‘`•\-]\s*|^\s*)$")
# A determiner or possessive, then up to three words that are not function words or verbs.
_NOUN_PHRASE = re.compile(
    r"\b(?:the|your|this|that|these|those|our|their|his|her|its|my)\s+"
    r"(?=((?:[A-Za-z][\w'-]*[ \t]+){0,2}[A-Za-z][\w'-]*))",
    re.IGNORECASE,
)


# Words that end a noun phrase: function words, auxiliaries and common verbs.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_NOUN = _wordset(
    """a an the and or but nor so yet if then than that this these those to of in on at by for from
    with without into onto over under about after before since until while as is are was were be been
    being am do does did done doing have has had having will would shall should can could may might
    must not no never it its it's they them we us you your he she him her i me my our their what which
    who whom whose where when why how all any some each every more most very too also just only even
    still again already here there now today tomorrow yesterday ok okay please thanks thank yes
    say says said tell told see seen saw know knew known read check checked go went gone get got
    give gave make made take took come came put let set keep kept need needs needed want wants
    wanted look looks looked show shows showed explain explains explained cover covers covered
    ships shipped arrive arrives arrived works worked work doesn't don't didn't isn't wasn't can't
    won't cannot couldn't shouldn't wouldn't aren't weren't hasn't haven't hadn't i'm i'll i've i'd you're
    you'll you've you'd we're we'll we've that's there's here's it'll one way thing things stuff
    time times bit lot part point case fault problem issue mistake error end side own lol lmao tbh smh
    haha ngl imo btw within across through during per via behind between against around near inside
    outside toward towards upon except beyond among despite along wrong right late early twice back
    first"""
)
NOT_NOUN = _NOT_NOUN  # what ends a noun phrase (the rewriter tells a cut-off phrase from a whole one by it)
_GENERIC_NOUN = _wordset(
    "way thing things stuff time times bit lot part point case one same fault end side whole other last next rest best"
)
_NOT_NAME = _wordset(
    """I I'm I'll I've I'd OK Ok Hi Hey Hello Dear Thanks Thank Regards Best Cheers Sorry Please Yes No
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday"""
)


@dataclass(frozen=True)
class Fact:
    """One thing a rewrite must keep, where it sits in the original, and what kind it is."""

    text: str
    kind: str  # markup | link | code | email | mention | limit | number | name | phrase
    start: int
    end: int

    @property
    def key(self) -> str:
        """What must appear in a rewrite: a phrase counts without its determiner ("the notice" or
        "your notice" both keep "notice"), everything else as written, case-insensitively."""
        if self.kind == "phrase":
            return self.text.split(None, 1)[1].casefold()
        return self.text.casefold()


def _spans(analysis: Analysis | None, spans: Iterable[tuple[int, int]] | None) -> list[tuple[int, int]]:
    found = [(f.start, f.end) for f in analysis.findings] if analysis is not None else []
    return found + list(spans or ())


def extract(text: str, analysis: Analysis | None = None, skip: Iterable[tuple[int, int]] | None = None) -> list[Fact]:
    """The facts of ``text`` outside the flagged spans (and any ``skip`` spans), in order."""
    blocked = _spans(analysis, skip)
    taken: list[tuple[int, int]] = []
    facts: list[Fact] = []

    def add(start: int, end: int, kind: str) -> None:
        value = text[start:end]
        if not value.strip():
            return
        if any(s < end and start < e for s, e in blocked):
            return
        if any(s <= start and end <= e for s, e in taken):
            return
        taken.append((start, end))
        facts.append(Fact(value, kind, start, end))

    for pattern, kind in (
        (_CODE, "code"),
        (_SLACK_TOKEN, "markup"),
        (_URL, "link"),
        (_EMAIL, "email"),
        (_MENTION, "mention"),
    ):
        for match in pattern.finditer(text):
            add(match.start(), match.end(), kind)
    for match in _LIMIT.finditer(text):
        add(match.start(), match.end(), "limit")
    for match in _NUMBERISH.finditer(text):
        token = match.group(0).rstrip(".,:;!?-/")
        add(match.start(), match.start() + len(token), "number")
    for start, end in _names(text):
        add(start, end, "name")
    for match in _NOUN_PHRASE.finditer(text):
        span = _phrase_span(text, match)
        if span:
            add(*span, "phrase")
    facts.sort(key=lambda fact: fact.start)
    return facts


def _phrase_span(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """The determiner and the noun words after it, cut at the first function word or verb."""
    words = list(re.finditer(r"[A-Za-z][\w'-]*", match.group(1)))
    end = None
    for index, word in enumerate(words):
        lowered = word.group(0).lower()
        if lowered in _NOT_NOUN or (index and lowered.endswith("ed") and len(lowered) > 4):
            break
        end = match.start(1) + word.end()
    if end is None:
        return None
    head = text[match.start(1) : end].split()
    if len(head) == 1 and (head[0].lower() in _GENERIC_NOUN or len(head[0]) < 3):
        return None
    start = match.start()
    return start, end


def _names(text: str) -> list[tuple[int, int]]:
    """Capitalised words mid-sentence ("the Stripe setup"), after a greeting ("Hi Raj"), or
    addressed ("Sam, ..."); a capital at a sentence start is just grammar."""
    names = []
    for match in _CAPITALISED.finditer(text):
        word = match.group(0)
        if word in _NOT_NAME or (word.isupper() and len(word) > 1 and word.lower() in _NOT_NOUN):
            continue
        before = text[max(0, match.start() - 14) : match.start()]
        mid_sentence = not _SENTENCE_START.search(before)
        addressed = text[match.end() : match.end() + 1] == "," and not word.isupper()
        if mid_sentence or addressed or _GREETING_BEFORE.search(before):
            names.append(match.span())
    return names


def kept(fact: Fact, candidate: str) -> bool:
    """Whether ``candidate`` still carries ``fact`` (case-insensitive; see ``Fact.key``)."""
    folded = candidate.casefold().replace("’", "'")
    key = fact.key.replace("’", "'")
    if fact.kind in {"markup", "code", "link", "email", "mention"}:
        return fact.text in candidate
    if fact.kind == "limit":  # "non-refundable" or "non refundable", "cannot be changed" or "can't be changed"
        words = re.findall(r"[a-z]+", key.replace("can't", "cannot").replace("can not", "cannot"))
        plain = " ".join(re.findall(r"[a-z]+", folded.replace("can't", "cannot").replace("can not", "cannot")))
        return re.search(r"\b" + r"\s*".join(words) + r"\b", plain) is not None
    if fact.kind in {"number", "name"}:
        return re.search(r"(?<![\w])" + re.escape(key) + r"(?![\w])", folded) is not None
    return key in folded


def missing(facts: Iterable[Fact], candidate: str) -> list[Fact]:
    """The facts ``candidate`` lost."""
    return [fact for fact in facts if not kept(fact, candidate)]


def retention(facts: list[Fact], candidate: str) -> float:
    """Share of facts kept (1.0 when there were none to keep)."""
    if not facts:
        return 1.0
    return 1 - len(missing(facts, candidate)) / len(facts)


def listing(facts: Iterable[Fact]) -> str:
    """The facts as a bullet list for a prompt ("- none" when there are none)."""
    lines = [f"- {fact.text}" for fact in dict((f.text, f) for f in facts).values()]
    return "\n".join(lines) or "- none"
