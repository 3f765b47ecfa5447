"""The things a flagged message names that a suggestion can point at ("the setup page", "the
refund"): its noun phrases, minus people, the conversation itself, counts and verdicts, and
minus any phrase the rules flag. Openers, next steps and reflections name them.
"""

from __future__ import annotations

import re

from bot.coaching import segments
from bot.coaching.detect import detect
from bot.coaching.facts import NOT_NOUN, Fact, extract
from bot.coaching.greetings import is_courtesy
from bot.coaching.learned import is_learned
from bot.coaching.rules import RuleSet
from bot.models import Analysis


def _words(text: str) -> list[str]:
    return text.split()


# The head of a phrase that is no object to check or ask about: a person (the customer is not
# a thing to look at) or the conversation itself ("the answer", "the premise").
_NOT_OBJECT = frozenset(
    _words(
        "customer customers user users client clients guy guys lady ladies man men woman women people person "
        "folks crowd agent agents caller callers humans human kid kids someone everyone anyone one ones boomer "
        "boomers guest guests gentleman owner owners buyer buyers member members staff team manager patient "
        "tenant passenger driver reseller answer answers question questions premise decision conversation story "
        "attitude tone point reason complaint matter facts lot least same classic highest whole usual entire "
        "only latest responsibility expectations avoidance death bother difference outcome moment night week day "
        "use doubt award upside last sort kind type language messenger word words month year hour minute today "
        "frustration feelings patience rep reps receptionist operator technician mod dude bro boss director "
        "employee employees colleague parent mum dad son daughter wife husband friend neighbour talent business "
        "engineer engineers rider riders grandson granddaughter child children baby world thread chat call message "
        "messages reply note admin admins keyboard chair system systems"
    )
)

# Words a noun phrase picked up from the clause around it: "the docs really", "the router three".
_NOT_TAIL = frozenset(
    _words(
        "rather himself herself themselves itself yourself yourselves open down out up off away again once twice "
        "two three four five means because his her guy wont like back"
    )
)

# A verb that ends the subject it follows: "the headset pairs fine", "the server logs disagree".
_VERB_AFTER = frozenset(
    _words(
        "pairs works worked stands shows says said disagree disagrees agree agrees ends ended went goes looks seems "
        "needs means takes makes gets runs ran arrives arrived stays stayed exists applies applied covers covered "
        "lists states stated expires expired closes closed opens opened fails failed"
    )
)

# What follows a verb but not a plural noun: "the chair strikes again", "the refund takes 5-7 days"
# (while "the router settings are…" keeps its settings).
_AFTER_A_VERB = re.compile(
    r"\s+(?:\d|(?:the|a|an|your|my|our|his|her|their|this|that|again|up|down|out|off|back"
    r"|because|when|every|all|at|tomorrow|today|tonight|soon|later|overnight)\b)",
    re.IGNORECASE,
)

_PRONOUN_WORDS = frozenset(
    _words("i i'm i've you you're you've we we're they they're he he's she she's it it's me him them us")
)

_EST_NOUNS = frozenset(_words("test tests request requests interest contest chest forest rest digest protest"))

_NUMBER_WORD = frozenset(
    _words("one two three four five six seven eight nine ten twice first second third fourth fifth")
)

# "our" is not among them: "our warehouse", "our terms", "our system" are ours to check, not
# things a customer can look at or an acknowledgement can be about
_DETERMINER = frozenset(_words("the your this that these those"))

_COMPLEMENT_VERB = re.compile(
    r"\b(?:keep|keeps|kept|keeping|make|makes|made|making|stay|get|got|leave|left)\s+$", re.IGNORECASE
)


def thing_named(text: str, fact: Fact) -> str:
    """The fact's noun phrase as a thing to name ("the refund takes 5-7 days" -> "the refund"),
    or "" when it names a person, the conversation, a count, or no clear thing."""
    words = [w.strip("'\"’”") for w in fact.text.split() if w.lower() != "own"]
    if not words or words[0].lower() not in _DETERMINER or any(w.lower() in _NUMBER_WORD for w in words[1:]):
        return ""  # "this four different ways", "the third time": a count, not a thing
    follows = text[fact.end :]
    if (
        len(words) == 2
        and words[0].lower() in ("this", "that", "it")
        and _COMPLEMENT_VERB.search(text[max(0, fact.start - 20) : fact.start])
    ):
        return ""  # "keep this civil", "make that quick": what the thing should be, not a thing
    cut = next(
        (i for i, w in enumerate(words) if i >= 2 and (w.lower() in _VERB_AFTER or re.search(r"'(?:d|ll|ve|re)$", w))),
        len(words),
    )
    verb_found = cut < len(words)
    if verb_found:  # "the headset pairs fine", "the renewal notice he'd…"
        words, follows = words[:cut], " " + words[cut]
    while len(words) > 2 and (words[-1].lower() in _NOT_TAIL or words[-1].lower().endswith("ly")):
        words, follows = words[:-1], " " + words[-1]
    if re.match(r"\s+of\b", follows):
        return ""  # "the top of the page", "that sort of language": the thing comes after "of"
    last = words[-1].lower()
    if (
        not verb_found
        and len(words) > 2
        and _AFTER_A_VERB.match(follows)
        and last.endswith("s")
        and not last.endswith(("ss", "us", "'s", "’s"))
    ):
        words = words[:-1]  # "the chair strikes again": the verb of the clause, not part of the thing
    last = words[-1].lower()
    verb_like = last.endswith("ing") or (len(words) == 2 and last.endswith("s") and not last.endswith(("ss", "us")))
    if words[0].lower() in ("this", "that") and verb_like:
        return ""  # "that falls outside…", "that expecting…": a pronoun or a conjunction, not a determiner
    if any(
        w.lower() in _PRONOUN_WORDS
        or w.lower() in ("worst", "best", "same")
        or (w.lower().endswith("est") and w.lower() not in _EST_NOUNS)
        for w in words[1:]
    ):
        return ""  # "that she's misreading", "the dumbest", "the same place": a clause, a verdict, a callback
    following = re.match(r"\s+([A-Za-z][\w'-]*)", follows)
    if (
        len(words) == 4
        and following
        and following.group(1).lower() not in NOT_NOUN
        and not (following.group(1).lower().endswith("ed") and len(following.group(1)) > 4)
    ):
        return ""  # "the Harbourside Hotel front [desk]": cut off at the phrase's length limit
    if (
        len(words) < 2
        or last in _NOT_OBJECT
        or last in _NOT_TAIL
        or last.endswith(("'s", "’s"))
        or len(last) < 3
        or last.endswith(("ly", "ed"))
    ):
        return ""
    phrase = " ".join(words)
    return phrase[0].lower() + phrase[1:] if phrase[:1].isupper() and not phrase[1:2].isupper() else phrase


def whole_sentence(rule_id: str) -> bool:
    """A finding that spans the whole sentence (the learned stage, an LLM judge), not a phrase."""
    return is_learned(rule_id) or rule_id == "llm-judge"


def objects_named(text: str, analysis: Analysis, rules: RuleSet | None = None) -> list[str]:
    """Noun phrases of the message the customer could look at: those outside the findings
    (near a finding first), then those inside a finding that spans a whole sentence (the
    learned stage flags "the price is the price" whole, and the price is still the subject);
    never the words a rule matched, a person, a phrase the rules flag, or the object of a
    courtesy ("your understanding" in "Thank you for your understanding.")."""
    courtesy = [(a, b) for a, b in segments.sentence_spans(text) if is_courtesy(text[a:b])]
    outside = [
        f for f in extract(text, analysis) if f.kind == "phrase" and not any(a <= f.start < b for a, b in courtesy)
    ]
    near = {f.start for f in analysis.findings}
    outside.sort(key=lambda f: min((abs(f.start - s) for s in near), default=0))
    matched = [(f.start, f.end) for f in analysis.findings if not whole_sentence(f.rule)]
    inside = [
        f
        for f in extract(text, skip=matched)
        if f.kind == "phrase" and f not in outside and not any(a <= f.start < b for a, b in courtesy)
    ]
    out: list[str] = []
    for fact in [*outside, *inside]:
        phrase = thing_named(text, fact)
        if not phrase or phrase in out or (rules is not None and detect(phrase, rules, model=None).flagged):
            continue
        out.append(phrase)
    return out
