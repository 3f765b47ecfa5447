"""The App Home tab: the team dashboard for managers, one's own record for everyone else."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.home_tab import publish_home


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(partial(handle_home_opened, deps))


def handle_home_opened(deps: Deps, event: dict[str, Any], body: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    user, team = event.get("user", ""), body.get("team_id") or None
    publish_home(deps, user, team)  # bot/slack/home_tab.py
