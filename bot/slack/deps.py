"""Deps: what listeners need (settings, store, coach, the outbox, the flag writer, metrics),
passed explicitly so tests build it with real parts and handlers can be called without an App.

Permission policy lives in bot.slack.permissions, permalinks in bot.slack.permalinks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.slack.client import Outbox
from bot.slack.metrics import Metrics
from bot.slack.people import People
from bot.slack.pool import ListenerPool
from bot.store import FlagWriter, Store
from bot.workspace import SettingsCache, WorkspaceSettings

ADMIN_CACHE_SECONDS = 600.0


@dataclass
class Deps:
    """What listeners need, passed explicitly so tests build it with real parts."""

    settings: Settings
    store: Store
    coach: Coach
    client: WebClient
    outbox: Outbox
    stats: dict[str, int] = field(default_factory=dict)
    workspace_url: str = ""
    team_id: str = ""  # the bot's own workspace (auth.test): whose digest settings the scheduler reads
    writer: FlagWriter | None = None  # live flags: retried, then spooled, never dropped (bot.store.spool)
    workspace: SettingsCache | None = None  # the team's settings from the store, re-read at most once a second
    metrics: Metrics = field(default_factory=Metrics)  # this app's own registry (GET /metrics)
    listeners: ListenerPool | None = None  # Bolt's listener threads (create_app sets it)
    people: People | None = None  # users.info names for redacting live excerpts (bot.slack.people)

    def __post_init__(self) -> None:
        if self.workspace is None:
            self.workspace = SettingsCache(self.store.workspace_settings)
        if self.writer is None:
            self.writer = FlagWriter(self.store, self.settings.write_retry_delay, self.settings.write_retry_seconds)
        if self.people is None:
            self.people = People(self.client, ADMIN_CACHE_SECONDS)

    def health(self) -> str:
        """Why the bot cannot do its work right now ("" when it can): /healthz answers 503 with it."""
        try:
            self.store.read_probe()
        except Exception as exc:  # any failure to read is "unhealthy", reported as such
            return f"database not readable ({type(exc).__name__})"
        reasons = [self.store.write_probe(), self.writer.health() if self.writer else ""]
        return "; ".join(reason for reason in reasons if reason)

    def settings_for(self, team: str) -> WorkspaceSettings:
        assert self.workspace is not None
        return self.workspace.get(team)

    def zone(self, team: str | None = "") -> str:
        """The team's time zone: the one set in Slack (App Home → Settings) when there is one,
        else COACH_TZ."""
        return self.settings_for(team or "").zone(self.settings.time_zone)
