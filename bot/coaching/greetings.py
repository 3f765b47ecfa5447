"""The one greeting pattern and the one sign-off pattern, built from prompts/greetings.toml.

Detection (a greeting makes a message a reply), the rewriter (it keeps a message's greeting and
sign-off around an edit), its scorer and the facts a rewrite keeps must agree on what a
greeting and a sign-off are, so the words are data and the patterns are built here, from the
same lists. The file is read once, on import; a broken one is a RuleError naming it.

``GREETING_WORDS`` / ``SIGN_OFF_WORDS``: each list as one regex group ("good morning" and
"good evening" become ``good (?:morning|evening)``), for the patterns that embed one (context's
reply cue, the scorer's short sentences, the names facts keep, the rewriter's "Hi Name, "
capital). ``GREETING``: a greeting opening a line, a quote or a draft (detection's;
``has_greeting``). ``GREETING_LEAD``: a message's opening greeting with the name and the comma
after it ("Hi Sam, "). ``CLOSING``: what a rewrite keeps after its last sentence: a sign-off,
a closing line, or a bare name.

Two readers keep a narrower greeting list, each saying why: the audience check
(bot.coaching.audience) and what a rewrite keeps of a message's opening (bot.coaching.splice).
Not greetings in this sense: context's reply prose ("thank you for contacting us"), and
prompts/redaction.toml's list of what a name may follow, which is wider on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.prompts import PROMPTS_DIR, RuleError, read_toml

GREETINGS_FILE = PROMPTS_DIR / "greetings.toml"


def alternation(phrases: list[str] | tuple[str, ...]) -> str:
    """``(?:a|b|...)`` of the phrases, in order, spaces as written; phrases that share their
    first word with the next ones ("good morning", "good evening") share one group."""
    parts: list[str] = []
    index = 0
    while index < len(phrases):
        first, _, rest = phrases[index].partition(" ")
        tails = [rest] if rest else []
        following = index + 1
        while rest and following < len(phrases) and phrases[following].partition(" ")[0] == first:
            tails.append(phrases[following].partition(" ")[2])
            following += 1
        if len(tails) > 1 and all(tails):
            parts.append(re.escape(first) + " (?:" + "|".join(_phrase(tail) for tail in tails) + ")")
            index = following
        else:
            parts.append(_phrase(phrases[index]))
            index += 1
    return "(?:" + "|".join(parts) + ")"


def _phrase(phrase: str) -> str:
    return " ".join(re.escape(word) for word in phrase.split())


def _words(data: dict[str, object], table: str, key: str, path: Path) -> tuple[str, ...]:
    section = data.get(table)
    value = section.get(key) if isinstance(section, dict) else None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{path.name}: [{table}] {key} must be a non-empty list of words")
    return tuple(" ".join(v.lower().split()) for v in value)


def load_greetings(path: Path = GREETINGS_FILE) -> dict[str, tuple[str, ...]]:
    """The word lists of a greetings file, each cleaned (lower case, single spaces)."""
    data = read_toml(path)
    return {
        "greeting": _words(data, "greeting", "words", path),
        "sign_off": _words(data, "sign_off", "words", path),
        "lines": _words(data, "sign_off", "lines", path),
        "wishes": _words(data, "sign_off", "wishes", path),
        **{key: _words(data, "courtesy", key, path) for key in ("thanks", "for_words", "never", "phrases")},
    }


_LISTS = load_greetings()
GREETING_WORDS = alternation(_LISTS["greeting"])
SIGN_OFF_WORDS = alternation(_LISTS["sign_off"])
_CLOSING_LINES = "|".join(_phrase(line) + r"[^\n]*" for line in _LISTS["lines"])

GREETING = re.compile(r"(?:^|\n|[:\"'>`_*]\s{0,3})\s*" + GREETING_WORDS + r"\b", re.IGNORECASE)
# After a draft label ("sending:", "reply to Sam:"), if any.
GREETING_LEAD = re.compile(
    r"^\s*(?:(?:sending|reply|draft)[^:\n]{0,20}:\s*)?['\"]?\s*"
    + GREETING_WORDS
    + r"\b[^,!\n\u2014]{0,40}?(?:[,!]|\s[\u2014-])\s*",
    re.IGNORECASE,
)
# A sign-off or closing line ("Regards,\nPaul", "We look forward to...\nLucas"), or a bare name
# on the last line: case-sensitive, so a name is capitalised.
CLOSING = re.compile(
    r"\n\s*(?:(?i:" + SIGN_OFF_WORDS + "|" + _CLOSING_LINES + r")\b[^\n]*(?:\n[^\n]{0,60})?"
    r"|[-\u2014~^]*\s*[A-Z][a-z]+(?: [A-Z][a-z]+)?)\s*$",
)

# A sentence that is nothing but a greeting or a sign-off and a name or two ("Regards, Roadway
# Car Hire"): it says nothing of its own, whatever a model reads into its few words.
BARE_SALUTATION = re.compile(
    r"\s*(?:" + GREETING_WORDS + "|" + SIGN_OFF_WORDS + r")\b[\s,.!\u2014-]*(?:[\w'\u2019.-]+\s*){0,4}[\s,.!]*",
    re.IGNORECASE,
)

# A sign-off or a well-wish closing the last line after a full stop ("... for exceptions.
# Yours sincerely, Registrations", "... is 6.30pm. Have a great night!"): what a next step goes
# before when the reply has no closing line of its own.
INLINE_CLOSING = re.compile(
    # never a sentence that promises something ("Thanks, I'll refund it today.")
    r"(?<=[.!?])[ \t]+(?![^.!?\n]*\b(?:i|we)(?:'ll|\u2019ll| will| can)\b)(?:"
    + SIGN_OFF_WORDS
    + r"\b[^.!?\n]{0,40}[.!]?|"
    + alternation(_LISTS["wishes"])
    + r"\b[^.!?\n]{0,40}[.!]*)\s*$",
    re.IGNORECASE,
)

# A sentence that is nothing but courtesy once its greeting is read: a thank-you (with "for"
# and an ordinary act or thing, no sarcasm or contrast word), a well-wish or a set phrase
# ("hope this helps"), then punctuation, an emoji or a :shortcode: ([courtesy] in greetings.toml;
# is_courtesy also refuses any sentence holding one of its ``never`` words).
_NEVER_IN_COURTESY = re.compile(r"\b" + alternation(_LISTS["never"]) + r"\b", re.IGNORECASE)
COURTESY = re.compile(
    r"\s*(?:(?:sending|reply|draft)[^:\n]{0,20}:\s*)?(?:"
    + alternation(_LISTS["thanks"])
    + r"(?: (?:so|very) much| a lot| again)?(?: you)?(?:(?: for)? "
    + alternation(_LISTS["for_words"])
    + r"\b(?:[ -][\w'\u2019@#.:/-]+){0,9})?|"
    + alternation(_LISTS["wishes"])
    + r"\b(?: [\w'\u2019]+){0,5}|"
    + alternation(_LISTS["phrases"])
    + r")[\s,.!:)-]*(?::[a-z_+-]+:|[\U0001F300-\U0001FAFF\u2600-\u27BF])*[\s.!]*",
    re.IGNORECASE,
)


_ONLY_MARKS = re.compile(r"[\W_]*(?::[a-z0-9_+-]+:[\W_]*)*")  # punctuation, emoji, :shortcodes: alone


def is_courtesy(sentence: str) -> bool:
    """Is the sentence only a greeting, a sign-off, a thank-you or a well-wish ("Hi Sam, thanks
    for flagging the typo.")? Nothing in it can be harsh but what the rules read."""
    lead = GREETING_LEAD.match(sentence)
    rest = sentence[lead.end() :] if lead else sentence
    if _NEVER_IN_COURTESY.search(rest):  # "Thanks for nothing", "Thanks, but no"
        return False
    return bool(_ONLY_MARKS.fullmatch(rest) or BARE_SALUTATION.fullmatch(rest) or COURTESY.fullmatch(rest))


def has_greeting(text: str) -> bool:
    """Does the text open (a line, a quote or a draft) with a greeting?"""
    return GREETING.search(text) is not None
