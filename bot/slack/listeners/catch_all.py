"""Acknowledge everything nobody else handles, so Slack never retries, disables events or
shows the user an error.

Bolt answers 404 to an unmatched request: for events Slack then retries and may switch the
app's events off; for interactivity (an unknown action id, a view submission or a shortcut
we did not register, e.g. from an older manifest) the user sees a red warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App

log = logging.getLogger(__name__)

ANY = re.compile(".*")


def register(app: App, deps: object) -> None:
    metrics = getattr(deps, "metrics", None)

    @app.event(ANY)
    def ignore_other_events() -> None:
        if metrics is not None:
            metrics.ignored("unhandled")

    def acknowledge(kind: str) -> Callable[[Any], None]:
        def handler(ack: Any) -> None:
            ack()
            if metrics is not None:
                metrics.ignored("unhandled")
            log.info("Acknowledged an unhandled %s", kind)
        return handler

    app.action(ANY)(acknowledge("action"))
    app.view(ANY)(acknowledge("view submission"))
    app.view_closed(ANY)(acknowledge("view close"))
    app.shortcut(ANY)(acknowledge("shortcut"))
    app.options(ANY)(acknowledge("options request"))
