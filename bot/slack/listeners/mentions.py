"""@support-coach with a draft, or in a thread about its parent: a private rewrite, never public."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.flows.draft import coach_draft
from bot.slack.deps import Deps
from bot.slack.views import help_message, suggestion_message

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def register(app: App, deps: Deps) -> None:
    app.event("app_mention")(partial(handle_mention, deps))


def handle_mention(deps: Deps, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
    if event.get("bot_id"):
        deps.metrics.ignored("not_a_person")
        return
    if not deps.store.claim_event(body.get("event_id", "")):
        deps.metrics.ignored("duplicate")
        return
    user, channel = event.get("user", ""), event.get("channel", "")
    draft = _MENTION.sub("", event.get("text") or "").strip()
    thread_ts = event.get("thread_ts")
    if len(draft.split()) < 3 and thread_ts and thread_ts != event.get("ts"):
        draft = _parent_text(client, channel, thread_ts) or draft
    if draft:
        coached = coach_draft(deps.coach, draft)
        payload = suggestion_message(coached.analysis, coached.suggestion)
    else:
        payload = help_message()
    extra = {"thread_ts": thread_ts} if thread_ts else {}
    team = body.get("team_id") or event.get("team") or ""
    deps.outbox.send("chat.postEphemeral", workspace=team, channel=channel, user=user, **payload, **extra)


def _parent_text(client: WebClient, channel: str, thread_ts: str) -> str:
    try:
        replies = client.conversations_replies(channel=channel, ts=thread_ts, limit=1)
    except SlackApiError:
        return ""
    messages = replies.get("messages") or []
    return (messages[0].get("text") or "") if messages else ""
