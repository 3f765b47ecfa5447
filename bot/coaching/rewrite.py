"""Turn a flagged draft into a calmer one by editing the agent's own words (an LLM may improve
on it elsewhere).

An agent sends a suggestion only if it is still their message: same facts, same greeting and
sign-off, the blaming or scolding clause edited out, and a concrete next step at the end. So
each flagged sentence goes through candidate edits in order (clause-shape frames from
prompts/rewrites.toml, dropping the clause, removing the phrase, the rule file's own swap or
sentence, and only then a stock sentence), and the first candidate that keeps every fact, reads
cleanly and passes the detector wins. Frames are keyed on the shape of the wording, not on
rule ids, so new rules and new finding spans fall through to the generic edits.

Audience decides the shape: a reply to a customer gets a customer-facing rewrite with a next
step; a note to colleagues gets the same note minus the put-down and no customer tail; a
put-down in team chatter gets a reflection prompt about what tripped the customer up.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from bot.coaching import segments
from bot.coaching.audience import DRAFT_PREFIX, TO_COLLEAGUE, audience
from bot.coaching.detect import detect
from bot.coaching.facts import NOT_NOUN, Fact, extract, missing
from bot.coaching.harsh import shape_of
from bot.coaching.learned import is_learned
from bot.coaching.rewrite_eval import SIGN_OFF, capital_allowed, defects, has_next_step, hollow
from bot.coaching.rewrite_eval import body as body_of
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.topics import Topic, default_topics, topic_for
from bot.models import Analysis, Finding, Suggestion, severity_rank
from bot.prompts import PROMPTS_DIR, RuleError, read_toml

STRATEGIES_FILE = PROMPTS_DIR / "rewrites.toml"


def _words(text: str) -> list[str]:
    return text.split()


# What opens a message and survives any rewrite of its first sentence: "sending:", a greeting.
_KEEP_PREFIX = re.compile(
    r"^\s*(?:[*_~>]+\s*)?(?:(?:reply|sending|sent|draft|macro|response)\b[^:'\"\n]{0,30}[:>]\s*)?"
    r"['\"_*`]?\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|sir|madam|ma'am)\b"
    r"[^,\u2014!.?\n]{0,40}?(?:[,!]|\s[\u2014-])\s*)?",
    re.IGNORECASE,
)
_KEEP_SUFFIX = re.compile(r"['\"_*`”’]+\s*$")
_CLAUSE = re.compile(r"[^,;:\u2014\u2013]+(?:[,;:\u2014\u2013]+|$)")
_WORD = re.compile(r"[A-Za-z]{2,}")
_SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")
_MAX_PASSES = 3
# What a rule file's stock sentence may not add: a handoff, refund, deadline or follow-up the
# agent never offered.
_PROMISE = re.compile(
    r"another team|pass (?:it|this) (?:on|to)|hand(?:ing)? (?:it )?(?:off|over)|escalat|refund|follow up"
    r"|get back to you|introduction|\[\w+\]|by (?:today|tomorrow|monday|friday)",
    re.IGNORECASE,
)

_STRUGGLE = re.compile(
    r"\b(?:couldn'?t|could not|can'?t|cannot|didn'?t|did not|unable to|failed to|forgot to|no idea how to)\s+"
    r"(?:even\s+|figure out how to\s+|work out how to\s+|manage to\s+)?"
    r"(?P<verb>find|see|locate|open|read|follow|use|reset|set up|install|update|restart|log in(?: to)?|sign in(?: to)?"
    r"|understand|notice|plug in|turn on|switch on|charge|scroll|click|tap|select|enter|type|spot|pick)\s+"
    r"(?P<object>(?:the|their|his|her|a|an|its|which)\s+[a-z0-9][a-z0-9 '-]{1,40}?)"
    r"(?=[.,;!?)]|\s+(?:and|but|so|because|lol|again|smh|on|in|for|at|before|after|until)\b|$)",
    re.IGNORECASE,
)

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


# --- strategies as data ------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One clause shape and what to do with it: drop the stretch, or reframe it from a template."""

    id: str
    strategy: str  # "drop" | "reframe"
    pattern: re.Pattern[str]
    template: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class PutDown:
    """A kind of put-down (a label for "user error", a sneer at age...) and the questions that
    suit it: a reflection can then be about what this put-down hides, even when the note names
    nothing else. Spotted by the rules that found it or by its own words."""

    kind: str
    rules: frozenset[str]
    pattern: re.Pattern[str] | None
    prompts: tuple[str, ...]

    def fits(self, text: str, analysis: Analysis) -> bool:
        return any(f.rule in self.rules for f in analysis.findings) or (
            self.pattern is not None and self.pattern.search(text) is not None
        )


@dataclass(frozen=True)
class Strategies:
    """Everything prompts/rewrites.toml says; see that file's header for the schema."""

    frames: tuple[Frame, ...] = ()
    soften: tuple[tuple[re.Pattern[str], str], ...] = ()
    stock: dict[str, tuple[str, ...]] = field(default_factory=dict)
    openers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reflection: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fix: tuple[str, ...] = ("write down what tripped them up so the docs or the product can fix it",)
    put_downs: tuple[PutDown, ...] = ()


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where} must be a list of strings")
    return tuple(value)


def load_strategies(path: Path | str | None = None) -> Strategies:
    """Read the rewrite strategies; a broken file is a RuleError naming the entry."""
    path = Path(path) if path else STRATEGIES_FILE
    data = read_toml(path, missing_ok=True)
    if not data:
        return Strategies()
    frames = []
    for index, raw in enumerate(data.get("frame", []), start=1):
        where = f"{path.name}: frame #{index} ({raw.get('id', '?')})"
        strategy = raw.get("strategy")
        if strategy not in ("drop", "reframe"):
            raise RuleError(f"{where}: 'strategy' must be 'drop' or 'reframe'")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE)
        except (KeyError, re.error) as exc:
            raise RuleError(f"{where}: bad or missing 'pattern' ({exc})") from None
        template = raw.get("template", "")
        if strategy == "reframe" and not template:
            raise RuleError(f"{where}: a reframe needs a 'template'")
        unknown = {name for name, _ in _SLOT.findall(template)} - set(pattern.groupindex)
        if unknown:
            raise RuleError(f"{where}: template uses {sorted(unknown)}, which the pattern does not capture")
        frames.append(
            Frame(
                str(raw.get("id", index)),
                strategy,
                pattern,
                template,
                _string_list(raw.get("categories", []), f"{where}: 'categories'"),
            )
        )
    soften = []
    for index, raw in enumerate(data.get("soften", []), start=1):
        try:
            soften.append((re.compile(raw["pattern"], re.IGNORECASE), str(raw.get("replace", ""))))
        except (KeyError, re.error) as exc:
            raise RuleError(f"{path.name}: soften #{index}: bad or missing 'pattern' ({exc})") from None
    sections = {}
    for section in ("stock", "openers", "steps", "reflection"):
        raw = data.get(section, {})
        sections[section] = {
            key: _string_list(value, f"{path.name}: [{section}] {key}") for key, value in raw.items() if key != "fix"
        }
    for key, templates in sections["openers"].items():
        if any("{object}" not in template for template in templates):
            raise RuleError(
                f"{path.name}: [openers] {key}: every opener names the {{object}}; "
                "object-free sentences belong in [stock]"
            )
    fix = data.get("reflection", {}).get("fix", Strategies.fix)
    fix = _string_list(
        [fix] if isinstance(fix, str) else list(fix) if isinstance(fix, tuple) else fix,
        f"{path.name}: [reflection] fix",
    )
    put_downs = []
    for index, raw in enumerate(data.get("put_down", []), start=1):
        where = f"{path.name}: put_down #{index} ({raw.get('kind', '?')})"
        prompts = _string_list(raw.get("prompts"), f"{where}: 'prompts'")
        if not prompts:
            raise RuleError(f"{where}: 'prompts' is empty")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE) if "pattern" in raw else None  # type: ignore[assignment]
        except re.error as exc:
            raise RuleError(f"{where}: bad 'pattern' ({exc})") from None
        put_downs.append(
            PutDown(
                str(raw.get("kind", index)),
                frozenset(_string_list(raw.get("rules", []), f"{where}: 'rules'")),
                pattern,
                prompts,
            )
        )
    return Strategies(
        tuple(frames),
        tuple(soften),
        sections["stock"],
        sections["openers"],
        sections["steps"],
        sections["reflection"],
        fix,
        tuple(put_downs),
    )


@lru_cache(maxsize=1)
def default_strategies() -> Strategies:
    return load_strategies()


# What the slots of a last-resort sentence are filled with when it is checked on its own.
_PROBE = {
    "object": "the invoice",
    "subject": "the invoice",
    "fix": "the billing page may need a clearer note",
    "verb": "find",
    "cause": "the card had expired",
    "clause": "the card had expired",
}


def check_phrasing(
    rules: RuleSet, strategies: Strategies | None = None, topics: tuple[Topic, ...] | None = None
) -> Iterator[str]:
    """Problems with the coach's own sentences (rewrites.toml, the topics' next steps): each is
    what an agent may be told to send, so none may be flagged by the rules, read broken, be a
    hollow announcement or offer what the agent never did; a step must be a step, and an opener
    or stock sentence must not pass for one (or the real step is never added). The rules judge
    them alone, as they judge rule rewrites: the learned stage judges each whole suggestion."""
    strategies = strategies if strategies is not None else default_strategies()
    topics = topics if topics is not None else default_topics()
    sentences: list[tuple[str, str, str]] = []  # (where, role, text)
    for section, role in (
        (strategies.openers, "opener"),
        (strategies.stock, "opener"),
        (strategies.steps, "step"),
        (strategies.reflection, "question"),
    ):
        for key, texts in section.items():
            sentences += [(key, role, text) for text in texts]
    sentences += [(f"put_down {p.kind}", "question", text) for p in strategies.put_downs for text in p.prompts]
    sentences += [(f"topic {t.name}", "step", text) for t in topics for text in t.next_steps]
    for where, role, text in sentences:
        filled = _SLOT.sub(lambda m: _PROBE.get(m.group(1), m.group(1)), text)
        problems = []
        if _rules_only(filled, rules).flagged:
            problems.append("flagged by the rules")
        problems += defects("", filled)
        if hollow(filled):
            problems.append("a hollow announcement")
        if _PROMISE.search(filled) and role != "question":
            problems.append("offers a handoff, refund or follow-up")
        if role == "step" and not has_next_step(filled):
            problems.append("not read as a next step")
        if role == "opener" and has_next_step(filled):
            problems.append("reads as a next step, so the real one would never be added")
        for problem in problems:
            yield f"{where}: {problem}: {text!r}"


# --- the rewriter ------------------------------------------------------------------------


MAX_EDIT_CHARS = 1200  # measured: about 0.25 s of editing on a dense message of this size
MAX_EDIT_FINDINGS = 60


def rewrite(
    text: str,
    analysis: Analysis | None = None,
    rules: RuleSet | None = None,
    topics: tuple[Topic, ...] | None = None,
    strategies: Strategies | None = None,
) -> Suggestion | None:
    """A suggestion for a flagged message, or None when there is nothing to coach."""
    rules = rules if rules is not None else default_rules()
    analysis = analysis if analysis is not None else detect(text, rules)
    if not analysis.flagged:
        return None
    topics = topics if topics is not None else default_topics()
    strategies = strategies if strategies is not None else default_strategies()
    framed = _under_prefix(text, analysis, rules, topics, strategies)
    if framed is not None:
        return framed
    return _rewrite(text, analysis, rules, topics, strategies, audience(text, analysis))


def _under_prefix(
    text: str, analysis: Analysis, rules: RuleSet, topics: tuple[Topic, ...], strategies: Strategies
) -> Suggestion | None:
    """The draft after a "sending:" prefix rewritten as a reply to the customer, the prefix kept
    as is; None when there is no such prefix, it holds a finding itself, or nothing follows it."""
    head = DRAFT_PREFIX.match(text)
    if (
        head is None
        or not text[head.end() :].strip()
        or TO_COLLEAGUE.match(text)
        or any(f.start < head.end() and not _whole_sentence(f.rule) for f in analysis.findings)
    ):
        return None  # the label itself holds the put-down ("draft to the idiot in #4410:")
    prefix = head.group(0)
    if any(prefix.count(mark) % 2 for mark in ("'", '"', "`")) or prefix.count("“") != prefix.count("”"):
        return None  # the colon sits inside a quotation: it is part of the draft, not its label
    shift = head.end()
    rest = text[shift:]
    # a finding of the whole message (the learned stage) is clipped to the draft after the label
    inner = Analysis(
        text=rest,
        findings=tuple(
            replace(f, start=max(0, f.start - shift), end=f.end - shift) for f in analysis.findings if f.end > shift
        ),
        categories=analysis.categories,
        severity=analysis.severity,
        addressed_to_customer=True,
        model_score=analysis.model_score,
    )
    suggestion = _rewrite(rest, inner, rules, topics, strategies, "customer")
    if suggestion is None or suggestion.kind != "rewrite":
        return None
    joined = prefix + (" " if prefix and not prefix[-1].isspace() else "") + suggestion.text
    if detect(joined, rules).flagged or defects(text, joined):
        return None
    return Suggestion(text=joined, kind="rewrite", principles=analysis.principles)


def _rewrite(
    text: str, analysis: Analysis, rules: RuleSet, topics: tuple[Topic, ...], strategies: Strategies, who: str
) -> Suggestion:
    """The suggestion for a flagged message whose audience is known."""
    if who == "chatter":
        return Suggestion(
            text=reflection(text, analysis, rules, topics, strategies),
            kind="reflection",
            principles=analysis.principles,
        )
    editor = _Editor(text, analysis, rules, strategies, customer=who == "customer")
    # Sentence editing re-checks the whole draft per candidate: fine for a reply, quadratic for
    # a wall of text. A live nudge must arrive within a second, so a long or dense message
    # gets the calm opener and a next step instead of an edit of every sentence.
    long_or_dense = len(text) > MAX_EDIT_CHARS or len(analysis.findings) > MAX_EDIT_FINDINGS
    draft = None if long_or_dense else editor.run()
    if draft is not None:
        draft = editor.without_harsh(draft)
    if draft is not None and who == "customer":
        lost = [f.text for f in missing(editor.facts, draft) if f.kind == "phrase"]
        draft = _with_next_step(draft, text, analysis, topics, strategies, rules, lost, avoid=editor.named_in(draft))
    if draft is None or detect(draft, rules).flagged:  # the whole engine, learned stage included, has the last word
        draft = _first_sendable(editor, text, analysis, topics, strategies, rules, customer=who == "customer")
        if draft is None:  # nothing sendable passes: a question, never a flagged text
            return Suggestion(
                text=reflection(text, analysis, rules, topics, strategies),
                kind="reflection",
                principles=analysis.principles,
            )
    return Suggestion(text=draft, kind="rewrite", principles=analysis.principles)


MAX_FALLBACKS = 12  # whole replacements tried before a reflection; each costs a detector run or a few


def _first_sendable(
    editor: _Editor,
    text: str,
    analysis: Analysis,
    topics: tuple[Topic, ...],
    strategies: Strategies,
    rules: RuleSet,
    customer: bool,
) -> str | None:
    """The first whole replacement that, with its next step, the full engine passes."""
    for index, (candidate, named) in enumerate(editor.fallbacks()):
        if index >= MAX_FALLBACKS:
            break
        if customer:
            candidate = _with_next_step(candidate, text, analysis, topics, strategies, rules, [], avoid=named)
        if not detect(candidate, rules).flagged and not defects(text, candidate):
            return candidate
    return None


def _rules_only(text: str, rules: RuleSet) -> Analysis:
    """Sentence edits are judged by the rules alone: a cause stated before its next step is
    added can read as blame to the learned stage, which then judges the finished rewrite."""
    return detect(text, rules, model=None)


def _primary_category(analysis: Analysis) -> str:
    worst = max(analysis.findings, key=lambda f: (severity_rank(f.severity), -f.start))
    return worst.category


def _rotated(options: tuple[str, ...] | list[str], text: str, salt: str = "") -> list[str]:
    """The variants in an order the message's own text picks: stable for one message, different
    across messages. A ``salt`` per use keeps the opener's and the step's choices independent."""
    if not options:
        return []
    # a real hash, not a CRC: two CRCs of one text under different prefixes differ by a constant,
    # so the opener's and the step's choices would move together
    digest = hashlib.blake2b((salt + "\0" + text).encode("utf-8"), digest_size=8).digest()
    turn = int.from_bytes(digest, "big") % len(options)
    return [*options[turn:], *options[:turn]]


def _pick(options: tuple[str, ...] | list[str], text: str, salt: str = "") -> str:
    """A stable choice among variants, so different messages do not all get the same words."""
    return _rotated(options, text, salt)[0] if options else ""


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans covering the whole text: the splitter detection uses (bot.coaching.segments)."""
    return segments.sentence_spans(text)


class _Editor:
    """Edits one message sentence by sentence, checking every candidate against the original."""

    def __init__(self, text: str, analysis: Analysis, rules: RuleSet, strategies: Strategies, customer: bool) -> None:
        self.original = text
        self.analysis = analysis
        self.rules = rules
        self.strategies = strategies
        self.customer = customer
        self.facts: list[Fact] = extract(text, analysis)
        self.objects = _objects(text, analysis, rules)
        self.used_stock: set[str] = set()
        first = text.lstrip()[:1]
        self.capital = not first.isalpha() or first.isupper()

    def run(self) -> str | None:
        """The message with every flagged sentence edited, or None when no edit clears it."""
        draft, current = self.original, self.analysis
        for _ in range(_MAX_PASSES):
            draft = self._pass(draft, current)
            current = _rules_only(draft, self.rules)
            if not current.flagged:
                return draft
        return None

    def without_harsh(self, draft: str) -> str:
        """The draft without the sentences (or clauses) of a harsh shape the detector missed on
        their own ("I don't know how many ways I can say this", "stop using the old app"): each
        goes when what is left keeps the message's numbers, names and markup, reads cleanly and
        passes the rules. A noun phrase inside the harsh sentence may go with it."""
        hard = [f for f in self.facts if f.kind != "phrase" and not missing([f], draft)]
        for start, end in reversed(_sentences(draft)):
            sentence = draft[start:end]
            shape = shape_of(sentence)
            if shape is None:
                continue
            prefix = _KEEP_PREFIX.match(sentence) if start == 0 else None
            head = prefix.group(0) if prefix else ""
            body = sentence[len(head) :].rstrip()
            suffix = _KEEP_SUFFIX.search(body)
            closing = suffix.group(0).strip() if suffix and suffix.start() > 0 else ""
            trailing = closing + sentence[len(sentence.rstrip()) :]
            body = body[: len(body) - len(suffix.group(0))] if suffix and closing else body
            clauses = [m.group(0) for m in _CLAUSE.finditer(body) if m.group(0).strip()]
            kept = "".join(c for c in clauses if shape_of(c) is None).strip().rstrip(",;:\u2014\u2013 ")
            stop = body[-1] if body[-1:] in ".!" else "."  # a question whose tag went is a statement
            softened = self._soften(body).strip()
            options = (
                [head + _fit_case(head, len(head), softened) + trailing]
                if softened != body.strip() and shape_of(softened) is None
                else []
            )
            if kept and len(_WORD.findall(kept)) >= 3 and shape_of(kept) is None:
                options.append(head + _fit_case(head, len(head), kept.rstrip(".!?")) + stop + trailing)
            options.append(head + trailing if head or closing else "")
            stock = [
                t
                for t in _rotated(self.strategies.stock.get(shape.category, ()), self.original, "harsh:")
                if t not in self.used_stock
            ]
            options += [head + _fit_case(head, len(head), t) + trailing for t in stock[:3]] if self.customer else []
            for option in options:
                full = _tidy(draft[:start] + option + draft[end:], self.capital, self.original)
                if (
                    _has_content(body_of(full))
                    and not missing(hard, full)
                    and not defects(self.original, full)
                    and not _rules_only(full, self.rules).flagged
                ):
                    draft = full
                    break
        return draft

    def fallbacks(self) -> Iterator[tuple[str, str]]:
        """Nothing of the draft could be kept: whole replacements, best first, each with the
        object its opener names (or ""). A reply gets its greeting, then an opener about the
        thing the customer mentioned or a stock sentence of the category, in an order the
        message picks; the caller adds the step and has the detector judge the whole. A note
        to colleagues gets no customer-facing sentence: only the note minus the put-down."""
        if not self.customer:
            note = self.original
            for finding in sorted(self.analysis.findings, key=lambda f: f.start, reverse=True):
                note = _splice(note, finding.start, finding.end, "")
            note = re.sub(r"(?<!\w)['\"“‘]\s*(?:\w+\s*){0,2}['\"”’](?!\w)", "", note)
            note = _tidy(self._soften(note), self.capital, self.original)
            if _has_content(note) and not _rules_only(note, self.rules).flagged and not defects(self.original, note):
                yield note, ""
            return
        category = _primary_category(self.analysis)
        prefix = _KEEP_PREFIX.match(self.original)
        head = prefix.group(0) if prefix else ""
        tail_match = _KEEP_SUFFIX.search(self.original)
        tail = tail_match.group(0).strip() if tail_match and tail_match.start() > len(head) else ""
        choices = [
            *self._openers(category),
            *((s, "") for s in _rotated(self.strategies.stock.get(category, ()), self.original, "stock:")),
        ]
        choices.append((self.rules.categories[category].fallback, ""))
        for sentence, named in choices:
            # the greeting and closing mark kept when they read cleanly (a macro's opening fence
            # without its closing one does not), else the sentence alone
            joint = " " if head[-1:] in ".!?" else ""  # "Hi James." then the sentence
            whole = head + joint + _fit_case(head, len(head), sentence) + tail
            for candidate in (_tidy(whole, self.capital, self.original), sentence):
                if (
                    not _rules_only(candidate, self.rules).flagged
                    and not hollow(candidate)
                    and not defects(self.original, candidate)
                ):
                    yield candidate, named
                    break

    def named_in(self, draft: str) -> str:
        """The object an opener of ours names in ``draft`` (so the step names something else), or ""."""
        category = _primary_category(self.analysis)
        return next(
            (thing for sentence, thing in self._openers(category) if sentence.rstrip(".").lower() in draft.lower()), ""
        )

    def _openers(self, category: str) -> list[tuple[str, str]]:
        """The category's openers about the first thing the message names, in the message's order."""
        if not self.objects:
            return []
        thing = self.objects[0]
        return [
            (template.replace("{object}", thing), thing)
            for template in _rotated(self.strategies.openers.get(category, ()), self.original, "open:")
        ]

    def _pass(self, draft: str, analysis: Analysis) -> str:
        sentences = _sentences(draft)
        by_sentence: dict[int, list[Finding]] = {}
        for finding in analysis.findings:
            # a match that starts on the previous sentence's full stop (". Had you read") belongs
            # to the sentence it reads into
            lead = re.match(r"[\s.!?,;:]+", draft[finding.start : finding.end])
            if lead and lead.end() < finding.end - finding.start:
                finding = replace(finding, start=finding.start + lead.end())
            index = next((i for i, (s, e) in enumerate(sentences) if s <= finding.start < e), len(sentences) - 1)
            by_sentence.setdefault(index, []).append(finding)
        required = [f for f in self.facts if not missing([f], draft)]
        for index in sorted(by_sentence, reverse=True):
            start, end = sentences[index]
            draft = self._edit_sentence(draft, start, end, by_sentence[index], required)
        return _tidy(draft, self.capital, self.original)

    def _edit_sentence(self, draft: str, start: int, end: int, findings: list[Finding], required: list[Fact]) -> str:
        best: tuple[tuple[int, int], str] | None = None
        original_start = _FRAGMENT.match(_strip_prefix(draft[start:end], start))
        for candidate in self._candidates(draft, start, end, findings):
            if not original_start and _FRAGMENT.match(_strip_prefix(candidate, start)):
                continue  # "from the error message what's wrong": a clause cut off its subject
            full = _tidy(draft[:start] + candidate + draft[end:], self.capital, self.original)
            if not _has_content(full):
                continue
            lost = len(missing(required, full))
            broken = defects(self.original, full)
            reflagged = self._still_flagged(full, candidate)
            if not lost and not broken and not reflagged:
                return draft[:start] + candidate + draft[end:]
            if not reflagged and not broken and (best is None or (lost, 0) < best[0]):
                best = ((lost, 0), draft[:start] + candidate + draft[end:])
        return best[1] if best else draft

    def _still_flagged(self, full: str, candidate: str) -> bool:
        """Does the detector still find something in the edited sentence (or anything new)?"""
        found = _rules_only(full, self.rules)
        return any(f.match and f.match in candidate for f in found.findings) or (
            len(found.findings) > len(self.analysis.findings)
        )

    def _candidates(self, draft: str, start: int, end: int, findings: list[Finding]) -> Iterator[str]:
        """Edits of one sentence, best first."""
        sentence = draft[start:end]
        body = sentence.rstrip()
        trailing = sentence[len(body) :]
        local = [(max(0, f.start - start), min(len(body), f.end - start)) for f in findings]
        categories = {f.category for f in findings}
        seen: set[str] = set()

        def fresh(candidate: str) -> bool:
            if candidate in seen or candidate == sentence:
                return False
            seen.add(candidate)
            return True

        framed = self._apply_frames(body, local, categories)
        for edited in framed:
            for candidate in (self._soften(edited) + trailing, edited + trailing):
                if fresh(candidate):
                    yield candidate
        head = _KEEP_PREFIX.match(body) if start == 0 else None
        lead = head.group(0) if head else ""
        if any(_whole_sentence(f.rule) for f in findings) and ":" in body[len(lead) :]:
            # "I'll spell it out since nothing landed: restart the modem": the point is after the colon
            point = body[len(lead) :].rsplit(":", 1)[1].strip()
            if len(_WORD.findall(point)) >= 3 and not point.startswith(("//", "/")):
                candidate = lead + _fit_case(lead, len(lead), point) + trailing
                if fresh(candidate):
                    yield candidate
        dropped = _drop_clauses(body, local)
        if dropped is not None:
            for candidate in (self._soften(dropped) + trailing, dropped + trailing):
                if fresh(candidate):
                    yield candidate
        softened = self._soften(body)
        if softened != body and fresh(softened + trailing):
            yield softened + trailing
        if all(len(body[a:b].split()) <= 2 for a, b in local):
            removed = _remove_spans(body, local)
            for candidate in (self._soften(removed) + trailing, removed + trailing):
                if fresh(candidate) and len(_WORD.findall(removed)) >= 3:
                    yield candidate
        swapped = self._rule_swap(body, start, findings)
        if swapped is not None and fresh(swapped + trailing):
            yield swapped + trailing
        prefix_match = _KEEP_PREFIX.match(body) if start == 0 else None
        prefix = prefix_match.group(0) if prefix_match else ""
        suffix_match = _KEEP_SUFFIX.search(body)
        suffix = suffix_match.group(0) if suffix_match and suffix_match.start() > len(prefix) else ""
        trailing = suffix + trailing
        leading = body[: len(body) - len(body.lstrip())]
        outside = body_of(draft[:start] + " " + draft[end:])
        if len(_WORD.findall(outside)) >= 3 and fresh(prefix or leading):
            yield prefix or leading
        if not self.customer:
            return
        # Last resorts: an opener about the thing the message names, then the rule files' own
        # sentences and the category's stock ones, each in a per-message order so that a hundred
        # "calm down"s do not all get the same words.
        own: list[str] = []
        for finding in findings:
            rule = self.rules.get(finding.rule)
            sentence_text = rule.rewrite_sentence if rule is not None else None
            if sentence_text and not hollow(sentence_text) and not _PROMISE.search(sentence_text):
                own.append(sentence_text)
        category = _primary_category(self.analysis)
        stock = [s for s in self.strategies.stock.get(category, ()) if s not in self.used_stock]
        vocative = _VOCATIVE.search(body)
        openers = [sentence for sentence, _ in self._openers(category) if sentence not in self.used_stock]
        choices = openers + _rotated(own + stock, self.original, "stock:")
        if choices:
            for choice in choices:
                if vocative and vocative.start() >= len(prefix):  # "..., Mrs Park." keeps the name
                    choice = choice.rstrip(".!") + vocative.group(1) + (choice[-1] if choice[-1] in ".!" else ".")
                candidate = prefix + _fit_case(prefix, len(prefix), choice) + trailing
                if fresh(candidate):
                    self.used_stock.add(choice)
                    yield candidate

    def _apply_frames(self, body: str, local: list[tuple[int, int]], categories: set[str]) -> list[str]:
        """For each frame that matches a stretch overlapping a finding: that frame, then any
        others greedily for the findings left; the fullest edits first."""
        frames = sorted(self.strategies.frames, key=lambda fr: not (set(fr.categories) & categories))
        out: list[str] = []
        for first in frames:
            if not any(
                m.group(0) and any(m.start() < e and s < m.end() for s, e in local)
                for m in first.pattern.finditer(body)
            ):
                continue
            for result in self._chain(body, local, [first, *[f for f in frames if f is not first]]):
                if result not in out:
                    out.append(result)
            if len(out) >= 8:
                break
        return out

    def _chain(self, body: str, local: list[tuple[int, int]], frames: list[Frame]) -> list[str]:
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
                    replacement = "" if frame.strategy == "drop" else _fill(frame.template, match)
                    replacement = _fit_case(current, match.start(), replacement)
                    lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
                    if lead and (frame.strategy == "reframe" or match.start() == 0):
                        replacement = lead + replacement
                    current = _splice(current, match.start(), match.end(), replacement)
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

    def _soften(self, text: str) -> str:
        for pattern, replacement in self.strategies.soften:
            text = pattern.sub(
                lambda m, r=replacement: _fit_case(m.string, m.start(), r) if r else "",  # type: ignore[misc]
                text,
            )
        return text

    def _rule_swap(self, body: str, start: int, findings: list[Finding]) -> str | None:
        """The rule files' phrase swap (``rewrite = "..."``), kept as a later fallback."""
        edited = body
        for finding in sorted(findings, key=lambda f: f.start, reverse=True):
            rule = self.rules.get(finding.rule)
            if rule is None or rule.rewrite is None:
                return None
            a, b = max(0, finding.start - start), min(len(edited), finding.end - start)
            replacement = _fit_case(edited, a, rule.rewrite.strip())
            if re.search(r"\b(?:a|an|the|this|that)\s+(?:\w+\s+)?$", edited[:a], re.IGNORECASE):
                replacement = re.sub(r"^(?:a|an)\s+", "", replacement, flags=re.IGNORECASE)
            edited = _splice(edited, a, b, replacement)
            edited = re.sub(r"\b([Aa])n(\s+)(?=[b-df-hj-np-tv-z])", r"\1\2", edited)
            edited = re.sub(r"\b([Aa])(\s+)(?=[aeio])", r"\1n\2", edited)
        return edited if len(_WORD.findall(edited)) >= 3 else None


# A name the sentence is addressed to, at its end: ", Mrs Park." / ", Sam!"
_VOCATIVE = re.compile(r"(,\s*(?:(?:Mrs|Mr|Ms|Dr|Mx)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s*[.!?]*['\"_*`”’]*\s*$")
# How a sentence starts when a drop cut off its subject or verb.
_FRAGMENT = re.compile(r"\W*(?:from|like|of|than|by|with|in my|on my|as|to|because|since|which|who)\b", re.IGNORECASE)


def _strip_prefix(sentence: str, start: int) -> str:
    """The sentence without its greeting or "sending:" opener (only the message's first one has them)."""
    if start:
        return sentence
    prefix = _KEEP_PREFIX.match(sentence)
    return sentence[prefix.end() :] if prefix else sentence


def _fill(template: str, match: re.Match[str]) -> str:
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

    return re.sub(r" {2,}", " ", _SLOT.sub(slot, template)).strip()


def _noun_phrase(value: str) -> tuple[str, str]:
    """Split "the documents late" into ("the documents", "late")."""
    words = value.split()
    cut = 1
    while cut < len(words) and cut < 4 and re.fullmatch(r"[a-z][\w-]*", words[cut]) and words[cut] not in _NP_STOP:
        cut += 1
    if cut < len(words) and words[cut].lower() in _PRONOUNS:  # "the card we emailed you about": one phrase
        return value, ""
    return " ".join(words[:cut]), " ".join(words[cut:])


_PRONOUNS = frozenset(_words("we you i they he she our"))
_NP_STOP = frozenset(
    _words(
        "wrong wrongly incorrectly twice again by on in at to for with from before after when and or but so because "
        "which that instead too late early back off out up down yourself yourselves there here already "
        "during while into onto over under through without within until since as about across via per then"
    )
)


def _splice(text: str, start: int, end: int, replacement: str) -> str:
    """Replace text[start:end], keeping one space between words and none before punctuation.
    A span that swallowed the previous sentence's full stop (". Had you opened") leaves it."""
    stop = re.match(r"[.!?]+(?=\s)", text[start:end])
    if stop and replacement[:1] not in (".", "!", "?") and end - start > stop.end():
        start += stop.end()
    before, after = text[:start], text[end:]
    if replacement:
        if before and not before[-1].isspace() and before[-1] not in "(\"'“‘" and replacement[0].isalnum():
            replacement = " " + replacement
        if after and after[0].isalnum():
            replacement = replacement + " "
    elif before and after and not before[-1].isspace() and after[0].isalnum():
        replacement = " "
    return before + replacement + after


def _drop_clauses(body: str, spans: list[tuple[int, int]]) -> str | None:
    """The sentence without the clauses that hold a finding, when some other clause is left."""
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(body) if m.group(0)]
    prefix = _KEEP_PREFIX.match(body)
    keep_until = prefix.end() if prefix else 0
    kept = []
    dropped = False
    for s, e in clauses:
        if e <= keep_until:
            kept.append(body[s:e])
            continue
        if any(a < e and s < b for a, b in spans):
            dropped = True
            continue
        kept.append(body[s:e])
    if not dropped:
        return None
    lead = body[: len(body) - len(body.lstrip())]
    result = lead + "".join(kept).strip()
    if len(_WORD.findall(result[keep_until:])) < 3:
        return None
    if body.rstrip()[-1:] in ".!?" and result[-1:] not in ".!?":
        result = result.rstrip(",;:\u2014\u2013 ") + body.rstrip()[-1]
    return result


def _remove_spans(body: str, spans: list[tuple[int, int]]) -> str:
    out = body
    for a, b in sorted(spans, reverse=True):
        out = _splice(out, a, b, "")
    return out


def _fit_case(text: str, position: int, replacement: str) -> str:
    """Capitalise at the start of a sentence, lower-case after a comma or a greeting."""
    if not replacement:
        return replacement
    before = text[:position].rstrip()
    at_start = not before or before[-1] in '.!?\n:"_*`>' or re.search(r"(?:^|\s)['\"“]$", before) is not None
    if at_start:
        return replacement[0].upper() + replacement[1:]
    first = replacement.split(" ", 1)[0]
    if first in ("I", "I'm", "I'll", "I've", "I'd") or (first[:1].isupper() and first[1:2].isupper()):
        return replacement
    if re.search(r"\b" + re.escape(first) + r"\b", text[:position]) and first[:1].isupper():
        return replacement
    return replacement[0].lower() + replacement[1:]


def _tidy(text: str, capital_start: bool = True, original: str = "") -> str:
    """Splice debris out: doubled spaces and punctuation, dangling commas, lower-case starts."""
    text = text.strip()
    lower_start = not capital_start and text[:1].islower()
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"(\w) +([,.!?;:])(?![\w.])", r"\1\2", text)
    text = re.sub(r"([.!?])\s+(['\"_*`]+)(?=\s|$)", r"\1\2", text)
    text = re.sub(r"[,;:]\s*([,;:])", r"\1", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"([,;])\s*[\u2014\u2013-]\s+", r"\1 ", text)
    text = re.sub(r"(?<=[.!?])\s*[,;:]\s*", " ", text)
    text = re.sub(r"(^|[.!?]\s+|\n)\s*(?:and|but|so|or)\s+(?=[a-z])", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"(^|[.!?]\s+|\n)(['\"“‘]?)([a-z])", lambda m: m.group(1) + m.group(2) + m.group(3).upper(), text)
    text = re.sub(r"\b(\w+)\s+\1\b", r"\1", text)
    text = _GLUED.sub(r"\1 ", text)  # "nope.I'm sorry" -> "nope. I'm sorry"
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"(?m)^[ \t]*[,;:]\s*", "", text)
    text = re.sub(r"(?m)[ \t]+$", "", text)
    text = text.strip()
    if lower_start and text[:1].isupper() and not text[1:2].isupper() and not text.startswith(("I ", "I'")):
        text = text[0].lower() + text[1:]
    return _after_greeting(text, original)


# "Hi Raj, Tap the blue button.": the capital of a sentence whose start was cut after a greeting.
_GREETING_COMMA = re.compile(
    r"^(\W*(?:(?:reply|sending|sent|draft|macro|response)\b[^:'\"\n]{0,30}:\s*)?['\"_*`]?\s*"
    r"(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^,\n.!?]{0,40},[ \t]+)([A-Z][a-z]+)\b",
    re.IGNORECASE,
)


def _after_greeting(text: str, original: str) -> str:
    """Lower-case the word after "Hi Name, " unless the original had it there or it is a name."""
    match = _GREETING_COMMA.match(text)
    if not match or not match.group(2)[1:].islower() or capital_allowed(match.group(2), original or text):
        return text
    return text[: match.start(2)] + match.group(2).lower() + text[match.end(2) :]


# A sentence glued to the word before it (a plain word, not a link, file name or version).
_GLUED = re.compile(r"(?<![\w./@:<|-])([A-Za-z]*[a-z]{2}[.!?])(?=I\b|I'|[A-Z][a-z])")


def _has_content(text: str) -> bool:
    return len(_WORD.findall(text)) >= 3


# --- next steps --------------------------------------------------------------------------


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
        "messages reply note admin admins keyboard chair"
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
_DETERMINER = frozenset(_words("the your this that these those our"))


_COMPLEMENT_VERB = re.compile(
    r"\b(?:keep|keeps|kept|keeping|make|makes|made|making|stay|get|got|leave|left)\s+$", re.IGNORECASE
)


def _thing(text: str, fact: Fact) -> str:
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


def _whole_sentence(rule_id: str) -> bool:
    """A finding that spans the whole sentence (the learned stage, an LLM judge), not a phrase."""
    return is_learned(rule_id) or rule_id == "llm-judge"


def _objects(text: str, analysis: Analysis, rules: RuleSet | None = None) -> list[str]:
    """Noun phrases of the message the customer could look at: those outside the findings
    (near a finding first), then those inside a finding that spans a whole sentence (the
    learned stage flags "the price is the price" whole, and the price is still the subject);
    never the words a rule matched, a person, or a phrase the rules flag."""
    outside = [f for f in extract(text, analysis) if f.kind == "phrase"]
    near = {f.start for f in analysis.findings}
    outside.sort(key=lambda f: min((abs(f.start - s) for s in near), default=0))
    matched = [(f.start, f.end) for f in analysis.findings if not _whole_sentence(f.rule)]
    inside = [f for f in extract(text, skip=matched) if f.kind == "phrase" and f not in outside]
    out: list[str] = []
    for fact in [*outside, *inside]:
        phrase = _thing(text, fact)
        if not phrase or phrase in out or (rules is not None and _rules_only(phrase, rules).flagged):
            continue
        out.append(phrase)
    return out


def _with_next_step(
    draft: str,
    original: str,
    analysis: Analysis,
    topics: tuple[Topic, ...],
    strategies: Strategies,
    rules: RuleSet,
    lost: list[str] | None = None,
    avoid: str = "",
) -> str:
    """End a customer-facing rewrite with a concrete step, unless the agent already gave one.

    The most specific step that passes wins: about a thing the edit had to give up ("the setup
    page"), so the suggestion still points at it; then the message's topic; then the thing the
    message names (not ``avoid``, which the opener already names); then the category's and the
    generic ones. Within each group the message's text picks the order."""
    lost = [phrase[0].lower() + phrase[1:] for phrase in lost or []]
    if has_next_step(draft) and not lost:
        return draft
    category = _primary_category(analysis)
    named = [step for step in strategies.steps.get(category, ()) if "{object}" in step]
    groups: list[list[str]] = []
    if lost:
        groups.append([step.replace("{object}", lost[0]) for step in named])
    topic = topic_for(original, topics)
    if topic is not None:
        groups.append(list(topic.next_steps))
    objects = [thing for thing in _objects(original, analysis, rules) if thing != avoid]
    if objects:
        groups.append([step.replace("{object}", objects[0]) for step in named])
    groups.append(
        [step for step in strategies.steps.get(category, ()) if "{object}" not in step]
        + list(strategies.steps.get("generic", ()))
    )
    rotated: list[str] = []
    for group in groups:
        rotated += _rotated(group, original, "step:")
    given = any(fact.kind == "number" for fact in extract(original))
    timed = _GIVES_TIME.search(original) is not None
    # a step that asks for what the message already gives (a number, a time or date) comes last
    rotated.sort(
        key=lambda step: (
            (given and _ASKS_FOR_NUMBER.search(step) is not None) or (timed and _ASKS_FOR_TIME.search(step) is not None)
        )
    )
    for step in rotated:
        candidate = _insert_step(draft, step)
        if not detect(candidate, rules).flagged and not defects(original, candidate):
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


def _insert_step(text: str, step: str) -> str:
    """Put the step before the sign-off, inside a closing quote, after a full stop."""
    sign_off = SIGN_OFF.search(text)
    tail = ""
    if sign_off:
        text, tail = text[: sign_off.start()].rstrip(), text[sign_off.start() :]
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
    if text and text[-1] not in ".!?":
        text = text.rstrip(",;:\u2014\u2013- ") + "."
    separator = "\n\n" if "\n\n" in text and not closing else " "
    return f"{text}{separator}{step}{closing}{tail}"


# --- reflections -------------------------------------------------------------------------


# Last resorts when no reflection of the category, topic or put-down kind fits the message.
LAST_REFLECTIONS = (
    "What got in their way here?",
    "Which step lost them, and could the guide show it better?",
    "Where did the steps stop making sense for them?",
)


def reflection(
    text: str,
    analysis: Analysis,
    rules: RuleSet | None = None,
    topics: tuple[Topic, ...] | None = None,
    strategies: Strategies | None = None,
) -> str:
    """A question about what tripped the customer up, in the message's own words: the struggle
    ("couldn't find the power button"), the cause the note names ("she had caps lock on"), or
    what the note is about (an account, a product, a ticket), then how to stop it recurring."""
    rules = rules if rules is not None else default_rules()
    topics = topics if topics is not None else default_topics()
    strategies = strategies if strategies is not None else default_strategies()
    topic = topic_for(text, topics)
    fix = topic.fix if topic is not None and topic.fix else _pick(strategies.fix, text, "fix")
    templates = strategies.reflection
    groups: list[list[str]] = []  # most specific first; the message's text orders each group

    def add(kind: str, **slots: str) -> None:
        groups.append([t.format(fix=fix, **slots) for t in _rotated(templates.get(kind, ()), text, kind)])

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
    category = _primary_category(analysis)
    subject, kind = _about(text, analysis, rules)
    things = [thing for thing in _objects(text, analysis, rules) if thing.split()[0].lower() != "your"]
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
        groups.append([t.format(fix=fix) for t in _rotated(put_down.prompts, text, "put_down")])
    add("plain")
    ordered = [option for group in groups for option in group]
    ordered.append(rules.categories[category].reflection)
    ordered += LAST_REFLECTIONS  # the model reads some plain questions as harsh: more than one to fall back on
    for option in ordered:
        if option and not detect(option, rules).flagged and not defects(text, option):
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


def _about(text: str, analysis: Analysis, rules: RuleSet | None = None) -> tuple[str, str]:
    """What a chatter note is about: "the Orchard account", "Tillman Sports", "ticket 88012"."""
    found = extract(text, analysis)

    def thing(fact: Fact) -> str:  # a thing, not a person or a put-down ("the hotel guest", "the PICNIC")
        named = _thing(text, fact)
        return "" if not named or (rules is not None and _rules_only(named, rules).flagged) else named

    for fact in found:
        if fact.kind == "phrase" and any(w[:1].isupper() for w in fact.text.split()[1:]) and thing(fact):
            return fact.text[0].lower() + fact.text[1:], "phrase"
    names = [f for f in found if f.kind == "name" and not _scare_quoted(text, f)]
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
