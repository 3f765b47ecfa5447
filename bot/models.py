"""Plain data shapes every layer shares, so the core, the CLI and Slack speak one language."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

CATEGORIES: tuple[str, ...] = ("disparaging", "blame", "argumentative", "dismissive")
SEVERITIES: tuple[str, ...] = ("low", "medium", "high")


def severity_rank(severity: str | None) -> int:
    """Order severities so the worst one wins; unknown or None ranks lowest."""
    return SEVERITIES.index(severity) + 1 if severity in SEVERITIES else 0


@dataclass(frozen=True)
class Finding:
    """One phrase in the original text that a rule flagged, with the why and a better way."""

    rule: str
    category: str
    severity: str
    start: int
    end: int
    match: str
    tip: str
    principle: str
    extra_categories: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "match": self.match,
            "tip": self.tip,
        }


@dataclass(frozen=True)
class Analysis:
    """The verdict on one message: findings plus what the message looked like as a whole."""

    text: str
    findings: tuple[Finding, ...] = ()
    categories: tuple[str, ...] = ()
    severity: str | None = None
    addressed_to_customer: bool = False
    model_score: float | None = None  # the learned stage's flag probability, when it ran

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    @property
    def principles(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for finding in self.findings:
            seen.setdefault(finding.principle, None)
        return tuple(seen)


@dataclass(frozen=True)
class Suggestion:
    """A calmer version of a draft (kind "rewrite") or a question to reflect on ("reflection")."""

    text: str
    kind: str  # "rewrite" | "reflection"
    source: str = "rules"  # "rules" | "llm"
    principles: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


FLAG_STATUSES: tuple[str, ...] = ("open", "edited", "deleted", "dismissed")
FLAG_SOURCES: tuple[str, ...] = ("live", "scan")


@dataclass(frozen=True)
class Flag:
    """A flagged message as stored: who, where, what kind, and a redacted excerpt (never the
    whole text), so managers can coach from patterns without reading private conversations."""

    team: str
    channel: str
    ts: str
    agent: str
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    severity: str
    excerpt: str
    phrase: str = ""
    topic: str = ""
    channel_name: str = ""
    agent_name: str = ""
    thread_ts: str = ""
    permalink: str = ""
    source: str = "live"
    status: str = "open"
    created_at: float = 0.0
    id: int | None = None

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["categories"] = list(self.categories)
        data["rules"] = list(self.rules)
        return data


# A stored flag's columns in their public order: the store's table (without its id) and the
# report's CSV rows (with it) both list them so.
FLAG_COLUMNS = (
    "team",
    "channel",
    "channel_name",
    "agent",
    "agent_name",
    "ts",
    "thread_ts",
    "permalink",
    "categories",
    "rules",
    "phrase",
    "severity",
    "excerpt",
    "topic",
    "source",
    "status",
    "created_at",
)
