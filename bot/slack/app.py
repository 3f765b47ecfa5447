"""Build the Bolt App: create_app(settings, store, coach) -> App. Nothing happens at import.

Listeners live in bot/slack/listeners/, one module per kind, each with register(app, deps);
the catch-all comes last so every event Slack sends is acknowledged (Bolt answers 404 to an
unmatched event, Slack then retries and may switch the app's events off).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from slack_bolt import App
from slack_sdk import WebClient

from bot.coach import Coach
from bot.config import Settings
from bot.models import Analysis
from bot.slack.client import Outbox, Pacer, web_client
from bot.slack.logs import slack_logger
from bot.slack.metrics import Metrics, Timer
from bot.slack.people import People
from bot.spool import FlagWriter
from bot.store import Store
from bot.timezones import team_zone
from bot.workspace import SettingsCache, WorkspaceSettings

LISTENER_THREADS = 4
ADMIN_CACHE_SECONDS = 600.0

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener threads, counting the work in flight: listeners run after the ack, so
    this is how shutdown (and a test) knows every listener Slack triggered has finished."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._idle:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: object) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def busy(self) -> int:
        """Listener runs queued or running (a gauge on /metrics)."""
        with self._idle:
            return self._pending

    def join(self, timeout: float = 5.0) -> bool:
        """Wait until no listener is queued or running; False if that took longer than ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


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
    writer: FlagWriter | None = None  # live flags: retried, then spooled, never dropped (bot.spool)
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

    def analyse(self, text: str, workspace: WorkspaceSettings | None = None, channel: str = "") -> Analysis:
        """The coach's analysis (with the team's settings), timed for the detect-latency histogram."""
        with Timer(self.metrics.detect_seconds):
            return self.coach.analyse(text, workspace, channel)

    def health(self) -> str:
        """Why the bot cannot do its work right now ("" when it can): /healthz answers 503 with it."""
        try:
            self.store.db.execute("SELECT COUNT(*) FROM meta").fetchone()
        except Exception as exc:  # any failure to read is "unhealthy", reported as such
            return f"database not readable ({type(exc).__name__})"
        reasons = [self.store.write_probe(), self.writer.health() if self.writer else ""]
        return "; ".join(reason for reason in reasons if reason)

    def permalink(self, channel: str, ts: str, thread_ts: str = "") -> str:
        """Slack's permalink format, built locally: no chat.getPermalink call per flag."""
        if not self.workspace_url or not ts:
            return ""
        link = f"{self.workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
        return link + (f"?thread_ts={thread_ts}&cid={channel}" if thread_ts and thread_ts != ts else "")

    def is_manager(self, user: str, team: str = "") -> bool:
        """The managers set in Slack (the store) when set, else COACH_MANAGERS; with neither,
        the workspace's admins and owners, so a fresh install is not a dashboard nobody can
        open. Slack's answer is cached for minutes; the store's is the settings cache's."""
        managers = self.settings_for(team).managers
        if managers:
            return user in managers
        if self.settings.managers:
            return user in self.settings.managers
        return bool(user) and self._workspace_admin(user)

    def _workspace_admin(self, user: str) -> bool:
        assert self.people is not None
        info = self.people.info(user)  # cached for minutes; a failure is not cached
        if info is None:
            log.warning("users.info failed: treating the user as an agent")
            return False
        return bool(info.get("is_admin") or info.get("is_owner")) and not info.get("deleted")

    def settings_for(self, team: str) -> WorkspaceSettings:
        assert self.workspace is not None
        return self.workspace.get(team)

    def zone(self, team: str | None = "") -> str:
        """The team's time zone: the one set in Slack (App Home → Settings) when there is one,
        else COACH_TZ."""
        return team_zone(self.settings.time_zone, self.settings_for(team or ""))


def create_app(settings: Settings, store: Store, coach: Coach, client: WebClient | None = None,
               token_verification: bool = True) -> tuple[App, Deps]:
    """The configured App and its dependencies; the caller starts the server."""
    settings.require("SLACK_BOT_TOKEN")
    client = client or web_client(settings)  # carries the token; Bolt takes it from there
    listeners = ListenerPool(max_workers=LISTENER_THREADS, thread_name_prefix="coach-listener")
    app = App(
        signing_secret=settings.slack_signing_secret or None,
        client=client,
        logger=slack_logger(),
        token_verification_enabled=token_verification,
        request_verification_enabled=bool(settings.slack_signing_secret),
        listener_executor=listeners,
    )
    pacer = Pacer(settings.nudge_rate, settings.nudge_burst, settings.nudge_max_delay)
    deps = Deps(settings=settings, store=store, coach=coach, client=client, outbox=Outbox(client, pacer=pacer),
                listeners=listeners)
    deps.metrics.watch(deps.outbox, deps.writer, listeners)
    deps.metrics.count_dispatch(app)
    store.write_observer = deps.metrics.observe_write
    if token_verification:
        identity = client.auth_test()
        deps.workspace_url = str(identity.get("url") or "")
        deps.team_id = str(identity.get("team_id") or "")
        # The team's custom terms make a rule set of their own, which takes seconds to build:
        # build it now rather than on the first message's time (kept by bot.workspace, by terms).
        store.workspace_settings(deps.team_id).ruleset(coach.rules)
    from bot.slack.listeners import register_all

    register_all(app, deps)
    return app, deps
