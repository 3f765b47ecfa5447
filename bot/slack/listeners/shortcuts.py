"""The message shortcut "Coach this reply": a private rewrite of any message. Not stored."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.flows.draft import coach_draft
from bot.slack.deps import Deps
from bot.slack.views import SHORTCUT_CALLBACK, suggestion_message


def register(app: App, deps: Deps) -> None:
    app.shortcut(SHORTCUT_CALLBACK)(partial(handle_coach_this_reply, deps))


def handle_coach_this_reply(deps: Deps, ack: Ack, shortcut: dict[str, Any], respond: Respond) -> None:
    ack()
    text = (shortcut.get("message") or {}).get("text") or ""
    if not text.strip():
        respond(response_type="ephemeral", text="That message has no text to coach.")
        return
    draft = coach_draft(deps.coach, text)
    respond(response_type="ephemeral", **suggestion_message(draft.analysis, draft.suggestion))
