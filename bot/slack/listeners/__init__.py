"""Every listener, registered in one place and in a deliberate order (catch-all last)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners import actions, catch_all, commands, home, lifecycle, messages, settings


def register_all(app: App, deps: Deps) -> None:
    for module in (commands, actions, settings, home, lifecycle, messages, catch_all):
        module.register(app, deps)
