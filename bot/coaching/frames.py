"""The clause edits of prompts/rewrites.toml put to work on a sentence: frames matched and
chained over it (a template filled from the match's groups, with the verb forms it asks for),
and softening.
"""

from __future__ import annotations

import re

from bot.coaching.residual import BAR, harshness
from bot.coaching.splice import fit_case, splice
from bot.coaching.strategies import SLOT, Frame, Strategies


def _words(text: str) -> list[str]:
    return text.split()


# Verb forms for templates. Irregular ones are listed; the rest follow spelling rules.
_IRREGULAR_BASE = {
    "lost": "lose",
    "known": "know",
    "knew": "know",
    "seen": "see",
    "saw": "see",
    "read": "read",
    "made": "make",
    "got": "get",
    "gotten": "get",
    "paid": "pay",
    "sent": "send",
    "bought": "buy",
    "chosen": "choose",
    "chose": "choose",
    "done": "do",
    "did": "do",
    "given": "give",
    "gave": "give",
    "kept": "keep",
    "set": "set",
    "put": "put",
    "found": "find",
    "had": "have",
    "taken": "take",
    "took": "take",
    "written": "write",
    "wrote": "write",
    "been": "be",
    "gone": "go",
    "went": "go",
    "heard": "hear",
    "left": "leave",
    "spent": "spend",
    "forgotten": "forget",
    "forgot": "forget",
    "hit": "hit",
    "broken": "break",
    "broke": "break",
    "told": "tell",
    "ran": "run",
    "run": "run",
    "understood": "understand",
    "used": "use",
    "saved": "save",
    "updated": "update",
    "deleted": "delete",
    "entered": "enter",
    "ordered": "order",
    "typed": "type",
    "changed": "change",
    "closed": "close",
    "removed": "remove",
    "cancelled": "cancel",
    "canceled": "cancel",
    "shared": "share",
    "selected": "select",
    "printed": "print",
    "clicked": "click",
    "backed": "back",
    "checked": "check",
    "contacted": "contact",
    "followed": "follow",
    "opened": "open",
    "installed": "install",
    "noticed": "notice",
    "renewed": "renew",
    "registered": "register",
    "reset": "reset",
    "configured": "configure",
    "disabled": "disable",
    "enabled": "enable",
    "turned": "turn",
    "logged": "log",
    "signed": "sign",
    "uploaded": "upload",
    "downloaded": "download",
    "picked": "pick",
    "tapped": "tap",
    "stopped": "stop",
    "dropped": "drop",
    "shipped": "ship",
    "planned": "plan",
    "skipped": "skip",
    "plugged": "plug",
    "unplugged": "unplug",
    "applied": "apply",
    "tried": "try",
    "copied": "copy",
    "replied": "reply",
    "ignored": "ignore",
    "missed": "miss",
    "moved": "move",
    "placed": "place",
    "paused": "pause",
}

_IRREGULAR_PP = {base: pp for pp, base in _IRREGULAR_BASE.items() if not pp.endswith("ed")} | {
    "lose": "lost",
    "know": "known",
    "see": "seen",
    "read": "read",
    "make": "made",
    "get": "got",
    "pay": "paid",
    "send": "sent",
    "buy": "bought",
    "choose": "chosen",
    "do": "done",
    "give": "given",
    "keep": "kept",
    "set": "set",
    "put": "put",
    "find": "found",
    "have": "had",
    "take": "taken",
    "write": "written",
    "be": "been",
    "go": "gone",
    "hear": "heard",
    "leave": "left",
    "spend": "spent",
    "forget": "forgotten",
    "hit": "hit",
    "break": "broken",
    "tell": "told",
    "run": "run",
    "understand": "understood",
    "reset": "reset",
}

_DOUBLE_FINAL = frozenset(_words("get set put run stop plan ship shop drop skip tap plug unplug hit cut top"))


def base_form(verb: str) -> str:
    """ "backed" -> "back", "lost" -> "lose", "read" -> "read"; a base form stays as it is."""
    lowered = verb.lower()
    if lowered in _IRREGULAR_BASE:
        return _IRREGULAR_BASE[lowered]
    if lowered.endswith("ied") and len(lowered) > 4:
        return lowered[:-3] + "y"
    if lowered.endswith("ed") and len(lowered) > 4:
        stem = lowered[:-2]
        # "stopped" -> "stop", "padded" -> "pad"; "added", "stuffed", "buzzed" keep their double
        if (
            len(stem) > 3
            and stem[-1] == stem[-2]
            and stem[-1] not in "lszf"
            and stem[-3] in "aeiou"
            and stem[-4] not in "aeiou"
        ):
            return stem[:-1]
        if stem.endswith(("at", "iz", "us", "ag", "ov", "ur", "ar", "iv", "ac", "uc", "ir", "as", "ur")):
            return stem + "e"
        return stem
    return lowered


def ing_form(verb: str) -> str:
    base = base_form(verb)
    if base in _DOUBLE_FINAL:
        return base + base[-1] + "ing"
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "ye", "oe")) and len(base) > 2:
        return base[:-1] + "ing"
    return base + "ing"


def past_participle(verb: str) -> str:
    base = base_form(verb)
    if base in _IRREGULAR_PP:
        return _IRREGULAR_PP[base]
    if base in _DOUBLE_FINAL:
        return base + base[-1] + "ed"
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        return base[:-1] + "ied"
    return base + "ed"


def fill(template: str, match: re.Match[str]) -> str:
    """Expand a frame template from the match's groups (see prompts/rewrites.toml)."""

    def slot(m: re.Match[str]) -> str:
        value = (match.group(m.group(1)) or "").strip()
        how = m.group(2)
        if how in ("be", "benot"):
            head = _noun_phrase(value)[0].split()
            head = head[: next((i for i, w in enumerate(head) if i and w.lower() in _PRONOUNS), len(head))]
            plural = bool(head) and head[-1].lower().endswith("s") and not head[-1].lower().endswith(("ss", "us"))
            return ("were" if plural else "was") + ("n't" if how == "benot" else "")
        if how == "base":
            return base_form(value)
        if how == "ing":
            return ing_form(value)
        if how == "pp":
            own = value.lower()
            return own if own.endswith("ed") or own in _IRREGULAR_PP.values() else past_participle(value)
        if how == "the":
            return re.sub(r"^(?:a|an)\s+", "the ", value, flags=re.IGNORECASE) if value else "this"
        if how in ("np", "rest"):
            part = _noun_phrase(value)[0 if how == "np" else 1]
            # "the lid yourself by overfilling it": the passive keeps the cause, not the "yourself"
            return re.sub(r"^(?:yourself|yourselves|on your own)\b\s*", "", part) if how == "rest" else part
        if m.group(1) == "lead":
            return match.group("lead") or ""
        return value

    return re.sub(r" {2,}", " ", SLOT.sub(slot, template)).strip()


def _noun_phrase(value: str) -> tuple[str, str]:
    """Split "the documents late" into ("the documents", "late")."""
    words = value.split()
    cut, limit = 1, 4
    while cut < len(words) and cut < limit and re.fullmatch(r"[a-z][\w-]*", words[cut]) and words[cut] not in _NP_STOP:
        if words[cut] == "of":  # "a photo of your seat reservation": the phrase runs on past "of"
            limit = cut + 4
        cut += 1
    if cut < len(words) and words[cut].lower() in _PRONOUNS:  # "the card we emailed you about": one phrase
        return value, ""
    while cut > 1 and words[cut - 1].lower() in _DANGLING:  # never "a photo of your" / "the list of"
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


_PRONOUNS = frozenset(_words("we you i they he she our"))

_DANGLING = frozenset(_words("of the a an your our my their his her its this that these those"))

_NP_STOP = frozenset(
    _words(
        "wrong wrongly incorrectly twice again by on in at to for with from before after when and or but so because "
        "which that instead too late early back off out up down yourself yourselves there here already "
        "during while into onto over under through without within until since as about across via per then"
    )
)


def framed_edits(frames: tuple[Frame, ...], body: str, local: list[tuple[int, int]], categories: set[str]) -> list[str]:
    """For each frame that matches a stretch overlapping a finding: that frame, then any
    others greedily for the findings left; the fullest edits first."""
    ordered = sorted(frames, key=lambda fr: not (set(fr.categories) & categories))
    out: list[str] = []
    for first in ordered:
        if not any(
            m.group(0) and any(m.start() < e and s < m.end() for s, e in local) for m in first.pattern.finditer(body)
        ):
            continue
        for result in _chain(body, local, [first, *[f for f in ordered if f is not first]]):
            if result not in out:
                out.append(result)
        if len(out) >= 8:
            break
    return out


def _chain(body: str, local: list[tuple[int, int]], frames: list[Frame]) -> list[str]:
    results = []
    current = body
    spans = list(local)
    for _ in range(4):
        applied = False
        for frame in frames:
            for match in frame.pattern.finditer(current):
                if not any(match.start() < e and s < match.end() for s, e in spans) and match.group(0):
                    continue
                if not match.group(0):
                    continue
                replacement = "" if frame.strategy == "drop" else fill(frame.template, match)
                replacement = fit_case(current, match.start(), replacement)
                lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
                if lead and (frame.strategy == "reframe" or match.start() == 0):
                    replacement = lead + replacement
                current = splice(current, match.start(), match.end(), replacement)
                shift = len(replacement) - (match.end() - match.start())
                at = match.start()
                spans = [
                    (s, e) if e <= at else (max(at, s + shift), max(at, e + shift))
                    for s, e in spans
                    if not (at <= s and e <= match.end())
                ]
                results.append(current)
                applied = True
                break
            if applied:
                break
        if not applied or not spans:
            break
    return list(reversed(results))


def soften(text: str, strategies: Strategies) -> str:
    """The text with the strategies' softening applied (``[[soften]]``: "just" and friends)."""
    for pattern, replacement in strategies.soften:
        text = pattern.sub(
            lambda m, r=replacement: fit_case(m.string, m.start(), r) if r else "",  # type: ignore[misc]
            text,
        )
    return text


# Where a sentence breaks into clauses for a cut: a comma or semicolon, a colon before a space
# (not the one of "06:40" or a link), a dash between spaces.
_CUT_BREAK = re.compile(r"[,;]+\s*|:\s+|\s+[\u2014\u2013-]+\s+|\u2014\s*")
_CUT_WORD = re.compile(r"[A-Za-z]{2,}")
# How a clause starts that cannot stand alone: a conjunction, a preposition or a subordinator
# ("but the answer stays the same", "on the 9th", "if that's the tone").
_DEPENDENT = re.compile(
    r"\W*(?:and|but|or|so|nor|yet|then|than|other|which|who|whom|whose|that|if|when|unless|because|since|"
    r"as|although|though|while|whereas|whether|perhaps|maybe|on|in|at|by|for|from|with|of|to|about|"
    r"after|before|until|till|the\s+\d|\d)\b",
    re.IGNORECASE,
)
# What a cut never takes: a number, or a thing the customer named ("the charger", "the app").
_FACTLIKE = re.compile(
    r"\d|\b(?:the|this|these|those)\s+(?!(?:one|same|way|thing|time|point|end|fact)\b)[a-z]{3,}", re.IGNORECASE
)
# A rest that is an order not to do something reads as a scolding however calm its words
# ("Please don't chase it", "Stop asking"); one that offers a choice of no help ("or don't").
_SCOLDING_REST = re.compile(r"\W*(?:please\s+)?(?:don'?t|do not|never|stop)\b|.*\bor (?:don'?t|not)\b", re.I)
# A kept last clause that opens a condition or a reason needs what a cut tail took with it.
_OPENS_CONDITION = re.compile(r"\W*(?:if|when|while|once|unless|because|since|although|though|whereas)\b", re.I)
CUT_BAR = BAR  # a run of clauses this harsh alone is the put-down
CALM = 0.65  # a rest the model reads under this is calm enough to keep (a bare fact reads about 0.6)


def clause_cuts(body: str) -> list[str]:
    """A sentence the learned stage flagged whole, cut to its calm part: the scolding lead-in
    ("Let me spell this out for you: the charger is USB-C") or the blame tail ("the form
    arrived late, so that's on you to sort") dropped when the model reads that run of clauses
    as harsh alone and the rest, and each of its clauses, as calm. The run is at the start or
    the end and holds no number or thing the message names (a fact stays); the rest is a
    sentence of its own (it starts with no conjunction, preposition or subordinator, ends on
    no dangling condition, and is no order not to do something). The longest rest first;
    empty when no cut leaves one."""
    edges = [0]
    for match in _CUT_BREAK.finditer(body):
        if match.start() > 0 and match.end() < len(body):
            edges.append(match.end())
    if len(edges) < 2:
        return []
    pieces = [body[a:b] for a, b in zip(edges, [*edges[1:], len(body)], strict=True)]
    stop = body.rstrip()[-1:] if body.rstrip()[-1:] in ".!?" else ""
    stop = "." if stop == "?" else stop  # a question whose asking part went is a statement
    runs = [(0, k) for k in range(1, len(pieces))]  # a lead-in
    runs += [(k, len(pieces)) for k in range(1, len(pieces))]  # a tail
    scored: dict[int, float] = {}  # each clause scored once, and only when a run gets that far

    def clause_harshness(index: int) -> float:
        if index not in scored:
            scored[index] = _harshness(pieces[index].strip())
        return scored[index]

    out: list[str] = []
    for a, b in runs:
        cut = "".join(pieces[a:b]).strip().rstrip(",;:\u2014\u2013- ")
        kept = pieces[:a] + pieces[b:]
        rest = "".join(kept).strip().rstrip(",;:\u2014\u2013- ")
        if len(_CUT_WORD.findall(rest)) < 4 or not _CUT_WORD.search(cut) or _FACTLIKE.search(cut):
            continue
        if _SCOLDING_REST.match(rest) or _harshness(cut) < CUT_BAR:
            continue  # the cut must be the put-down: checked before any kept clause is scored
        if any(clause_harshness(i) >= CUT_BAR for i in (*range(a), *range(b, len(pieces)))):
            continue
        # what a cut lead-in leaves opening the sentence, past a name ("Mr Holt, but")
        after = kept[:2] if a == 0 else []
        if _DEPENDENT.match(kept[0]) or (len(after) > 1 and len(after[0].split()) <= 2 and _DEPENDENT.match(after[1])):
            continue
        if b == len(pieces) and _OPENS_CONDITION.match(kept[-1]):
            continue  # "If that's the tone we're taking" without what follows it
        rest = rest.rstrip(".!?") + stop
        if _harshness(rest) < CALM:
            out.append(rest[:1].upper() + rest[1:])
    return sorted(out, key=len, reverse=True)


def _harshness(text: str) -> float:
    return harshness(text, short=True)
