"""Live coaching: a flagged message in a watched channel gets a private nudge; DMs get a rewrite.

The listener runs after Bolt has acknowledged the event. Clean messages cost one detector
pass and nothing else (no database write, no API call). A flagged one costs one write
transaction that stores the flag (the unique key makes Slack's retries no-ops) and decides
the nudge (snooze, cooldown) atomically; the nudge then goes through the outbox, and only a
Slack error writes again. A flag the database refuses (locked, full) is retried in the
background and nudged once stored, or spooled (bot.spool): never dropped.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.deps import Deps
from bot.slack.metrics import error_label
from bot.slack.people import mentioned
from bot.slack.permalinks import permalink
from bot.slack.views import nudge_message, suggestion_message

log = logging.getLogger(__name__)

NEW_MESSAGE_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share", "me_message"})
HELD_BACK = frozenset({"snoozed", "cooldown", "paused"})  # Store.add_flag_to_nudge's reasons


def register(app: App, deps: Deps) -> None:
    app.event("message")(partial(handle_message, deps))


def handle_message(deps: Deps, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """Every message event: an edit, a deletion, a DM draft, or a channel message to coach."""
    subtype = event.get("subtype")
    team = body.get("team_id") or event.get("team") or ""
    if subtype == "message_changed":
        _edited(deps, team, event)
    elif subtype == "message_deleted":
        _deleted(deps, team, event)
    elif subtype not in NEW_MESSAGE_SUBTYPES:
        deps.metrics.ignored("subtype")
    elif not _from_a_person(event, context):
        deps.metrics.ignored("not_a_person")
    elif event.get("channel_type") == "im":
        _direct_message(deps, body, event)
    else:
        _channel_message(deps, team, event, context)


def _from_a_person(event: dict[str, Any], context: BoltContext) -> bool:
    user = event.get("user")
    return bool(user) and not event.get("bot_id") and not event.get("bot_profile") and user != context.bot_user_id


def _channel_message(deps: Deps, team: str, event: dict[str, Any], context: BoltContext) -> None:
    channel, text, user = event.get("channel", ""), event.get("text") or "", event["user"]
    workspace = deps.settings_for(team)
    if not workspace.watches(channel, deps.settings.channels):
        deps.metrics.ignored("unwatched")
        return
    if not text.strip():
        deps.metrics.ignored("empty")
        return
    if context.bot_user_id and f"<@{context.bot_user_id}>" in text:
        deps.metrics.ignored("mention")
        return  # a request to the bot: the app_mention listener answers it, once
    analysis = deps.analyse(text, workspace, channel)
    if not analysis.flagged:
        return
    ts, thread_ts = event.get("ts", ""), event.get("thread_ts", "")
    assert deps.people is not None
    # The author's and the mentioned people's Slack names (users.info, cached) leave the excerpt.
    names = deps.people.names([user, *mentioned(text)])
    flag = deps.coach.flag_for(analysis, team=team, channel=channel, ts=ts, agent=user, thread_ts=thread_ts,
                               permalink=permalink(deps.workspace_url, channel, ts, thread_ts),
                               agent_name=deps.people.display_name(user), known_names=names)
    extra = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}

    def stored(flag_id: int | None, nudge_id: int, held_back: str) -> None:
        """Runs once the flag is stored: now, or after a retry if the database refused it (bot.spool)."""
        if flag_id is None:
            deps.metrics.ignored("duplicate")
            return  # a retry of an event already handled
        deps.metrics.flags.labels(analysis.severity or "low").inc()
        if held_back:
            deps.metrics.nudges_held_back.labels(held_back if held_back in HELD_BACK else "other").inc()
            return  # a snoozed or recently nudged agent
        payload = nudge_message(analysis, deps.coach.suggest(text, analysis, use_llm=False, workspace=workspace),
                                flag_id, pause=workspace.pause_allowed(deps.settings.agent_pause))

        def done(data: dict[str, Any] | None, error: str) -> None:
            if data is None:
                deps.metrics.nudges_failed.labels(error_label(error)).inc()
                deps.store.nudge_failed(nudge_id, error)
            else:
                deps.metrics.nudges_sent.inc()

        deps.outbox.send("chat.postEphemeral", on_done=done, workspace=team, channel=channel, user=user,
                         **payload, **extra)

    assert deps.writer is not None
    paused = analysis.severity == "low" and workspace.low_paused(user, deps.settings.agent_pause)
    deps.writer.add_flag_to_nudge(flag, deps.settings.nudge_cooldown, then=stored, hold="paused" if paused else "")


def _edited(deps: Deps, team: str, event: dict[str, Any]) -> None:
    message = event.get("message") or {}
    flag = deps.store.find_flag(team, event.get("channel", ""), message.get("ts", ""))
    if flag is None or flag.status != "open":
        return
    if not deps.analyse(message.get("text") or "", deps.settings_for(team), flag.channel).flagged:
        deps.store.set_status(flag.id, "edited")  # type: ignore[arg-type]  # the nudge worked (a stored flag has an id)


def _deleted(deps: Deps, team: str, event: dict[str, Any]) -> None:
    ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts", "")
    flag = deps.store.find_flag(team, event.get("channel", ""), ts)
    if flag is not None:
        deps.store.set_status(flag.id, "deleted", clear_text=True)  # type: ignore[arg-type]  # stored: it has an id


def _direct_message(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    """A draft sent by DM: answer with a rewrite. Never stored."""
    if not deps.store.claim_event(body.get("event_id", "")):
        deps.metrics.ignored("duplicate")
        return
    text = event.get("text") or ""
    if not text.strip():
        deps.metrics.ignored("empty")
        return
    analysis = deps.analyse(text)
    payload = suggestion_message(analysis, deps.coach.suggest(text, analysis))
    deps.outbox.send("chat.postMessage", channel=event["channel"], **payload)
