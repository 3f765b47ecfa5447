"""Build the Bolt App: create_app(settings, store, coach) -> (App, Deps). Nothing happens at import.

Listeners live in bot/slack/listeners/, one module per kind, each with register(app, deps)
that binds its module-level handle_* functions to the Deps they need;
the catch-all comes last so every event Slack sends is acknowledged (Bolt answers 404 to an
unmatched event, Slack then retries and may switch the app's events off).
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.slack.client import Outbox, Pacer, web_client
from bot.slack.deps import Deps
from bot.slack.listeners import register_all
from bot.slack.logs import slack_logger
from bot.slack.pool import ListenerPool
from bot.store import Store

LISTENER_THREADS = 4


def create_app(
    settings: Settings, store: Store, coach: Coach, client: WebClient | None = None, token_verification: bool = True
) -> tuple[App, Deps]:
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
    deps = Deps(
        settings=settings,
        store=store,
        coach=coach,
        client=client,
        outbox=Outbox(client, pacer=pacer),
        listeners=listeners,
    )
    deps.metrics.watch(deps.outbox, deps.writer, listeners)
    deps.metrics.count_dispatch(app)
    store.write_observer = deps.metrics.observe_write
    coach.analyse_observer = deps.metrics.detect_seconds.observe  # the detect-latency histogram
    if token_verification:
        identity = client.auth_test()
        deps.workspace_url = str(identity.get("url") or "")
        deps.team_id = str(identity.get("team_id") or "")
        coach.prepare(store.workspace_settings(deps.team_id))
    register_all(app, deps)
    return app, deps
