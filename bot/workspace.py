"""A workspace's own coaching settings, as data. Pure: no I/O, no Slack, no coaching engine.

Managers tune the coach without forking its rule files: mute a noisy rule (everywhere or in
one channel), allow a phrase the team uses innocently, add their own terms, pick channels
and a severity threshold. The store keeps the rows (bot.store, migration
m003_workspace_settings); this module turns them into one frozen ``WorkspaceSettings``, which
bot.coaching.team applies after detection (and adds the custom terms to the rules with), so the
detector itself stays the same for every surface and the store needs nothing of the engine.
``SettingsCache`` re-reads the rows at most once a ``ttl`` so a change reaches the next
message within a second, without a restart and without a query per message.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.timezones import DEFAULT_ZONE, ZoneError, check_zone

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
    time_zone: str | None = None  # the team's zone (reports, digest, snooze): zone()
    agent_pause: bool | None = None  # may agents pause their low-severity nudges?
    paused: frozenset[str] = frozenset()  # agents who paused their low-severity nudges
    memo: dict[str, object] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def empty(self) -> bool:
        return not (
            self.mutes
            or self.allows
            or self.terms
            or self.watched
            or self.ignored
            or self.threshold
            or self.channel_thresholds
        )

    def watches(self, channel: str, default: frozenset[str] = frozenset()) -> bool:
        """Ignored always wins; watched channels set here replace COACH_CHANNELS (the default)."""
        if channel in self.ignored:
            return False
        chosen = self.watched or default
        return not chosen or channel in chosen

    def threshold_for(self, channel: str) -> str | None:
        """The lowest severity nudged in a channel: its own threshold, else the workspace's."""
        return self.prepared().thresholds.get(channel, self.threshold)

    def zone(self, default: str) -> str:
        """The zone the team's views use: set here when it is a zone, else ``default`` (COACH_TZ).

        A stored name that is not a zone (a hand-edited database) is ignored.
        """
        chosen = self.time_zone
        if isinstance(chosen, str) and chosen.strip():
            try:
                return check_zone(chosen)
            except ZoneError:
                pass
        return default or DEFAULT_ZONE

    def pause_allowed(self, default: bool) -> bool:
        """May agents pause low-severity nudges: as set here, else ``default`` (COACH_AGENT_PAUSE)."""
        return default if self.agent_pause is None else self.agent_pause

    def low_paused(self, agent: str, default: bool) -> bool:
        """Has ``agent`` paused low-severity nudges, while managers allow it?"""
        return agent in self.paused and self.pause_allowed(default)

    def prepared(self) -> Prepared:
        """The settings in the shapes ``coaching.team.apply_settings`` looks things up in, made once per object."""
        cached = self.memo.get("prepared")
        if cached is None:
            allows = []
            for allow in self.allows:
                try:
                    allows.append(
                        (allow.compiled(), allow.rule, "" if allow.is_pattern else allow.phrase.split()[0].casefold())
                    )
                except SettingsError:
                    continue
            cached = Prepared(
                frozenset(m.rule for m in self.mutes if not m.channel),
                frozenset((m.rule, m.channel) for m in self.mutes if m.channel),
                dict(self.channel_thresholds),
                tuple(allows),
                _any_of([p for p, _r, word in allows if not word]),
            )
            self.memo["prepared"] = cached
        return cached  # type: ignore[return-value]


@dataclass(frozen=True)
class Prepared:
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
        return [
            (rule, [m.span() for m in pattern.finditer(text)])
            for pattern, rule, word in self.allows
            if (word in lowered if word else patterns)
        ]


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


def default_term_id(phrase: str) -> str:
    """custom-<phrase as a slug>, the id a term gets when none is given ("" for no letters)."""
    slug = re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")[:50]
    return f"custom-{slug}" if slug else ""


class SettingsCache:
    """``load(team)`` at most once per ``ttl`` seconds per team; the same object while rows are unchanged.

    Keeping the object (not just equal contents) keeps its compiled rule set, so a re-read
    that finds nothing new costs a few small queries a second, not a rule-set build. A read
    that fails (the file damaged or gone) keeps the last settings read, so live coaching and
    the no-flag-lost path (bot.store.spool) go on.
    """

    def __init__(
        self, load: Callable[[str], WorkspaceSettings], ttl: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
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
