"""What a person asks the bot directly: `/coach`, an @mention with a draft, and the message
shortcut "Coach this reply". Each is answered privately; a draft is never stored.

`/coach` is acked at once and answered through respond() so it works in channels the bot is
not in: a rewrite of a draft, help, your own record and settings, or (managers) the team
report. An @mention coaches its text, or in a thread with no draft of its own the thread's
parent. The shortcut coaches the message it was used on.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.flows.draft import coach_draft
from bot.slack.deps import Deps
from bot.slack.listeners.coach_reports import my_record, team_report
from bot.slack.listeners.settings.agent import agent_settings
from bot.slack.views import SHORTCUT_CALLBACK, help_message, suggestion_message

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def register(app: App, deps: Deps) -> None:
    app.command("/coach")(partial(handle_coach_command, deps))
    app.event("app_mention")(partial(handle_mention, deps))
    app.shortcut(SHORTCUT_CALLBACK)(partial(handle_coach_this_reply, deps))


def handle_coach_command(deps: Deps, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
    """/coach: help, me, report, settings, or a draft to rewrite (the default)."""
    ack()
    text = (command.get("text") or "").strip()
    word = text.split(maxsplit=1)[0].lower() if text else ""
    user, team = command.get("user_id", ""), command.get("team_id", "")
    if word in ("", "help"):
        respond(response_type="ephemeral", **help_message())
    elif word == "me" and len(text.split()) <= 2:
        my_record(deps, respond, user, team, text.split()[1:])
    elif word == "report" and len(text.split()) <= 3:
        team_report(deps, respond, user, team, text.split()[1:])
    elif word == "settings" and len(text.split()) == 1:
        agent_settings(deps, respond, user, team)
    else:
        draft = coach_draft(deps.coach, text)
        respond(response_type="ephemeral", **suggestion_message(draft.analysis, draft.suggestion))


def handle_mention(deps: Deps, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
    """@support-coach with a draft, or in a thread about its parent: a private rewrite, never public."""
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


def handle_coach_this_reply(deps: Deps, ack: Ack, shortcut: dict[str, Any], respond: Respond) -> None:
    """The message shortcut "Coach this reply": a private rewrite of any message. Not stored."""
    ack()
    text = (shortcut.get("message") or {}).get("text") or ""
    if not text.strip():
        respond(response_type="ephemeral", text="That message has no text to coach.")
        return
    draft = coach_draft(deps.coach, text)
    respond(response_type="ephemeral", **suggestion_message(draft.analysis, draft.suggestion))
