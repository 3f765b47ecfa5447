"""The App Home tab: the team dashboard for managers, one's own record for everyone else,
published when the tab is opened and again when one of its pickers (period, channel, agent)
changes.

Every picker click is re-checked: a manager's choice is kept in the view's private_metadata,
an agent's view is always their own record whatever the payload says (bot.slack.home_tab
publishes it, and audits every manager view like any other report).
"""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from slack_bolt import Ack, App

from bot.slack.deps import Deps
from bot.slack.home_tab import publish_home
from bot.slack.listeners.payloads import who
from bot.slack.report_views import ACTION_AGENT, ACTION_CHANNEL, ACTION_PERIOD, HOME_ACTIONS, HomeState


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(partial(handle_home_opened, deps))
    for action_id in (ACTION_PERIOD, ACTION_CHANNEL, ACTION_AGENT):
        app.action(action_id)(partial(handle_picker, deps))


def handle_home_opened(deps: Deps, event: dict[str, Any], body: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    user, team = event.get("user", ""), body.get("team_id") or None
    publish_home(deps, user, team)  # bot/slack/home_tab.py


def handle_picker(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    user, team = who(body)
    view = cast(dict[str, Any], body.get("view") if isinstance(body.get("view"), dict) else {})
    try:
        action = body["actions"][0]
        action_id, value = str(action["action_id"]), str((action.get("selected_option") or {})["value"])
    except (KeyError, IndexError, TypeError):
        return
    if not user or action_id not in HOME_ACTIONS:
        return
    state = HomeState.from_metadata(view.get("private_metadata")).picked(action_id, value)
    publish_home(deps, user, team or None, state)
