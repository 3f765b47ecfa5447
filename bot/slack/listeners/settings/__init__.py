"""The team's settings from Slack: the managers' modals, the one-click fixes from feedback, and
an agent's own controls (pause low-severity nudges, `/coach settings`).

Nothing a payload says is trusted. Every action and every view submission asks again whether
the user is a manager of that workspace (the store's managers, else COACH_MANAGERS, else the
admins), so a forged submission from anyone else changes nothing and is recorded as refused.
Values are checked as the CLI checks them (bot.workspace, bot.workspace_options); each change
is one store call that writes its settings_audit row (who, what, before, after) in the same
transaction, and the manager gets a confirmation listing what changed.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners.settings import agent, fixes, modals


def register(app: App, deps: Deps) -> None:
    for part in (modals, fixes, agent):
        part.register(app, deps)
