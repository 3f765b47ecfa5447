"""Acknowledge everything nobody else handles, so Slack never retries, disables events or
shows the user an error.

Bolt answers 404 to an unmatched request: for events Slack then retries and may switch the
app's events off; for interactivity (an unknown action id, a view submission or a shortcut
we did not register, e.g. from an older manifest) the user sees a red warning.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from slack_bolt import Ack, App

from bot.slack.deps import Deps
from bot.slack.metrics import Metrics

log = logging.getLogger(__name__)

ANY = re.compile(".*")


def register(app: App, deps: Deps) -> None:
    app.event(ANY)(partial(handle_other_event, deps.metrics))
    app.action(ANY)(partial(handle_unhandled, deps.metrics, "action"))
    app.view(ANY)(partial(handle_unhandled, deps.metrics, "view submission"))
    app.view_closed(ANY)(partial(handle_unhandled, deps.metrics, "view close"))
    app.shortcut(ANY)(partial(handle_unhandled, deps.metrics, "shortcut"))
    app.options(ANY)(partial(handle_unhandled, deps.metrics, "options request"))


def handle_other_event(metrics: Metrics) -> None:
    """An event no listener wants: Bolt acks it; it is counted."""
    metrics.ignored("unhandled")


def handle_unhandled(metrics: Metrics, kind: str, ack: Ack) -> None:
    """An interaction no listener wants: acked so the user sees no error, counted and logged."""
    ack()
    metrics.ignored("unhandled")
    log.info("Acknowledged an unhandled %s", kind)
