"""Joining a channel (say once what the bot does) and leaving a workspace (forget it)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.views import intro_message


def register(app: App, deps: Deps) -> None:
    @app.event("member_joined_channel")
    def on_join(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        if event.get("user") != context.bot_user_id:
            return
        channel = event.get("channel", "")
        key = f"intro:{body.get('team_id', '')}:{channel}"
        if not deps.store.claim_meta(key, "posted"):
            return  # already introduced here (or Slack sent the join twice at once)
        deps.outbox.send("chat.postMessage", channel=channel, text=intro_message())

    @app.event("app_uninstalled")
    def on_uninstalled(body: dict[str, Any]) -> None:
        deps.store.purge_team(body.get("team_id", ""))

    @app.event("tokens_revoked")
    def on_tokens_revoked(body: dict[str, Any]) -> None:
        deps.store.purge_team(body.get("team_id", ""))
