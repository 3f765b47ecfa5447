"""A reflection instead of a rewrite: a question for the agent about what tripped the customer
up, in the message's own words (the struggle it names, the cause, what the note is about),
then how to stop it recurring. For a put-down in team chatter, and whenever nothing sendable
passes the engine.
"""

from __future__ import annotations

import re

from bot.coaching.detect import detect
from bot.coaching.facts import Fact, extract
from bot.coaching.harsh import shape_of
from bot.coaching.named_things import objects_named, thing_named
from bot.coaching.rewrite_case import Case
from bot.coaching.rules import RuleSet
from bot.models import Analysis

_STRUGGLE = re.compile(
    r"\b(?:couldn'?t|could not|can'?t|cannot|didn'?t|did not|unable to|failed to|forgot to|no idea how to)\s+"
    r"(?:even\s+|figure out how to\s+|work out how to\s+|manage to\s+)?"
    r"(?P<verb>find|see|locate|open|read|follow|use|reset|set up|install|update|restart|log in(?: to)?|sign in(?: to)?"
    r"|understand|notice|plug in|turn on|switch on|charge|scroll|click|tap|select|enter|type|spot|pick)\s+"
    r"(?P<object>(?:the|their|his|her|a|an|its|which)\s+[a-z0-9][a-z0-9 '-]{1,40}?)"
    r"(?=[.,;!?)]|\s+(?:and|but|so|because|lol|again|smh|on|in|for|at|before|after|until)\b|$)",
    re.IGNORECASE,
)

# Last resorts when no reflection of the category, topic or put-down kind fits the message.
LAST_REFLECTIONS = (
    "What got in their way here?",
    "Which step lost them, and could the guide show it better?",
    "Where did the steps stop making sense for them?",
)


def reflection(case: Case) -> str:
    """A question about what tripped the customer up, in the message's own words: the struggle
    ("couldn't find the power button"), the cause the note names ("she had caps lock on"), or
    what the note is about (an account, a product, a ticket), then how to stop it recurring."""
    text, analysis, rules, strategies = case.text, case.analysis, case.rules, case.strategies
    topic = case.topic
    fix = topic.fix if topic is not None and topic.fix else case.pick(strategies.fix, "fix")
    templates = strategies.reflection
    groups: list[list[str]] = []  # most specific first; the message's text orders each group

    def add(kind: str, **slots: str) -> None:
        groups.append([t.format(fix=fix, **slots) for t in case.rotated(templates.get(kind, ()), kind)])

    struggle = _STRUGGLE.search(text)
    if struggle:
        subject = struggle.group("object").strip(" '-")
        subject = re.sub(r"^(?:their|his|her|a|an|its|which)\s+", "the ", subject, flags=re.IGNORECASE)
        add("with_subject", subject=subject, verb=struggle.group("verb").lower())
    cause = _CAUSE.search(text)
    if cause and not any(cause.start() < f.end and f.start < cause.end() for f in analysis.findings):
        clause = cause.group(0).strip()
        clause = re.sub(r"^(?:the )?(?:customer|user|client)\b", _the_customer, clause, flags=re.IGNORECASE)
        add("with_cause", cause=clause)
    category = case.category
    subject, kind = _about(text, analysis, rules)
    things = [thing for thing in objects_named(text, analysis, rules) if thing.split()[0].lower() != "your"]
    if category != "disparaging":
        # a note that blames, argues or brushes off: the question is about that, not about what
        # confused the customer, and names what the note is about when it can
        about = (subject if kind == "phrase" else "") or (things[0] if things else topic.name if topic else "")
        if about:
            add("about_" + category, subject=about)
        add("plain_" + category)
    if subject and kind == "phrase":
        add("with_about", subject=subject)
    clause = _own_clause(text, analysis)
    if clause:
        add("with_words", clause=clause)
    if subject and kind != "phrase":
        add("with_name", subject=subject)
    if not subject and things:
        # the thing the note is about, even inside the put-down ("…let near the self-checkout kiosks")
        add("with_about", subject=things[0])
    if topic is not None:
        add("with_topic", subject=topic.name)
    put_down = next((p for p in strategies.put_downs if p.fits(text, analysis)), None)
    if put_down is not None:  # what this kind of put-down hides ("user error": which step went wrong?)
        groups.append([t.format(fix=fix) for t in case.rotated(put_down.prompts, "put_down")])
    add("plain")
    ordered = [option for group in groups for option in group]
    ordered.append(rules.categories[category].reflection)
    ordered += LAST_REFLECTIONS  # the model reads some plain questions as harsh: more than one to fall back on
    for option in ordered:
        if option and case.sendable(option):
            return option
    return LAST_REFLECTIONS[-1]


def _the_customer(match: re.Match[str]) -> str:
    word = match.group(0).lower()
    return word if word.startswith("the ") else "the " + word


# "she had caps lock on", "customer had wifi switched off", "the screen was just asleep".
_CAUSE = re.compile(
    r"\b(?:she|he|they|the customer|customer|the user|user|client|the client|(?:the|their|his|her) \w+)"
    r"\s+(?:had|was|were|left|kept|forgot|used|picked|chose|typed|entered|selected|ordered|"
    r"never|didn't|did not|hadn't)\s+[^.,;!?\n]{3,50}?(?=[.,;!?\n]|\s+(?:lol|smh|again|tbh|haha)\b|$)",
    re.IGNORECASE,
)

_FILLER = re.compile(
    r"\b(?:lol|lmao|smh|tbh|haha|ngl|again|yep|yeah|ok|okay|anyway|honestly|closing|resolved)\b|[^\w\s'’$#%.-]",
    re.IGNORECASE,
)


def _own_clause(text: str, analysis: Analysis) -> str:
    """The note's own words about the case (a clause with no finding in it), to quote back."""
    best = ""
    for match in re.finditer(r"[^,;:.!?\n()\u2014\u2013]+", text):
        if any(match.start() < f.end and f.start < match.end() for f in analysis.findings):
            continue
        if "<" in match.group(0) or "`" in match.group(0) or "&" in match.group(0):
            continue
        if re.search(r"(?:^|\s)['‘“\"]\w+['’”\"]", match.group(0)) or shape_of(match.group(0)) is not None:
            continue  # a word in scare quotes ("our 'star' client") or a harsh shape: the jab, not the case
        words = _FILLER.sub(" ", match.group(0)).split()
        content = [w for w in words if len(w) > 3]
        if len(content) >= 2 and len(words) <= 12 and len(" ".join(words)) > len(best):
            best = " ".join(words)
    return best


def _scare_quoted(text: str, fact: Fact) -> bool:
    """A name the note puts in quotes anywhere ("our 'VIP' client"): sarcasm, not what it is about."""
    return re.search("['‘\"“]" + re.escape(fact.text) + "['’\"”]", text) is not None


_TITLE = re.compile(r"(?:Mr|Mrs|Ms|Mx|Dr|Miss|Sir)\.?")
_AFTER_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Dr|Miss|Sir)\.?\s*$")


def _about(text: str, analysis: Analysis, rules: RuleSet) -> tuple[str, str]:
    """What a chatter note is about: "the Orchard account", "Tillman Sports", "ticket 88012"."""
    found = extract(text, analysis)

    def thing(fact: Fact) -> str:  # a thing, not a person or a put-down ("the hotel guest", "the PICNIC")
        named = thing_named(text, fact)
        return "" if not named or detect(named, rules, model=None).flagged else named

    for fact in found:
        if fact.kind == "phrase" and any(w[:1].isupper() for w in fact.text.split()[1:]) and thing(fact):
            return fact.text[0].lower() + fact.text[1:], "phrase"
    # a person by title ("Mr. Patterson") is who the note is about, not a thing that tripped them up
    names = [
        f
        for f in found
        if f.kind == "name"
        and not _scare_quoted(text, f)
        and not _TITLE.fullmatch(f.text)
        and not _AFTER_TITLE.search(text, 0, f.start)
    ]
    if names:
        run = [names[0]]
        for fact in names[1:]:
            if re.fullmatch(r"\s*(?:&|and|of)?\s*", text[run[-1].end : fact.start]):
                run.append(fact)
            else:
                break
        return text[run[0].start : run[-1].end], "name"
    for fact in found:
        if (
            fact.kind == "phrase"
            and fact.text.split()[0].lower() in ("the", "this", "that")
            and fact.text.split()[-1].lower() not in ("definition",)
            and (named := thing(fact))
        ):
            return named, "phrase"
    for fact in found:
        if fact.kind == "number":
            before = re.search(r"(?:ticket|order|case|line|account|invoice)\s*$", text[: fact.start], re.IGNORECASE)
            if before or fact.text.startswith("#") or sum(c.isdigit() for c in fact.text) >= 4:
                return (before.group(0) if before else "") + fact.text, "name"
    return "", ""
