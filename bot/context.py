"""Context for one message: whose words a span is, and whether a match is really a put-down.

Words alone mislead: an agent quoting a customer, listing banned slang for new hires,
owning a mistake ("total user error on my side") or denying one ("not a PEBCAK") uses the
same strings as a put-down. These checks are generic (no sentence from any data set is
special-cased); rules opt into them with ``skip``.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from bot.rules import Rule
from bot.text import NormalizedText, Zone

# Something someone else wrote or said is introduced like this.
_OTHERS_INTRO = re.compile(
    r"\b(?:customer|customers|client|caller|user|she|he|they|them|their|the guy|the lady"
    r"|courier|vendor|partner|admin|manager|cfo|ceo|sender|requester)(?:'s)?\b"
    r"[^.!?\n]{0,40}?\b(?:said|says|wrote|writes|asked|asks|called us|call(?:ed)? me|replied"
    r"|typed|messaged|emailed|tweeted|posted|complained|claims?|claimed|insists?|insisted"
    r"|excuse|reply was|response was|told (?:me|us)|yelled|shouted|screamed|put it)\b"
    r"|\b(?:quote|quoting|quoted|verbatim|exact words|in (?:their|her|his) words|error says"
    r"|log says|logs? show|output|pasted|screenshot says|message says|email says|signature"
    r"|excuse was)\b"
)
# ...and the agent's own reply, draft or label like this.
_AGENT_INTRO = re.compile(
    r"\b(?:draft(?:ed)?|sending|sent|send(?:ing)? (?:her|him|them)|reply(?:ing)?|replied"
    r"|response|responding|macro|template|going out|wrote back|i told (?:her|him|them|the customer)"
    r"|i said to|my answer|answering with|going with|reads? (?:ok|okay|fine|alright)"
    r"|sounds? (?:ok|okay|fine|alright)|tone check|closing with|i'?ll say|i'?m saying"
    r"|filing (?:it |this )?under|filed (?:it |this )?under|tag(?:ging|ged)? (?:it|this)"
    r"|internal note|ticket note|note to self|canned)\b"
)
# A message that talks *about* language (training, glossaries, renaming macros).
_META = re.compile(
    r"\b(?:the (?:word|term|phrase|name|acronym|label|expression)s?(?=\s*[:\"'`(]|\s+(?:like|such as|for)\b)"
    r"|(?:terms?|words?|phrases?|slang) (?:like|such as)|slang|jargon|glossary|dictionary|don'?t[- ]say|never (?:use|say|call|write)"
    r"|do not (?:use|say|call|write)|don'?t (?:use|say|call|write|tell)|stop (?:using|saying|calling)"
    r"|banned|(?:avoid|instead of) (?:saying|using|writing)|replac(?:e|ed|ing)|renam(?:e|ed|ing)"
    r"|retir(?:e|ed|ing)|playbook|onboarding|style ?guide|coach(?:ing)? bot|the bot (?:flagged|suggested)"
    r"|profanity|(?:word|spam|swear) filter|stands for|acronym|what does \w+ mean)\b"
)
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bhardly|\bnothing)\b(?:\W+\w+){0,2}\W*$")
_SELF_BEFORE = re.compile(
    r"(?:\bi'?m|\bi am|\bi was|\bi feel|\bi felt|\bme|\bmyself|\bcall me|\bi had|\bi pulled"
    r"|\bi made|\bmy)"
    r"(?:\s+(?:such|so|a|an|being|the|total|complete|absolute|utter|like|bit|of|own|full|real|classic))*\s*$"
)
_SELF_CLAUSE = re.compile(
    r"\bmy (?:bad|mistake|fault|own)\b|\bon my (?:side|end|part)\b|\bmea culpa\b"
    r"|\b(?:i|we) (?:exported|sent|did|made|messed|forgot|clicked|typed|pasted|picked|chose|misread|missed)\b"
)
_GREETING = re.compile(
    r"(?:^|\n|[:\"'>`]\s{0,3})\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b"
)
_REPLY_CUE = re.compile(
    r"\b(?:sending|reply|replying|response|draft|macro|going out|told (?:her|him|them|the customer)"
    r"|sir|madam|mrs?\.|ms\.)\b|\n\s*(?:regards|best|kind regards|cheers|sincerely|thanks),?\s*\n"
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|you're|you'll|you've|u|ur|ya)\b")
_LOGISTICS = re.compile(
    r"\b(?:shift|shifts|rota|lunch|standup|stand-up|huddle|retro|pto|ooo|on-call|oncall|day off"
    r"|team channel|1:1|one-on-one|offsite|coffee machine|facilities)\b"
)
_SENTENCE_BREAK = re.compile(r"[.!?]+(?=[\s\"')\]]|$)|\n")
_CLAUSE_BREAK = re.compile(r"[,;:]|\s-+\s|\(|\)")


_CUE_NEGATED = re.compile(r"(?:n't|\bnot|\bnever|\bno|\bwon'?t|\bcan'?t|\bdon'?t|\bwouldn'?t|\bdoesn'?t)\s+$")


def _cue_outside(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Does an excusing cue occur outside the matched span, and not negated?

    The match itself never excuses itself ("there's nothing I can offer" is not an offer,
    "..., but there's nothing I can do" is not a "but" with help after it), and a negated
    cue is no cue ("it won't let me in" is not "let me check").
    """
    if start < 0 or end > len(text) or end <= start:
        masked = text
    else:
        masked = text[:start] + " " * (end - start) + text[end:]
    for hit in pattern.finditer(masked):
        if _CUE_NEGATED.search(masked, max(0, hit.start() - 12), hit.start()):
            continue
        return True
    return False


class MessageContext:
    """Lazily computed facts about one message that rules consult before reporting a match."""

    def __init__(self, normalized: NormalizedText) -> None:
        self.normalized = normalized
        self.text = normalized.text
        self._attribution: dict[Zone, str] = {}

    # --- message-level facts ---------------------------------------------------------

    @cached_property
    def sentence_starts(self) -> list[int]:
        starts = [0]
        for m in _SENTENCE_BREAK.finditer(self.text):
            starts.append(m.end())
        return starts

    @cached_property
    def addressed_to_customer(self) -> bool:
        """Is this, or does it contain, a reply to a customer (a greeting, a draft, "you")?"""
        text = self.text
        if _GREETING.search(text) or _REPLY_CUE.search(text):
            return True
        return bool(_SECOND_PERSON.search(text)) and not self.colleague_directed

    @cached_property
    def colleague_directed(self) -> bool:
        """Chatter with a teammate (opens with an @mention, or is about shifts and lunch)."""
        if _GREETING.search(self.text) or _REPLY_CUE.search(self.text):
            return False
        if self.normalized.original.lstrip().startswith("<@"):
            return True
        return bool(_LOGISTICS.search(self.text))

    # --- spans -----------------------------------------------------------------------

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around a span (sentences end at . ! ? and line breaks)."""
        starts = self.sentence_starts
        index = bisect.bisect_right(starts, start) - 1
        sentence_start = starts[index]
        sentence_end = len(self.text)
        after = bisect.bisect_left(starts, end)
        if after < len(starts):
            sentence_end = starts[after]
        return sentence_start, max(sentence_end, end)

    def clause_before(self, sentence_start: int, start: int) -> str:
        before = self.text[sentence_start:start]
        parts = _CLAUSE_BREAK.split(before)
        return parts[-1] if parts else before

    def clause_after(self, end: int, sentence_end: int) -> str:
        after = self.text[end:sentence_end]
        return _CLAUSE_BREAK.split(after, maxsplit=1)[0]

    def attribution(self, zone: Zone) -> str:
        """"agent" when a quote/code zone holds the agent's own reply, else "other"."""
        cached = self._attribution.get(zone)
        if cached:
            return cached
        text = self.text
        line_start = text.rfind("\n", 0, zone.start)
        window_start = max(0, text.rfind("\n", 0, line_start) if line_start > 0 else 0, zone.start - 100)
        before = text[window_start:zone.start]
        line_end = text.find("\n", zone.end)
        after = text[zone.end:(line_end if line_end != -1 else len(text))][:60]
        other = [m.end() for m in _OTHERS_INTRO.finditer(before)]
        agent = [m.end() for m in _AGENT_INTRO.finditer(before)]
        if other and (not agent or other[-1] >= agent[-1]):
            verdict = "other"
        elif agent or _AGENT_INTRO.search(after):
            verdict = "agent"
        else:
            verdict = "agent" if zone.kind == "speech" else "other"
        self._attribution[zone] = verdict
        return verdict

    def in_others_words(self, start: int, end: int) -> bool:
        zone = self.normalized.zone_at(start, end)
        return zone is not None and self.attribution(zone) == "other"

    # --- the checks rules opt into ----------------------------------------------------

    def is_meta(self, start: int, end: int, sentence: str) -> bool:
        if _META.search(sentence):
            return True
        zone = self.normalized.zone_at(start, end)
        return zone is not None and zone.kind == "speech" and bool(_META.search(self.text))

    def suppresses(self, rule: Rule, start: int, end: int) -> bool:
        """True when the match at [start, end) is not the agent's own put-down or scolding."""
        text = self.text
        if rule.require_upper:
            o_start, o_end = self.normalized.to_original(start, end)
            letters = [c for c in self.normalized.original[o_start:o_end] if c.isalpha()]
            if not letters or any(c.islower() for c in letters):
                return True
        if rule.unless_match is not None and rule.unless_match.fullmatch(text, start, end):
            return True
        skip = rule.skip
        if "quoted" in skip and self.in_others_words(start, end):
            return True
        if "colleague" in skip and self.colleague_directed:
            return True
        if rule.only_if_addressed and not self.addressed_to_customer:
            return True
        sentence_start, sentence_end = self.sentence(start, end)
        before = text[sentence_start:start]
        after = text[end:sentence_end]
        if rule.unless_before is not None and rule.unless_before.search(before):
            return True
        if rule.unless_after is not None and rule.unless_after.search(after):
            return True
        sentence = text[sentence_start:sentence_end]
        if rule.unless_sentence is not None and _cue_outside(
            rule.unless_sentence, sentence, start - sentence_start, end - sentence_start
        ):
            return True
        if rule.unless_message is not None and _cue_outside(rule.unless_message, text, start, end):
            return True
        if rule.only_if_message is not None and not rule.only_if_message.search(text):
            return True
        if "meta" in skip and self.is_meta(start, end, sentence):
            return True
        clause = self.clause_before(sentence_start, start)
        if "negated" in skip and _NEGATED_BEFORE.search(clause):
            return True
        if "self" in skip:
            clause_after = self.clause_after(end, sentence_end)
            if _SELF_BEFORE.search(clause) or _SELF_CLAUSE.search(clause + " " + clause_after):
                return True
        return False
