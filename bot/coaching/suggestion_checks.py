"""What reads broken, hollow or not the agent's own in a suggestion: the checks the rewriter
runs on every candidate, the LLM rewriter on the model's answer, and the suggestions' figures
(bot.coaching.rewrite_eval) count.

Every check is generic text inspection, so it works on any team's wording: splice debris
(doubled words, orphan quotes, a clause cut off its sentence), a hollow announcement instead
of a step, a next step (an owner, an action and an object near the end), a promise the agent
never made, and whether anything of the agent's own words came back.
"""

from __future__ import annotations

import re

from bot.coaching.facts import extract, missing
from bot.coaching.greetings import (
    CLOSING,
    GREETING_LEAD,
    GREETING_WORDS,
    INLINE_CLOSING,
    SIGN_OFF_WORDS,
    is_courtesy,
)
from bot.coaching.harsh import sentences
from bot.models import Analysis

_WORDS = re.compile(r"[a-z][a-z'-]{3,}")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _wordset(
    """this that with have from your about there their what when which would could should here them
    they will just been were into only also than then some more very much still thanks thank please
    sorry help happy know look take sort check send want need does don't didn't it's that's i'll
    i've i'm let's here's what's there's can't won't"""
)

# An announcement that promises content and never gives it, or a placeholder nobody filled.
HOLLOW = re.compile(
    r"here'?s (?:what (?:happened|i found|i suggest|i'd suggest|i can do|we can do|that means|is going on)"
    r"|how (?:we can|to) (?:fix|sort|get)|the (?:reason|quickest way|next step)|a quick summary)"
    r"[^.!?:\n]*(?:[.!?]|$)(?!\s*\S)"
    r"|here'?s (?:what|the reason|a quick summary)[^.!?:\n]*[.!]"
    r"|\[(?:time|date|name|link|x)\]",
    re.IGNORECASE,
)

# A next step: an owner ("I'll", "could you"...), an action verb, and an object after it.
_STEP = re.compile(
    r"\b(?:i'?ll|i will|i can|let me|we'?ll|we will|we can|could you|can you|would you|please"
    r"|if you|once you|reply with|just reply|feel free to|you can|you're welcome to|you are welcome to)\b"
    r"(?:\s+\w+){0,2}?\s+(?:check|send|retry|reset|look|re-?send|update|share|reply|confirm|try|open|tap|click|"
    r"restart|reinstall|set|add|remove|follow|walk|book|arrange|move|fix|find|sort|follow up|go|use|"
    r"enter|change|switch|choose|pick|order|cancel|forward|attach|call|contact|email|run|install|"
    r"download|upload|log|sign|track|let|tell|take|keep|get|make|review|ask|test|compare|read|watch|"
    r"see|point|pass|raise|escalate|refund|issue|apply|turn|plug|charge|pay|ship|print|paste|copy|re-?run|"
    r"retry|reissue|restore|resubscribe|register|recover|trace|chase|swap|test|open|release|reset)\w*"
    r"(?:\s+(?!it\b[.?!]|this\b[.?!])\S+(?:\s+\S+)?|\s+(?:it|this|them)\b)"
    r"|\bsend me (?:a|the|your)\s+\w+",
    re.IGNORECASE,
)

_VAGUE = re.compile(
    r"let (?:me|us) know if (?:anything|you have any)|if anything is still unclear|happy to (?:help|go through it)"
    r"(?:[.!]|$)|what (?:we|i) can do now"
    r"|^(?:i|we) can (?:see|tell|imagine|understand|hear)\b",  # "I can see you're upset": empathy, not a step
    re.IGNORECASE,
)

_DEFECTS: dict[str, re.Pattern[str]] = {
    "doubled word": re.compile(r"\b(\w{2,})\s+\1\b", re.IGNORECASE),
    "doubled punctuation": re.compile(r"[,;:]\s*[,;:.!?]|[.!?]\s+[.,;:!?](?!\w)|(?<![.])\.\.(?![.])"),
    "space before punctuation": re.compile(r"\w\s+[,.;](?![\w.])"),
    # two sentences spliced with no space between them: "Hi!I'm sorry" (full stops: see below)
    "glued sentences": re.compile(r"\b[A-Za-z][a-z]+(?:[!?]|['\"\u2019\u201d)][.!?])(?:I\b|[A-Z][a-z])"),
    "sentence starts mid-clause": re.compile(
        r"(?:^|[.!?:]\s+|\n)['\"“‘]?(?:and|or|but|nor|yet)\b"
        r"|(?:^|\n)\s*[\u2014\u2013,;]",
        re.IGNORECASE,
    ),
    # a clause opener left when its main clause was cut: "That you only had 30, the log shows..."
    "clause left from a cut": re.compile(
        r"(?:^|[.!?:]\s+|\n)['\"“‘]?(?:that\s+(?:you|we|i|they|he|she)\b(?!'|’)"
        r"|which\b[^?]*(?:[.!]|$))",
        re.IGNORECASE,
    ),
    # a reason whose main clause went: "Hi Rosa, as the case is closed." / "Because it was late."
    "reason without its clause": re.compile(
        r"(?:^|[.!?]\s+|\n|^\W*" + GREETING_WORDS + r"\s+[\w .'-]{1,30},\s+)"
        r"(?:as|because|since|so that)\s+[^,;:.!?\n]+[.!]",
        re.IGNORECASE,
    ),
    # an opening quote with nothing, or only a space, before the words: ': " This', '" "'
    "empty or spaced quote": re.compile(r"(?:^|(?<=[\s:]))[\"“](?:\s+(?=[\w\"”])|\s*[,;:.](?!\.))|[\"“]\s*[\"”]"),
    # an article whose noun a cut took: "You sound like a right now.", "for a who won't read"
    "article without its noun": re.compile(
        r"\b(?:a|an|the)\s+(?:[,.;:!?]|(?:right now|now|then|again|today|yet|who|which|to|of|and|or|but|is|are|was"
        r"|were)\b(?!-))",
        re.IGNORECASE,
    ),
    "empty single quotes": re.compile(r"(?<![\w'])''(?!')"),
    "emoji glued to a word": re.compile(r"[A-Za-z0-9]:[a-z0-9_+-]{2,}:"),
    "full stop after markup": re.compile(r"(?:>|```)\.(?!\w)"),
    "wrong article": re.compile(r"\b(?:[Aa]n\s+(?![aeiouhAEIOUH]|[A-Z]{2})[A-Za-z]|[Aa]\s+[aeioAEIO][a-z])"),
    "placeholder": re.compile(r"\[(?:time|date|name|link|x|\.\.\.)\]", re.IGNORECASE),
    "lower-case sentence start": re.compile(r"(?:^|[.!?]\s+)[a-z]"),
    "no space after a full stop": re.compile(r"(?:[a-z]{2}|\d)[.!?](?:[A-Z][a-z]|[a-z]{2}|I\b|I')"),
    # two sentences run together where a cut took the full stop: "the plan was ending Had you"
    "missing full stop": re.compile(
        r"\b[A-Za-z]*[a-z]{2}\s+(?:Had|If|The|This|That|We|You|It|Our|Please|Could"
        r"|Can|Thanks|Thank|Sorry|When|Let|There)\b(?![-'’]\w)"
    ),
    # A cut that left a word waiting for what was cut: "told him to and read", "so if it's gone."
    "dangling word": re.compile(
        r"\b(?:to|the|a|an|of|with|for|from)\s+(?:and|or|but)\b"
        r"|\b(?:to|the|a|an|of|with|for|from)[.!?]"
        r"|\b(?:if|when|unless)\s+(?:it'?s|it is|you'?re|you are)\s+\w+[.!?]"
    ),
}

_CAPITAL_AFTER_COMMA = re.compile(r",\s+([A-Z][a-z]+)")


def defects(original: str, candidate: str, open_condition: bool = False) -> list[str]:
    """What reads broken in ``candidate`` and was not already so in ``original``.

    ``open_condition``: a last sentence that is a bare condition ("If the courier left it at
    the wrong door.") is not broken, because the next step will complete it (``ends_open``)."""
    found = [
        name for name, pattern in _DEFECTS.items() if len(pattern.findall(candidate)) > len(pattern.findall(original))
    ]
    if any(not capital_allowed(word, original) for word in _CAPITAL_AFTER_COMMA.findall(candidate)):
        found.append("capital after a comma")
    if _fragments(candidate, open_condition) - _fragments(original):
        found.append("fragment sentence")
    if _bad_objects(candidate) - _bad_objects(original):
        found.append("step object is not a noun phrase")
    prefix = _PREFIX.match(original)
    if (
        prefix
        and re.match(r"\W*" + prefix.group("word") + r"\b", candidate, re.IGNORECASE)
        and not re.match(  # "reply to Mr. Dahl:": a title's full stop is part of the label
            r"\W*" + prefix.group("word") + r"\b(?:\b(?:Mrs|Mr|Ms|Dr|Mx)\.|[^:\n.!?,]){0,40}:", candidate, re.IGNORECASE
        )
    ):
        found.append("lost prefix colon")
    for mark in ('"', "```"):
        if candidate.count(mark) % 2 and not original.count(mark) % 2:
            found.append(f"orphan {mark}")
    if candidate.count("`") % 2 and not original.count("`") % 2:
        found.append("broken code")
    if candidate.count("“") != candidate.count("”") and original.count("“") == original.count("”"):
        found.append("orphan curly quote")
    orphan = re.compile(r"(?:(?<=\s)|^)'(?=\s|$)|(?<=[.!?,])'(?=\s|$)")
    if len(orphan.findall(candidate)) > len(orphan.findall(original)):
        found.append("orphan '")
    if candidate.count("<") - candidate.count(">") != original.count("<") - original.count(">"):
        found.append("broken markup")
    if _opened_quotes(candidate) and not _opened_quotes(original):
        found.append("unclosed '")
    if _closed_quotes(candidate) and not _closed_quotes(original):
        found.append("closing ' never opened")
    if _repeats(candidate) - _repeats(original):
        found.append("repeated sentence")
    if _ANSWERED_NO.search(original) and _HOPE.search(candidate) and not _HOPE.search(original):
        found.append("step contradicts the answer")
    if _only_courtesy_kept(original, candidate):
        found.append("nothing left but courtesy")  # "Kind regards, Support Team" says nothing
    return found


def _only_courtesy_kept(original: str, candidate: str) -> bool:
    """Is all that is left of the agent's message its courtesy ("Kind regards, Support Team")?
    The coach's own opening sentences ("Thanks for staying with me on this.") are not leftovers."""
    kept = sentences(candidate)
    return all(is_courtesy(sentence) and sentence.strip() in original for sentence in kept) and not courtesy_only(
        original
    )


def courtesy_only(text: str) -> bool:
    """Is every sentence a greeting, a sign-off, a thank-you or a well-wish (is_courtesy)?"""
    return all(is_courtesy(sentence) for sentence in sentences(text))


def _opened_quotes(text: str) -> int:
    """Single quotes opened (after a space, colon or bracket) minus those closed; apostrophes
    inside words ("We're") are neither."""
    opened = len(re.findall(r"(?:^|(?<=[\s:(]))'(?=\w)", text))
    closed = len(re.findall(r"(?<=[\w.!?,])'(?=[\s.,;:!?)]|$)", text))
    return max(0, opened - closed)


def _closed_quotes(text: str) -> int:
    """Single quotes closed (after a word, before a space or a stop) that no quote opened."""
    opened = len(re.findall(r"(?:^|(?<=[\s:(]))'(?=\w)", text))
    closed = len(re.findall(r"(?<=[\w.!?,])'(?=[\s.,;:!?)]|$)", text))
    return max(0, closed - opened)


def _repeats(text: str) -> set[str]:
    """Sentences (of two words or more) said twice, and thanks said twice: "Thank you. ... Thank you."."""
    seen: set[str] = set()
    out: set[str] = set()
    for sentence in sentences(CLOSING.sub("", text)):
        plain = re.sub(r"\W+", " ", sentence).strip().casefold()
        key = "thanks" if re.match(r"(?:thanks|thank you)\b", plain) else plain
        if len(plain.split()) >= 2 or key == "thanks":
            if key in seen:
                out.add(key)
            seen.add(key)
    return out


# The message's own answer is no (not covered, not possible, the window has closed, the matter
# is concluded) ...
_ANSWERED_NO = re.compile(
    r"\b(?:isn't|is not|aren't|are not|wasn't|was not|not|never)\s+(?:\w+\s+)?"
    r"(?:covered|eligible|refundable|possible|available|included|valid|returnable|going to happen)\b"
    r"|\b(?:can't|cannot|can not|unable to|won't|will not|don't|do not)\s+(?:\w+\s+)?"
    r"(?:refund|cover|replace|extend|reopen|offer|accept|assist|help|dispatch|reverse|change)\b"
    r"|\b(?:window|deadline|period|offer|promotion|sale)(?:'s|’s| is| has| was)\s+(?:now\s+)?"
    r"(?:closed|over|ended|expired|passed)\b"
    r"|\b(?:has been|is|was)\s+(?:now\s+)?(?:concluded|closed|final)\b|\bhard no\b"
    r"|\b(?:can't|cannot|can not|won't)\s+be\s+(?:refunded|changed|reversed|extended|exchanged|transferred|reissued)\b"
    r"|\bnon-?(?:refundable|transferable|returnable|exchangeable)\b",
    re.IGNORECASE,
)

# ... so a step must not hold out hope of another answer: "so I can check what the warranty covers".
_HOPE = re.compile(
    r"\b(?:check|see|look at)\s+(?:what|whether|if)\b[^.!?]{0,30}?"
    r"\b(?:covers?|covered|leaves?|options?|possible|applies|apply|else|do|there(?:'s|’s| is| are))\b"
    r"|\bcheck the options\b|\banother way\b",
    re.IGNORECASE,
)

_PREFIX = re.compile(
    r"^\s*(?:[*_>]+\s*)?(?P<word>sending|reply|replying|sent|draft|drafted|response|macro)\b"
    r"[^:\n'\"]{0,40}:",
    re.IGNORECASE,
)

# What a one- or two-word sentence may be: a greeting, a sign-off, a thanks, a yes or no.
_SHORT_OK = re.compile(
    r"^(?:" + GREETING_WORDS + "|" + SIGN_OFF_WORDS + "|sorry|apologies|ok|okay|sure|yes|no|yep|nope|great|perfect"
    r"|done|noted|understood|welcome|please|morning|of course|absolutely|certainly|no problem|got it|fair enough"
    r"|right|fine|update|note|p\.?s|bye|goodbye|good luck|see you)\b",
    re.IGNORECASE,
)

_PREPOSITION_START = re.compile(r"^(?:in|on|at|for|of|with|from|by|to|into|like|than|as|about)\b", re.IGNORECASE)


def _fragments(text: str, open_condition: bool = False) -> set[str]:
    """Sentences that are splice debris: one or two words that are no greeting, thanks, sign-off
    or answer ("R household."), or a short verbless run opening with a preposition ("In the
    trade."). The sign-off and any greeting are left out; a name or an id on its own is fine."""
    out = set()
    for sentence in sentences(CLOSING.sub("", text)):
        plain = GREETING_LEAD.sub("", sentence.strip(), count=1).strip(" '\"“”‘’_*`>()-\u2014.!,;:")
        words = re.findall(r"[A-Za-z][\w'’-]*|\d[\w./-]*", plain)
        if not words or _SHORT_OK.match(plain) or plain.endswith("?"):
            continue
        if any(w[0].isdigit() or (w[0].isupper() and i) for i, w in enumerate(words)):
            continue  # "Ticket 4471.", "Order A-7731": an id or a name standing alone
        if len(words) == 1 and words[0][0].isupper() and len(words[0]) > 2:
            continue  # a name on its own line ("Kwan,")
        if len(words) <= 2 or (len(words) <= 4 and _PREPOSITION_START.match(plain)):
            out.add(plain.casefold())
    said = sentences(CLOSING.sub("", text))
    for number, sentence in enumerate(said):
        plain = sentence.strip().strip(" '\"“”‘’_*`>()")
        if plain.endswith("?") or (open_condition and number == len(said) - 1 and ends_open(plain)):
            continue
        bare = _LABEL_LEAD.sub("", plain, count=1)
        bare = _VOCATIVE_LEAD.sub("", GREETING_LEAD.sub("", bare, count=1).strip(), count=1).strip()
        if _DANGLING.search(bare) or (_UNCONDITIONED.search(bare) and not _CONDITION.search(bare)):
            out.add(bare.casefold())
    return out


# A sentence a cut left without its main clause: a condition with no outcome ("If you can't
# read the sign."), a bare "that"-clause, a prepositional run after a name ("Ms Jensen, by
# email and in chat."), a last word that needs more ("I see the problem, however."), or an
# outcome whose condition went ("It'd still be active.").
_SUBORDINATORS = (
    "before",
    "after",
    "when",
    "until",
    "while",
    "that",
    "where",
    "since",
    "unless",
    "as",
    "if",
    "because",
)
# No main clause after the condition: no later subject or imperative ("If it's late, call us",
# "If you don't need it you can cancel" have one), a subordinate clause's aside ("before you
# got there") not counting.
_NO_MAIN_CLAUSE = (
    r"\b(?!(?:\s+\S+){2,}?\s+"
    + "".join(f"(?<!{w}\\s)" for w in _SUBORDINATORS)
    + r"(?:i|i'll|i'd|i'm|you|we|we'll|they|he|she|there's|there is|there are|please|maybe|then|just|try|call|let"
    r"|it's|it is|it looks|it will|it'll|it may|it might|it should|that's|this is)\b)[^,;:\u2014\u2013]*[.!]?$"
)
_BARE_CONDITION = r"^(?:if|because|since|although|though|unless|whereas|whilst)" + _NO_MAIN_CLAUSE
_DANGLING = re.compile(
    _BARE_CONDITION + r"|^that\s+(?:the|a|an|you|your|it|they|we|he|she|this|there)\b"
    r"|^(?:by|in|on|at|with|via|from)\s+[^,;:.!?]*(?:\s+and\s+[^,;:.!?]*)?[.!]?$"
    r"|\b(?:however|and|but|or|nor|the|a|an|because|than|your|my|our|their|of)[.!]?$"
    r"|(?<!happy )(?<!glad )(?<!love )(?<!like )(?<!want me )\bto[.!]?$",
    re.IGNORECASE,
)
_OPEN_CONDITION = re.compile(r"^if" + _NO_MAIN_CLAUSE, re.IGNORECASE)
_UNCONDITIONED = re.compile(r"^(?:it|that|this|you|we|they)(?:'d|’d|\s+would)\s+(?:still|have|never|already)\b", re.I)
_CONDITION = re.compile(r"\b(?:if|had|otherwise|unless|were|without)\b", re.IGNORECASE)
_LABEL_LEAD = re.compile(r"^[A-Za-z]+(?:\s+[\w#@<>.-]+){0,3}\s*:\s+")  # "Sending:", "reply to #3312:"
_VOCATIVE_LEAD = re.compile(r"^(?:(?:Mrs|Mr|Ms|Dr|Mx)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?,\s*")


def ends_open(text: str) -> bool:
    """Does the text end on a bare "If ..." condition, which a step can complete ("If the
    courier left it at the wrong door, could you send me a photo of the delivery note?")?"""
    said = sentences(INLINE_CLOSING.sub("", CLOSING.sub("", text).strip()).strip())
    if not said:
        return False
    last = GREETING_LEAD.sub("", _LABEL_LEAD.sub("", said[-1].strip(), count=1), count=1).strip()
    return _OPEN_CONDITION.search(last) is not None and _REPROACHING_CONDITION.search(last) is None


# A condition that reproaches rather than states a case ("If you can't read the sign", "If
# that's too much", "If Sam had listened"): no step can complete it into something kind.
_REPROACHING_CONDITION = re.compile(
    r"^if\s+(?:\S+\s+){0,2}?(?:can't|cannot|can not|don't|do not|won't|will not|didn't|did not|wouldn't"
    r"|had\s+\w+|'d\s+\w+|’d\s+\w+|would\s+\w+)\b|\btoo\s+(?:much|hard|difficult|complicated)\b",
    re.IGNORECASE,
)


def capital_allowed(word: str, original: str) -> bool:
    """A capital after a comma is fine where the original had it there, or for a name (a word
    the original capitalised mid-sentence); "Hi Lewis, Thanks" is a capital the cut left."""
    if re.search(r",\s+" + re.escape(word) + r"\b", original):
        return True
    if word in _NEVER_A_NAME:
        return False
    for match in re.finditer(r"\b" + re.escape(word) + r"\b", original):
        before = original[: match.start()].rstrip(" '\"“‘*_")
        if before and before[-1] not in ".!?:\n":
            return True
    return False


_NEVER_A_NAME = _wordset(
    "Thanks Thank Please Sorry Hi Hello Hey The That This It There We You Your Our If When Could Can Let"
)

# An object slot in a step or opener that caught no noun phrase: "check the scooter overnight like".
_OBJECT_SLOT = re.compile(
    r"\b(?:check|about|of|with|through)\s+((?:the|your|our|this|that)(?:\s+[\w'’-]+){1,5}?)"
    r"(?=\s+and tell me|\s+still\s+(?:isn't|doesn't|looks)|,\s+so I can|\s+gave you trouble|\s+together\b"
    r"|\s+one step at a time|;\s+let's)",
    re.IGNORECASE,
)

_NOT_HEAD = _wordset(
    """a an the and or but so if then than that this these those to of in on at by for from with like as is
    are was were be been do does did have has had will would can could should may might must not no it
    its they them we us you your he she him her i me my our their again back away out up down off once
    twice very too also just only even still here there now today yesterday tomorrow rather though tho
    anyway lol"""
)


def _bad_objects(text: str) -> set[str]:
    out = set()
    for match in _OBJECT_SLOT.finditer(text):
        words = [w.lower().strip("'’") for w in match.group(1).split()]
        if _RELATIVE.intersection(words[1:]):
            continue  # "the page you're on": a relative clause, a noun phrase all the same
        last = words[-1]
        if (
            last in _NOT_HEAD
            or last.endswith(("'s", "’s"))
            or (last.endswith("ly") and len(last) > 5 and last not in _LY_NOUNS)
            or (last.endswith("ed") and len(last) > 4 and last not in ("need", "feed", "speed", "seed"))
        ):
            out.add(match.group(1).casefold())
    return out


_RELATIVE = _wordset("you you're you've i i'm we we're they they're he she it's")

_LY_NOUNS = _wordset("reply supply family assembly anomaly rally jelly belly ally italy bully")


def body(text: str) -> str:
    """The text without its greeting and sign-off."""
    text = CLOSING.sub("", text)
    return GREETING_LEAD.sub("", text, count=1)


def content_words(text: str) -> set[str]:
    return {w for w in _WORDS.findall(text.lower()) if w not in _STOP}


def own_words(original: str, analysis: Analysis) -> set[str]:
    """The agent's content words outside the flagged spans, greeting and sign-off."""
    kept = list(original)
    for finding in analysis.findings:
        kept[finding.start : finding.end] = " " * (finding.end - finding.start)
    return content_words(body("".join(kept)))


def stock_only(original: str, analysis: Analysis, suggestion: str) -> bool:
    """True when the agent wrote something besides the flagged words and the suggestion shares
    none of it (no word, no fact): nothing but rule-file text (plus the greeting) came back."""
    own = own_words(original, analysis)
    if not own:
        return False
    if content_words(body(suggestion)) & own:
        return False
    greeting = GREETING_LEAD.match(original)
    facts = [f for f in extract(original, analysis) if not greeting or f.start >= greeting.end()]
    return not facts or len(missing(facts, body(suggestion))) == len(facts)


def hollow(text: str) -> bool:
    return HOLLOW.search(text) is not None


def last_sentences(text: str, count: int = 2) -> str:
    text = INLINE_CLOSING.sub("", CLOSING.sub("", text).strip()).strip()  # "Have a great night!" is no step
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return " ".join(parts[-count:])


def has_next_step(text: str) -> bool:
    """An owner, an action and an object near the end, and not a vague offer or a placeholder."""
    tail = last_sentences(text)
    if hollow(tail):
        return False
    return any(not _VAGUE.search(m.group(0)) for m in _STEP.finditer(tail)) or bool(
        re.search(r"\b(?:could|can|would) you\b[^?]{6,}\?", tail, re.IGNORECASE)
    )


# What a rule file's stock sentence may not add: a handoff, refund, deadline or follow-up the
# agent never offered.
PROMISE = re.compile(
    r"another team|pass (?:it|this) (?:on|to)|hand(?:ing)? (?:it )?(?:off|over)|escalat|refund|follow up"
    r"|get back to you|introduction|\[\w+\]|by (?:today|tomorrow|monday|friday)",
    re.IGNORECASE,
)
