"""Acknowledge every event nobody else handles, so Slack never retries or disables events."""

from __future__ import annotations

import re

from slack_bolt import App


def register(app: App, deps: object) -> None:
    @app.event(re.compile(".*"))
    def ignore_other_events() -> None:
        return None
