"""A workspace's own coaching settings, applied to an Analysis. Pure: no I/O, no Slack.

Managers tune the coach without forking its rule files: mute a noisy rule (everywhere or in
one channel), allow a phrase the team uses innocently, add their own terms, pick channels
and a severity threshold. The store keeps the rows (bot.store, migration
m003_workspace_settings); this module turns them into one frozen ``WorkspaceSettings`` and
applies it after detection, so the detector itself stays the same for every surface.
``SettingsCache`` re-reads the rows at most once a ``ttl`` so a change reaches the next
message within a second, without a restart and without a query per message.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.detect import _categories, _message_severity, detect
from bot.models import CATEGORIES, SEVERITIES, Analysis, severity_rank
from bot.rules import Rule, RuleError, RuleSet, Vocab, load_vocab, parse_rule

log = logging.getLogger(__name__)

MAX_PHRASE = 200
WORKSPACE_SOURCE = "workspace"  # Rule.source of a custom term: where `rules list --source` says it lives


@dataclass(frozen=True)
class Mute:
    """A rule switched off: everywhere (channel "") or in one channel."""

    rule: str
    channel: str = ""


@dataclass(frozen=True)
class Allow:
    """A phrase (or regex) the team uses innocently: findings inside it are silenced.

    ``rule`` "" silences any rule's finding there; otherwise only that rule's.
    """

    phrase: str
    is_pattern: bool = False
    rule: str = ""

    def compiled(self) -> re.Pattern[str]:
        return allow_pattern(self.phrase, self.is_pattern)


@dataclass(frozen=True)
class CustomTerm:
    """A team's own term, compiled into a Rule exactly as a rule file's [[rule]] would be."""

    rule_id: str
    phrase: str
    category: str
    severity: str
    tip: str
    rewrite: str | None = None
    is_pattern: bool = False
    anchors: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkspaceSettings:
    """Everything a workspace has set; equal rows give an equal object (the cache relies on it)."""

    mutes: frozenset[Mute] = frozenset()
    allows: tuple[Allow, ...] = ()
    terms: tuple[CustomTerm, ...] = ()
    watched: frozenset[str] = frozenset()
    ignored: frozenset[str] = frozenset()
    threshold: str | None = None  # everywhere; None: every severity is nudged
    channel_thresholds: tuple[tuple[str, str], ...] = ()  # (channel, severity), sorted
    # Options set in Slack or the CLI (bot.workspace_options); None: not set, the environment decides.
    managers: frozenset[str] | None = None
    digest_channel: str | None = None  # "" switches the digest off
    digest_schedule: str | None = None
    time_zone: str | None = None  # the team's zone (reports, digest, snooze); bot.timezones.team_zone
    agent_pause: bool | None = None  # may agents pause their low-severity nudges?
    paused: frozenset[str] = frozenset()  # agents who paused their low-severity nudges
    _memo: dict[str, object] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def empty(self) -> bool:
        return not (self.mutes or self.allows or self.terms or self.watched or self.ignored or self.threshold
                    or self.channel_thresholds)

    def watches(self, channel: str, default: frozenset[str] = frozenset()) -> bool:
        """Ignored always wins; watched channels set here replace COACH_CHANNELS (the default)."""
        if channel in self.ignored:
            return False
        chosen = self.watched or default
        return not chosen or channel in chosen

    def threshold_for(self, channel: str) -> str | None:
        """The lowest severity nudged in a channel: its own threshold, else the workspace's."""
        return self._prepared().thresholds.get(channel, self.threshold)

    def pause_allowed(self, default: bool) -> bool:
        """May agents pause low-severity nudges: as set here, else ``default`` (COACH_AGENT_PAUSE)."""
        return default if self.agent_pause is None else self.agent_pause

    def low_paused(self, agent: str, default: bool) -> bool:
        """Has ``agent`` paused low-severity nudges, while managers allow it?"""
        return agent in self.paused and self.pause_allowed(default)

    def ruleset(self, base: RuleSet) -> RuleSet:
        """``base`` plus the custom terms, built once per settings object and base.

        A term that no longer compiles (say, after a rule-file change) is left out rather than
        stopping the message path; `rules add` refuses such a term in the first place.
        """
        if not self.terms:
            return base
        mine = self._memo.get("ruleset")  # per object first: hashing the terms costs microseconds a message
        if isinstance(mine, tuple) and mine[0] is base:
            return mine[1]
        built = _terms_ruleset(base, self.terms)
        self._memo["ruleset"] = (base, built)
        return built

    def apply(self, analysis: Analysis, channel: str = "") -> Analysis:
        """Drop muted, allowed and below-threshold findings; recompute the verdict from the rest."""
        if not analysis.findings or self.empty:
            return analysis
        prepared = self._prepared()
        threshold = severity_rank(self.threshold_for(channel))
        spans = prepared.allowed_spans(analysis.text)
        kept = []
        for finding in analysis.findings:
            if finding.rule in prepared.muted or (channel and (finding.rule, channel) in prepared.muted_in):
                continue
            if severity_rank(finding.severity) < threshold:
                continue
            if any(start <= finding.start and finding.end <= end for rule, found in spans
                   if not rule or rule == finding.rule for start, end in found):
                continue
            kept.append(finding)
        if len(kept) == len(analysis.findings):
            return analysis
        if not kept:
            return Analysis(text=analysis.text, model_score=analysis.model_score)
        categories = _categories(kept)
        return replace(analysis, findings=tuple(kept), categories=categories,
                       severity=_message_severity(kept, categories))

    def _prepared(self) -> _Prepared:
        """The settings in the shapes ``apply`` looks things up in, made once per object."""
        cached = self._memo.get("prepared")
        if cached is None:
            allows = []
            for allow in self.allows:
                try:
                    allows.append((allow.compiled(), allow.rule, "" if allow.is_pattern else
                                   allow.phrase.split()[0].casefold()))
                except SettingsError:
                    continue
            cached = _Prepared(frozenset(m.rule for m in self.mutes if not m.channel),
                               frozenset((m.rule, m.channel) for m in self.mutes if m.channel),
                               dict(self.channel_thresholds), tuple(allows),
                               _any_of([p for p, _r, word in allows if not word]))
            self._memo["prepared"] = cached
        return cached  # type: ignore[return-value]


@dataclass(frozen=True)
class _Prepared:
    muted: frozenset[str]  # rule ids muted everywhere
    muted_in: frozenset[tuple[str, str]]  # (rule id, channel)
    thresholds: dict[str, str]  # channel -> severity
    # (pattern, rule or "" for any, the phrase's first word case-folded, "" for a regex)
    allows: tuple[tuple[re.Pattern[str], str, str], ...]
    any_pattern: re.Pattern[str] | None  # the regex entries in one: most messages hold none, one search says so

    def allowed_spans(self, text: str) -> list[tuple[str, list[tuple[int, int]]]]:
        """(rule, spans) of each allow entry found in ``text``. A phrase whose first word is not
        in the text is not searched (a substring test, case-folded: looser than the regex's own
        case-insensitive match, never stricter), nor are the regexes when their joined search
        finds nothing."""
        if not self.allows:
            return []
        lowered = text.casefold()
        patterns = self.any_pattern is None or self.any_pattern.search(text) is not None
        return [(rule, [m.span() for m in pattern.finditer(text)]) for pattern, rule, word in self.allows
                if (word in lowered if word else patterns)]


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex matching wherever any of ``patterns`` does; None when they cannot be joined (a
    backreference or an inline flag of their own), and then each is searched."""
    if not patterns or any(_BACKREFERENCE.search(p.pattern) for p in patterns):
        return None  # joined, a backreference would count the groups of the patterns before it
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:
        return None


_RULESETS: dict[tuple[int, tuple[CustomTerm, ...]], tuple[RuleSet, RuleSet]] = {}
_RULESETS_KEPT = 4
_rulesets_lock = threading.Lock()
_build_lock = threading.Lock()


def _terms_ruleset(base: RuleSet, terms: tuple[CustomTerm, ...]) -> RuleSet:
    """``base`` plus ``terms``, kept per (base, terms) rather than per settings object.

    Building a rule set takes seconds; an agent pausing their nudges or a manager changing
    the digest makes a new settings object with the same terms, and must not rebuild it.
    """
    key = (id(base), terms)
    with _rulesets_lock:
        hit = _RULESETS.get(key)
    if hit is not None and hit[0] is base:
        return hit[1]
    with _build_lock:  # one build at a time: a second caller waits for the first one's result
        with _rulesets_lock:
            hit = _RULESETS.get(key)
        if hit is not None and hit[0] is base:
            return hit[1]
        extra = []
        for term in terms:
            try:
                extra.append(custom_rule(term, base))
            except RuleError as exc:  # logged once per change of terms: the result is kept
                log.warning("custom term %s left out: %s", term.rule_id, exc)
        started = time.perf_counter()
        built = RuleSet.build([*base.rules, *extra], base.categories) if extra else base
        log.info("built the rule set with %d custom term(s) in %.1f s", len(extra), time.perf_counter() - started)
        with _rulesets_lock:
            while len(_RULESETS) >= _RULESETS_KEPT:
                _RULESETS.pop(next(iter(_RULESETS)))
            _RULESETS[key] = (base, built)
    return built


class SettingsError(ValueError):
    """A setting that cannot be saved; the message says why, for the CLI and Slack to show."""


def allow_pattern(phrase: str, is_pattern: bool) -> re.Pattern[str]:
    """The regex an allow entry searches the message with (case-insensitive).

    An exact phrase matches as words with any run of spaces between them ("layer 8" is not
    "player 8"); a regex is taken as written but must not match the empty string, which
    would silence everything.
    """
    if not phrase.strip() or len(phrase) > MAX_PHRASE:
        raise SettingsError(f"an allowed phrase needs 1 to {MAX_PHRASE} characters")
    if is_pattern:
        try:
            compiled = re.compile(phrase, re.IGNORECASE)
        except re.error as exc:
            raise SettingsError(f"invalid regular expression {phrase!r}: {exc}") from None
        if compiled.search("") is not None:
            raise SettingsError(f"the pattern {phrase!r} matches empty text, so it would silence every finding")
        return compiled
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


_vocab: Vocab | None = None


def custom_rule(term: CustomTerm, base: RuleSet) -> Rule:
    """Compile a custom term through the rule-file parser, so it is checked the same way.

    A phrase becomes a leet-tolerant word pattern anchored on itself; a regex needs anchors,
    as in a rule file. Raises RuleError naming the term.
    """
    global _vocab
    if term.category not in CATEGORIES:
        raise RuleError(f"{WORKSPACE_SOURCE}: rule {term.rule_id!r}: 'category' must be one of {', '.join(CATEGORIES)}")
    info = base.categories.get(term.category)
    if info is None:
        raise RuleError(f"{WORKSPACE_SOURCE}: rule {term.rule_id!r}: the rules have no {term.category!r} category")
    if _vocab is None:
        _vocab = load_vocab()
    raw: dict[str, object] = {"id": term.rule_id, "severity": term.severity, "tip": term.tip,
                              "examples": list(term.examples)}
    if term.is_pattern:
        raw["patterns"] = [term.phrase]
        raw["anchors"] = list(term.anchors)
    else:
        words = term.phrase.lower().split()
        if not words:
            raise RuleError(f"{WORKSPACE_SOURCE}: rule {term.rule_id!r}: the phrase is empty")
        raw["patterns"] = [r"(?<![\w])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w])"]
        raw["anchors"] = [" ".join(words)]
        raw["leet"] = True
    if term.rewrite is not None:
        raw["rewrite"] = term.rewrite
    defaults: dict[str, object] = {"skip": frozenset({"quoted", "meta", "negated"}), "severity_when_addressed": None,
                                   "leet": True}
    rule = parse_rule(raw, info, defaults, Path(WORKSPACE_SOURCE), _vocab)
    return replace(rule, source=WORKSPACE_SOURCE)


def validate_term(term: CustomTerm, base: RuleSet) -> Rule:
    """What `rules add` checks before saving: it compiles, its id is new, its examples (the
    phrase itself at least) are flagged by it, and its rewrite is not itself flagged."""
    if base.get(term.rule_id) is not None:
        raise SettingsError(f"rule {term.rule_id!r} already exists in the rule files; pick another id "
                            "(or override it with a file in COACH_RULES_DIR)")
    if term.severity not in SEVERITIES:
        raise SettingsError(f"severity must be one of {', '.join(SEVERITIES)}")
    try:
        rule = custom_rule(term, base)
    except RuleError as exc:
        raise SettingsError(str(exc)) from None
    ruleset = RuleSet.build([*base.rules, rule], base.categories)
    examples = term.examples or (() if term.is_pattern else (term.phrase,))
    if not examples:
        raise SettingsError("a pattern term needs at least one --example it must flag")
    for example in examples:
        if term.rule_id not in {f.rule for f in detect(example, ruleset, model=None).findings}:
            raise SettingsError(f"rule {term.rule_id!r}: example not flagged: {example!r}")
    if term.rewrite and detect(term.rewrite, ruleset, model=None).flagged:
        raise SettingsError(f"rule {term.rule_id!r}: its rewrite is itself flagged: {term.rewrite!r}")
    return rule


def default_term_id(phrase: str) -> str:
    """custom-<phrase as a slug>, the id a term gets when none is given ("" for no letters)."""
    slug = re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")[:50]
    return f"custom-{slug}" if slug else ""


def known_rule_ids(base: RuleSet, workspace: WorkspaceSettings) -> set[str]:
    """Ids a mute or an allow entry may name: the rules, the workspace's custom terms,
    learned-<category> and llm-judge."""
    return {rule.id for rule in base.rules} | {term.rule_id for term in workspace.terms} | set(stage_rule_ids())


def stage_rule_ids() -> list[str]:
    """The rule ids of the learned stage (learned-<category>) and of the LLM judge: in no rule
    file, yet muted and allowed like any rule (the settings screen offers them too)."""
    from bot.learned import RULE_PREFIX

    return [RULE_PREFIX + category for category in CATEGORIES] + ["llm-judge"]


class SettingsCache:
    """``load(team)`` at most once per ``ttl`` seconds per team; the same object while rows are unchanged.

    Keeping the object (not just equal contents) keeps its compiled rule set, so a re-read
    that finds nothing new costs a few small queries a second, not a rule-set build. A read
    that fails (the file damaged or gone) keeps the last settings read, so live coaching and
    the no-flag-lost path (bot.spool) go on.
    """

    def __init__(self, load: Callable[[str], WorkspaceSettings], ttl: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[float, WorkspaceSettings]] = {}
        self._changes: dict[str, int] = {}  # per team: how many times it was invalidated

    def invalidate(self, team: str) -> None:
        """Read ``team`` afresh next time: a change made in this process shows at once."""
        with self._lock:
            self._cached.pop(team, None)
            self._changes[team] = self._changes.get(team, 0) + 1

    def get(self, team: str) -> WorkspaceSettings:
        now = self._clock()
        hit = self._cached.get(team)  # one dict read is atomic: the lock only orders the writes
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        changes = self._changes.get(team, 0)
        try:
            fresh = self._load(team)
        except Exception as exc:  # a database that cannot be read right now must not cost the message
            fresh = hit[1] if hit is not None else WorkspaceSettings()
            log.warning("workspace settings not re-read (%s): using the last ones read", type(exc).__name__)
        if hit is not None and fresh == hit[1]:
            fresh = hit[1]
        with self._lock:
            # A change made while this read was under way may not be in ``fresh``: keep it out of
            # the cache, or the next second's messages would be judged by the settings before it.
            if self._changes.get(team, 0) == changes:
                self._cached[team] = (now, fresh)
        return fresh
