"""Joining a channel (say once what the bot does) and leaving a workspace (forget it)."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.deps import Deps
from bot.slack.views import intro_message


def register(app: App, deps: Deps) -> None:
    app.event("member_joined_channel")(partial(handle_member_joined, deps))
    app.event("app_uninstalled")(partial(handle_forget_team, deps))
    app.event("tokens_revoked")(partial(handle_forget_team, deps))


def handle_member_joined(deps: Deps, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    if event.get("user") != context.bot_user_id:
        return
    channel = event.get("channel", "")
    key = f"intro:{body.get('team_id', '')}:{channel}"
    if not deps.store.claim_meta(key, "posted"):
        return  # already introduced here (or Slack sent the join twice at once)
    deps.outbox.send("chat.postMessage", channel=channel, text=intro_message())


def handle_forget_team(deps: Deps, body: dict[str, Any]) -> None:
    """The app was uninstalled or its tokens revoked: purge what the store holds of the team."""
    deps.store.purge_team(body.get("team_id", ""))
