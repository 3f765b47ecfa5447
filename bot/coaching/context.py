"""Context for one message: whose words a span is, and whether a match is really a put-down.

Words alone mislead: an agent quoting a customer, listing banned slang for new hires,
owning a mistake ("total user error on my side") or denying one ("not a PEBCAK") uses the
same strings as a put-down. These checks are generic (no sentence from any data set is
special-cased); rules opt into them with ``skip``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.coaching import greetings, segments
from bot.coaching.lazy import lazy_property
from bot.coaching.regex_shape import finditer_fast, might_match, search_fast
from bot.coaching.rules import Rule, load_vocab
from bot.coaching.text import NormalizedText, Zone, normalize
from bot.prompts import PROMPTS_DIR, RuleError, read_toml

CONTEXT_FILE = PROMPTS_DIR / "context.toml"


def _words(items: list[str]) -> str:
    """An alternation of regex fragments, longest first, as one non-capturing group."""
    return "(?:" + "|".join(sorted(items, key=len, reverse=True)) + ")"


def _bounded(items: list[str]) -> str:
    return r"\b" + _words(items) + r"(?![\w])"


def _from_words(items: list[str], where: str) -> str:
    """Cue fragments with ``{class}`` slots filled from vocab.toml's word classes (as rules fill
    theirs), each from a word start unless it is anchored at the line's start."""
    vocab = load_vocab()
    filled = [vocab.expand(item, where) for item in items]
    return "|".join(f"(?:{item})" if item.startswith("^") else rf"(?:\b{item})" for item in filled) + r"(?![\w])"


@dataclass(frozen=True)
class ContextCues:
    """The compiled cue lists of prompts/context.toml (see that file for what each means)."""

    others_intro: re.Pattern[str]
    speaker_label: re.Pattern[str]
    attributed_after: re.Pattern[str]
    attributed_below: re.Pattern[str]
    own_below: re.Pattern[str]
    owns_quote_above: re.Pattern[str]
    reported_speech: re.Pattern[str]
    agent_intro: re.Pattern[str]
    reply_cue: re.Pattern[str]
    meta: re.Pattern[str]
    mention_after: re.Pattern[str]
    mention_before: re.Pattern[str]
    mention_before_bare: re.Pattern[str]
    definition_after: re.Pattern[str]
    self_before: re.Pattern[str]
    self_clause: re.Pattern[str]
    self_after: re.Pattern[str]
    self_reveal: re.Pattern[str]
    logistics: re.Pattern[str]
    company_after: re.Pattern[str]
    logistics_weak: re.Pattern[str]
    mentions: re.Pattern[str]
    mentions_you: re.Pattern[str]
    agent_labels: frozenset[str]


def load_context(path: Path | None = None) -> ContextCues:
    """Compile the cue lists; a missing list or a bad fragment is a RuleError naming it."""
    path = path if path is not None else CONTEXT_FILE
    data = read_toml(path)

    def cue(section: str, key: str) -> list[str]:
        value = data.get(section, {}).get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise RuleError(f"{path.name}: [{section}] '{key}' must be a non-empty list of strings")
        return list(value)  # regex fragments: never lower-case them (\W is not \w)

    def compiled(source: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(source)
        except re.error as exc:
            raise RuleError(f"{path.name}: {where}: invalid regular expression: {exc}") from None

    vocab = load_vocab()
    reporters = [vocab.expand(item, "[quoted] reporters") for item in cue("quoted", "reporters")]
    others = (
        _bounded(reporters)
        + r"(?:'s)?[^.!?\n]{0,40}?"
        + _bounded(cue("quoted", "speech_verbs"))
        + "|"
        + _bounded(cue("quoted", "markers"))
    )
    fillers = _words(cue("self", "before_fillers"))
    return ContextCues(
        others_intro=compiled(others, "[quoted]"),
        speaker_label=compiled(
            r"(?:^|\n|[.!?]\s+|[\-\u2014]\s*)\s*[*_]*" + _words(cue("quoted", "speaker_labels")) + r"[*_]*\s*:\s*$",
            "[quoted] speaker_labels",
        ),
        attributed_after=compiled(  # at the closing quote: "'...' is what the courier told her"
            r"[\"'`\u201d\u2019*_]*\s*[,\u2014\u2013-]*\s*" + _bounded(cue("quoted", "attributed_after")),
            "[quoted] attributed_after",
        ),
        attributed_below=compiled(
            _from_words(cue("quoted", "attributed_below"), path.name), "[quoted] attributed_below"
        ),
        own_below=compiled(_bounded(cue("agent", "own_below")), "[agent] own_below"),
        owns_quote_above=compiled(_bounded(cue("agent", "owns_quote_above")), "[agent] owns_quote_above"),
        reported_speech=compiled(_bounded(cue("quoted", "reported_speech")), "[quoted] reported_speech"),
        agent_intro=compiled(_bounded(cue("agent", "intro")), "[agent] intro"),
        reply_cue=compiled(  # the cues, or a sign-off alone on its line
            _bounded(cue("agent", "reply_cues")) + r"|\n\s*" + greetings.SIGN_OFF_WORDS + r",?\s*\n",
            "[agent] reply_cues",
        ),
        meta=compiled(
            _bounded(cue("meta", "cues")) + "|" + _words([re.escape(x) for x in cue("meta", "symbols")]), "[meta] cues"
        ),
        mention_after=compiled(
            r"^[\"'`]?\s*(?:(?!(?:the|a|an|our|your|their|my|his|her|this|that)\b)\w+\s+)?"
            + _bounded(cue("meta", "mention_nouns")),
            "[meta] mention_nouns",
        ),
        mention_before_bare=compiled(
            r"\b(?:the|a|an|our|their|that|this)\s+" + _words(cue("meta", "mention_nouns_bare")) + r"\s+$",
            "[meta] mention_nouns_bare",
        ),
        mention_before=compiled(
            r"\b(?:the|a|an|our|their|that|this)\s+(?:\w+\s+)?"
            + _words(cue("meta", "mention_nouns"))
            + r"\s*(?:called\s+|named\s+)?[\"'`]?\s*$",
            "[meta] mention_nouns",
        ),
        definition_after=compiled(
            r"^[\"'`]?\s*(?:"
            + "|".join(re.escape(x) if x == "=" else x for x in cue("meta", "definition_after"))
            + ")",
            "[meta] definition_after",
        ),
        self_before=compiled(
            r"(?:" + "|".join(r"\b" + x for x in cue("self", "before")) + r")(?:\s+" + fillers + r")*\s*$",
            "[self] before",
        ),
        self_clause=compiled(_bounded(cue("self", "clause")), "[self] clause"),
        self_after=compiled(r"^[\s,:;\-]*(?:" + "|".join(cue("self", "after")) + ")", "[self] after"),
        self_reveal=compiled(_bounded(cue("self", "reveal")), "[self] reveal"),
        logistics=compiled(_bounded(cue("colleague", "logistics")), "[colleague] logistics"),
        company_after=compiled(  # used with .match(text, pos): no "^", it would only match at 0
            r"[ \t]+(?i:" + _words(cue("names", "company_suffixes")) + r")\b", "[names] company_suffixes"
        ),
        logistics_weak=compiled(_bounded(cue("colleague", "logistics_weak")), "[colleague] logistics_weak"),
        mentions=compiled(
            r"(?:" + "|".join(r"\b" + m for m in cue("colleague", "mentions")) + ")", "[colleague] mentions"
        ),
        mentions_you=compiled(
            r"(?:" + "|".join(r"\b" + m for m in cue("colleague", "mentions_you")) + ")", "[colleague] mentions_you"
        ),
        agent_labels=frozenset(word.lower() for word in cue("agent", "labels")),
    )


_cues: ContextCues | None = None


def cues() -> ContextCues:
    """The bundled cue lists, compiled once per process."""
    global _cues
    if _cues is None:
        _cues = load_context()
    return _cues


_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\bno|\bhardly|\bnothing|\bnobody|\bno one|\bnoone|\bneither|\bnor|\bnone|\bzero)\b"
    r"(?!\s+(?:only|doubt|wonder|surprise|mind)\b)(?:\W+\w+){0,3}\W*$"
    # a denied opinion: "no one here thinks the users are ...", "I'd never say she's ..."
    r"|\b(?:no one|nobody|noone|never|not|don'?t|doesn'?t|didn'?t|wouldn'?t)\b[^,.;!?\n]{0,30}"
    r"\b(?:thinks?|thought|says?|said|saying|calls?|called|calling|labell?(?:ing|ed)?|believes?|feels?|finds?|consider|considers|meant)\b"
    r"[^,.;!?\n]{0,24}$"
)
# "Nobody here thinks you're overreacting", "no one is saying it's your fault": the words are
# denied outright, which defends the customer, for every rule (a plain "no" or "not" before a
# match is the negation check, which some rules must not take: "No, you're overreacting.").
# So does the author denying having said them: "I didn't tell her to calm down", "I'd never tell
# you you're overreacting". Not when the sentence goes on with "but": "nobody's saying you're
# wrong, but..." is a hedge.
_DENIED_OUTRIGHT = re.compile(
    r"(?:\b(?:no one|nobody|noone|no-one)(?:'s| is| was| here| on (?:the|our) team| at all)?"
    r"|\b(?:i|we)(?: would|'d| will|'ll)? (?:never|not)|\b(?:i|we) (?:didn'?t|did not|wouldn'?t|won'?t)"
    r"|\b(?:i'?m|i am|we'?re|we are) (?:not|never) going to"
    # the label ruled out in advance: "before anyone calls this ...", "I refuse to call him ...",
    # "we will not be describing this as ..."
    r"|\b(?:before|if|in case) (?:any ?one|any ?body|some ?one|some ?body)(?:'s| is)?(?: (?:tempted|going|about) to)?"
    r"|\b(?:refuse[sd]?|refusing) to|\b(?:will not|won'?t) be)\b[^,.;!?\n]{0,24}"
    r"\b(?:thinks?|thought|says?|said|saying|blames?|blaming|blamed|calls?|called|calling|believes?|feels?|claims?|claiming"
    r"|suggest(?:s|ed|ing)?|accus(?:es|ed|ing)|tell|told|telling|ask|asked|asking|describ(?:e|es|ed|ing)|label(?:s|led|ling)?|tag(?:s|ged|ging)?)\b"
    r"[^,.;!?\n]{0,24}$"
)
_HEDGE_AFTER = re.compile(r"^[^.!?\n]{0,80}\bbut\b")
# "I'm not saying he's stupid, but he asked if ...": denying the word only to imply it. A plain
# negation ("she's not stupid, the form is confusing") still excuses it.
_SAYING_HEDGE = re.compile(r"\bnot (?:saying|calling|suggesting|that)\b[^,.;!?\n]{0,30}$")
_HEDGE_AFTER_SAYING = re.compile(r"^[^.!?\n]{0,80}\b(?:but|just saying|only saying)\b")
# "Skill issue? Nope, the boss has a hitbox bug", "'Is it user error?' No, Anya, it's a known
# bug": the words are a question the message answers no to (not "No?", a taunt; not a no that
# turns on the customer: "Our fault? No, yours").
_ANSWERED_NO = re.compile(
    r"[^.!?\n]{0,60}\?+[\"'\u201d\u2019*_)]*\s*(?:[-\u2014\u2013:]\s*)?"
    r"(?:no|nope|nah|not at all|definitely not|absolutely not|not really|not this time)\b(?!\s*\?)"
    r"(?![^.!?\n]{0,20}\b(?:you|your|yours|u|ur)\b)"
)
# Talk about a third person or a case: a note to the team, not a reply (the rewriter's test).
_THIRD_PARTY_TALK = re.compile(
    r"\b(?:she|he|her|him|his|they|them|their|the (?:customer|caller|client|user|guy|lady|buyer|member)"
    r"|customers?|clients?|users|cust|ticket|tickets|team|guys|folks|anyone|fyi|eod|heads up)\b|#\d+"
)
_FIRST_PERSON = re.compile(r"\b(?:we|we're|we've|we'll|we'd|us|our|ours|i|i'm|i've|i'll|i'd|me|my)\b")
# A reply that tells the reader what to do ("Dunno, try restarting it.", "idk, ask the app store"):
# an imperative opening the message, after at most a shrug or a sorry.
_IMPERATIVE_OPENING = re.compile(
    r"^\W*(?:(?:dunno|idk|no idea|no clue|sorry|nope|no|meh|well|look|just|pls|please|ugh)\W+){0,2}"
    r"(?:try|ask|check|contact|call|ring|email|go|see|read|wait|talk|take|google|phone|reinstall|restart|reboot|update|use|send|submit|file|raise|refer|speak|write)\b"
)
_WE = re.compile(r"\b(?:we|we're|we've|we'll|our|ours|us)\b")
_REPLY_PROSE = re.compile(
    r"\b(?:regards|thank(?:s| you) for (?:contacting|reaching out|getting in touch|your (?:patience|message|email))"
    r"|sincerely|best wishes)\b"
)
# "Sandra replied:", "Mr Obi's email said" right before a quote (the name is checked against
# the agent's own labels: "Draft reply:" is ours).
_NAMED_SPEAKER = re.compile(
    r"(?:\b([A-Z][a-z]+)(?:'s)?(?:\s+(?:\w+\s+)?(?:reply|email|e-mail|message|response|text|note|review))?"
    r"\s+(?:replied|wrote|writes|said|says|asked|asks|emailed|messaged|texted|typed|posted|put it)\s*:?"
    # a bare "Sandra:" or "Sandra's reply:" only as a line's label ("draft to Kemal:" names the addressee)
    r"|(?:^|\n|[.!?]\s)\s*([A-Z][a-z]+)(?:'s\s+(?:reply|email|e-mail|message|response|text|note|review))?\s*:)"
    r"\s*(?:&gt;|>)?\s*$"
)
# How far after the word the author may own it ("who's the id10t who left test mode on... oh. it's
# me."): a sentence or two, not the rest of a long message.
SELF_REVEAL_REACH = 120
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|you're|you'll|you've|u|ur|ya)\b")
# Addressing someone by name: "It's a simple form, Joan." / "deep breaths, Mr Quigley".
_VOCATIVE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Madam|Ma'am)\.?\s+[A-Z][a-z]+|,\s*[A-Z][a-z]{2,}\s*[.!?](?:\s|$))"
)
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w'&-]*)")
_PREV_WORD = re.compile(r"([\w'&-]+)[ \t]+$")

_LOWER_LEAD = re.compile(r"(?:(?:the|a|an|our|this|that)\s+)+(?=[A-Z])")
# "Layer Eight Error": a name turned into a diagnosis is the joke, not the company
_DIAGNOSIS = re.compile(r"(?:error|issue|problem|bug|fault|moment|special)s?")
_TITLE_WORD = re.compile(r"[A-Z][a-z][\w'’-]*")


def _title_phrase(words: str) -> bool:
    """Two to four words, all Title Case ("Layer Eight", "The Idiot"): a name or a title,
    since nobody capitalises every word of a put-down (spelled-out letters such as
    "India Delta Ten Tango" run longer)."""
    parts = words.split()
    return 2 <= len(parts) <= 3 and all(_TITLE_WORD.fullmatch(p.rstrip(".,!?:;")) for p in parts)


_CUE_NEGATED = re.compile(r"(?:n't|\bnot|\bnever|\bno|\bwon'?t|\bcan'?t|\bdon'?t|\bwouldn'?t|\bdoesn'?t)\s+$")


def cue_outside(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Does an excusing cue occur outside the matched span, and not negated?

    The match itself never excuses itself ("there's nothing I can offer" is not an offer,
    "..., but there's nothing I can do" is not a "but" with help after it), and a negated
    cue is no cue ("it won't let me in" is not "let me check").
    """
    masked = text if start < 0 or end > len(text) or end <= start else text[:start] + " " * (end - start) + text[end:]
    for hit in pattern.finditer(masked):
        if _CUE_NEGATED.search(masked, max(0, hit.start() - 12), hit.start()):
            continue
        return True
    return False


def _found(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern.search(text)`` as a bool, not searched when no literal it needs occurs."""
    return might_match(pattern, text) and search_fast(pattern, text) is not None


class MessageContext:
    """Lazily computed facts about one message that rules consult before reporting a match."""

    def __init__(self, normalized: NormalizedText, context_cues: ContextCues | None = None) -> None:
        self.normalized = normalized
        self.text = normalized.text
        self.cues = context_cues if context_cues is not None else cues()
        self._attribution: dict[Zone, str] = {}
        # Spans a rule matched and the context excused (a name, a code, a negation, a quote):
        # the learned stage must not flag the sentence around them, since it sees the same words.
        self.excused: list[tuple[int, int]] = []

    # --- message-level facts ---------------------------------------------------------

    @lazy_property
    def sentence_starts(self) -> list[int]:
        return segments.sentence_starts(self.text)

    @lazy_property
    def _reply_like(self) -> bool:
        return greetings.has_greeting(self.text) or bool(self.cues.reply_cue.search(self.text))

    @lazy_property
    def addressed_to_customer(self) -> bool:
        """Is this, or does it contain, a reply to a customer (a greeting, a draft, "you",
        a vocative "…, Joan." or "Mr Quigley")?"""
        if self._reply_like or _VOCATIVE.search(self.normalized.original):
            return True
        return bool(_SECOND_PERSON.search(self.text)) and not self.colleague_directed

    @lazy_property
    def reads_as_reply(self) -> bool:
        """Addressed, or a bare statement in which we speak and nobody else is talked about
        ("We can't take it by email.") and that is not team chatter: the rewriter reads such
        text as a reply too, so the rules that need a customer audience judge it as one."""
        if self.addressed_to_customer:
            return True
        if self.colleague_directed or self.normalized.original.lstrip().startswith("<@"):
            return False
        if _THIRD_PARTY_TALK.search(self.text):
            return False
        return bool(_FIRST_PERSON.search(self.text) or _IMPERATIVE_OPENING.search(self.text))

    @lazy_property
    def colleague_directed(self) -> bool:
        """Chatter with a teammate: opens with or names an @mention or #channel, or is about
        logistics (shifts and lunch always; releases and meetings when it says no "you")."""
        if self._reply_like:
            return False
        text = self.text
        if self.normalized.original.lstrip().startswith("<@") or self.cues.mentions.search(text):
            return True
        if "@" in text and self.cues.mentions_you.search(text):
            return True
        if self.cues.logistics.search(text):
            return True
        return bool(self.cues.logistics_weak.search(text)) and not _SECOND_PERSON.search(text)

    # --- spans -----------------------------------------------------------------------

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around a span (sentences end at . ! ? and line breaks)."""
        return segments.sentence_at(self.text, start, end, self.sentence_starts)

    def clause_before(self, sentence_start: int, start: int) -> str:
        return segments.clause_before(self.text, sentence_start, start)

    def clause_after(self, end: int, sentence_end: int) -> str:
        return segments.clause_after(self.text, end, sentence_end)

    def attribution(self, zone: Zone) -> str:
        """ "agent" when a quote/code zone holds the agent's own reply, else "other".

        The cue may sit on the zone's own line, a line or a blank line above it, or open the
        zone itself ("``` macro: Hi …"); a speaker label right before it ("Customer: "…"")
        always means someone else, whatever agent cue comes later.
        """
        cached = self._attribution.get(zone)
        if cached:
            return cached
        text, c = self.text, self.cues
        window_start = zone.start
        for _ in range(3):  # back over up to three line breaks (a blank line counts as one)
            previous = text.rfind("\n", 0, max(window_start - 1, 0))
            window_start = 0 if previous == -1 else previous
            if previous == -1:
                break
        window_start = max(window_start, zone.start - 240)
        before = text[window_start : zone.start]
        line_start = max(text.rfind("\n", 0, zone.start) + 1, zone.start - 240)  # bounded: long lines
        line_before = text[line_start : zone.start]
        line_end = text.find("\n", zone.end)
        next_end = text.find("\n", line_end + 1) if line_end != -1 else -1
        after = text[zone.end : (next_end if next_end != -1 else len(text))][:120]
        opening = text[zone.start : min(zone.end, zone.start + 60)]
        # might_match skips a search that cannot find anything (no literal of the cue occurs);
        # finditer_fast and _found find the same matches as the plain calls, faster.
        labelled = might_match(c.speaker_label, line_before) and bool(
            c.speaker_label.search(line_before.rstrip("\"'`> \t")) or c.speaker_label.search(line_before)
        )
        if (
            labelled
            or self._named_speaker_before(zone.start)
            or (zone.kind == "speech" and c.attributed_after.match(text, zone.end, zone.end + 160))
            or (zone.kind != "speech" and self._attributed_below(zone))
        ):
            verdict = "other"
        else:
            other = (
                [m.end() for m in finditer_fast(c.others_intro, before)] if might_match(c.others_intro, before) else []
            )
            agent = (
                [m.end() for m in finditer_fast(c.agent_intro, before)] if might_match(c.agent_intro, before) else []
            )
            if other and (not agent or other[-1] >= agent[-1]):
                verdict = "other"
            elif (
                agent
                or zone.kind == "speech"
                or _found(c.agent_intro, opening)
                or _found(c.agent_intro if zone.kind != "quote" else c.owns_quote_above, after)
            ):
                verdict = "agent"
            else:  # code with no cue: a macro or note the agent wrote reads as a reply; a log does not
                verdict = "agent" if self._reads_as_reply_text(text[zone.start : zone.end]) else "other"
        self._attribution[zone] = verdict
        return verdict

    def _attributed_below(self, zone: Zone) -> bool:
        """The line under a "> quote" or code block says whose words they were ("that's the
        customer's reply", "from the tenant on 4410"), and not that they are ours to send."""
        text = self.text
        start = text.find("\n", zone.end)
        if start == -1:
            return False
        while start < len(text) and text[start] in "\n \t":
            start += 1
        end = text.find("\n", start)
        below = text[start : end if end != -1 else len(text)][:160]
        return (
            bool(below)
            and self.cues.attributed_below.search(below) is not None
            and self.cues.own_below.search(below) is None
        )

    def _named_speaker_before(self, start: int) -> bool:
        """Someone named, not us, speaks right before the zone: "Sandra replied:" or "Mr Obi's
        email said" then a quote. Read on the original text, where names keep their capital."""
        o_start, _ = self.normalized.to_original(start, start)
        before = self.normalized.original[max(0, o_start - 80) : o_start]
        match = _NAMED_SPEAKER.search(before)
        return match is not None and (match.group(1) or match.group(2)).lower() not in self.cues.agent_labels

    def _reads_as_reply_text(self, body: str) -> bool:
        """Prose to a customer: a greeting, a customer closing, or us speaking to "you"."""
        if _found(greetings.GREETING, body) or _found(_REPLY_PROSE, body) or _found(self.cues.reply_cue, body):
            return True
        return _found(_SECOND_PERSON, body) and _found(_WE, body)

    def in_others_words(self, start: int, end: int) -> bool:
        """The span lies in someone else's quoted words, or ends in them: a frame with an open
        subject can reach back over the speaker ("he wrote 'you're all clueless'"), and the
        harsh word at its end is still the customer's."""
        zone = self.normalized.zone_at(start, end) or self.normalized.zone_at(end - 1, end)
        if zone is not None:
            return self.attribution(zone) == "other"
        return False

    def reported_from_others(self, sentence_start: int, start: int) -> bool:
        """Unquoted reported speech: "the caller kept yelling that we're useless"."""
        before = self.text[sentence_start:start]
        return bool(self.cues.reported_speech.search(before))

    # --- the checks rules opt into ----------------------------------------------------

    def is_meta(self, start: int, end: int, sentence: str) -> bool:
        """Talking about the word (training, glossary, a tag called 'X'), not using it."""
        c = self.cues
        if c.meta.search(sentence):
            return True
        zone = self.normalized.zone_at(start, end)
        text = self.text
        after_start, before_end = end, start
        if zone is not None and zone.kind == "speech":
            if c.meta.search(text):
                return True
            after_start, before_end = zone.end, zone.start
        after = text[after_start : after_start + 40]
        before = text[max(0, before_end - 40) : before_end]
        if c.mention_after.search(after):
            return True
        quoted = zone is not None and zone.kind == "speech"
        if (quoted and c.mention_before.search(before)) or c.mention_before_bare.search(before):
            return True
        return bool(c.definition_after.search(text[end : end + 30]))

    def is_name(self, start: int, end: int) -> bool:
        """A capitalised name or title, not a label: "Karen Millen", "The Idiot", "Layer Eight
        Consulting". Only Title Case counts (an acronym in capitals is not a name)."""
        original = self.normalized.original
        o_start, o_end = self.normalized.to_original(start, end)
        word = original[o_start:o_end]
        lead = _LOWER_LEAD.match(word)  # "the Karen Millen order": judge the capitalised part
        if lead and lead.end() < len(word):
            o_start += lead.end()
            word = word[lead.end() :]
        if word[:1].isupper() and self.cues.company_after.match(original, o_end):
            return True  # "PEBKAC Ltd", "Layer Eight Networks"
        following = _NEXT_WORD.match(original, o_end)
        if following is not None and _DIAGNOSIS.fullmatch(following.group(1).lower().rstrip("™®")):
            return False
        if _title_phrase(word) or self._quoted_title(start, end):
            return True  # "Layer Eight's invoice", a quoted title: "The Idiot", "Skill Issue"
        if not word[:1].isupper() or word.isupper():
            return False
        if following and following.group(1)[0].isupper() and not following.group(1).isupper():
            return True
        # Only the last words before the match matter: look back a bounded stretch, so a long
        # message does not cost a scan from its start per match.
        preceding = _PREV_WORD.search(original, max(0, o_start - 80), o_start)
        if preceding is None or not preceding.group(1)[:1].isupper() or preceding.group(1).isupper():
            return False
        head = original[max(0, preceding.start() - 200) : preceding.start()].rstrip()
        return bool(head) and head[-1] not in ".!?:\"'>*_-\u2014"

    def _quoted_title(self, start: int, end: int) -> bool:
        """A quoted phrase of two or more words, every one capitalised (not shouted): a title."""
        zone = self.normalized.zone_at(start, end)
        if zone is None or zone.kind != "speech":
            return False
        o_start, o_end = self.normalized.to_original(zone.start, zone.end)
        return _title_phrase(self.normalized.original[o_start:o_end].strip("\"'`“”‘’ "))

    def suppresses(self, rule: Rule, start: int, end: int) -> bool:
        """True when the match at [start, end) is not the agent's own put-down or scolding."""
        text = self.text
        if rule.require_upper:
            o_start, o_end = self.normalized.to_original(start, end)
            typed = self.normalized.original[o_start:o_end]
            letters = [c for c in typed if c.isalpha()]
            # digits or symbols for letters ("p1cn1c") show the acronym is meant, whatever the case
            obfuscated = any(not c.isalpha() and not c.isspace() for c in typed)
            if not letters or (any(c.islower() for c in letters) and not obfuscated):
                return True
        if rule.unless_match is not None and rule.unless_match.fullmatch(text, start, end):
            return True
        skip = rule.skip
        if "quoted" in skip and self.in_others_words(start, end):
            return True
        if "colleague" in skip and self.colleague_directed:
            return True
        if rule.only_if_addressed and not self.reads_as_reply:
            return True
        sentence_start, sentence_end = self.sentence(start, end)
        after = text[end:sentence_end]
        # exceptions are clause-scoped: an "if"/"when" two clauses back does not excuse this one
        if rule.unless_before is not None and rule.unless_before.search(self.clause_before(sentence_start, start)):
            return True
        if rule.unless_after is not None and rule.unless_after.search(after):
            return True
        sentence = text[sentence_start:sentence_end]
        if rule.unless_sentence is not None and cue_outside(
            rule.unless_sentence, sentence, start - sentence_start, end - sentence_start
        ):
            return True
        if rule.unless_message is not None and cue_outside(rule.unless_message, text, start, end):
            return True
        if rule.only_if_message is not None and not rule.only_if_message.search(text):
            return True
        if "quoted" in skip and self.reported_from_others(sentence_start, start):
            return True
        if "meta" in skip and self.is_meta(start, end, sentence):
            return True
        if "name" in skip and self.is_name(start, end):
            return True
        clause = self.clause_before(sentence_start, start)
        if "negated" in skip and (
            (_NEGATED_BEFORE.search(clause) and not _hedged_denial(clause, after))
            or _ANSWERED_NO.match(text, end, end + 120)
        ):
            return True
        if _DENIED_OUTRIGHT.search(clause) and not _HEDGE_AFTER.search(after):
            return True
        if "self" in skip:
            c = self.cues
            if (
                c.self_before.search(clause)
                or c.self_clause.search(sentence)
                or c.self_after.search(text[end : end + 40])
                or (not _SECOND_PERSON.search(sentence) and c.self_reveal.search(text, end, end + SELF_REVEAL_REACH))
            ):
                return True
        return False


def _hedged_denial(clause: str, after: str) -> bool:
    """ "I'm not saying he's stupid, but ...": a denial that only sets up the word."""
    return bool(_SAYING_HEDGE.search(clause) and _HEDGE_AFTER_SAYING.search(after))


def addressed_to_customer(text: str) -> bool:
    """``MessageContext.addressed_to_customer`` for raw text: the question the LLM judge asks
    of a message the engine left unflagged (a flagged one's Analysis already says)."""
    return MessageContext(normalize(text)).addressed_to_customer
