"""Live coaching: a flagged message in a watched channel gets a private nudge; DMs get a rewrite.

The listener runs after Bolt has acknowledged the event. Clean messages cost one detector
pass and nothing else (no database write, no API call). A flagged one costs one write
transaction that stores the flag (the unique key makes Slack's retries no-ops) and decides
the nudge (snooze, cooldown) atomically; the nudge then goes through the outbox, and only a
Slack error writes again. A flag the database refuses (locked, full) is retried in the
background and nudged once stored, or spooled (bot.store.spool): never dropped.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext

from bot.flows.draft import coach_draft
from bot.flows.live import LiveCoach, LiveMessage, Stored, coach_live_message
from bot.slack.deps import Deps
from bot.slack.metrics import error_label
from bot.slack.people import mentioned
from bot.slack.permalinks import permalink
from bot.slack.views import nudge_message, suggestion_message

log = logging.getLogger(__name__)

NEW_MESSAGE_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share", "me_message"})
HELD_BACK = frozenset({"snoozed", "cooldown", "paused"})  # Store.add_flag_to_nudge's reasons (metric labels)


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
    """The flow decides (bot.flows.live); this adapter reads the event, counts, and sends the nudge."""
    channel, text, ts, thread_ts = (
        event.get("channel", ""),
        event.get("text") or "",
        event.get("ts", ""),
        event.get("thread_ts", ""),
    )
    assert deps.writer is not None and deps.people is not None
    message = LiveMessage(
        team=team,
        channel=channel,
        user=event["user"],
        text=text,
        ts=ts,
        thread_ts=thread_ts,
        permalink=permalink(deps.workspace_url, channel, ts, thread_ts),
        mentions=tuple(mentioned(text)),
        bot_user=context.bot_user_id or "",
    )
    live = LiveCoach(deps.coach, deps.settings, deps.writer, deps.people)
    seen = coach_live_message(live, message, deps.settings_for(team), partial(_stored, deps, message))
    if seen.ignored:
        deps.metrics.ignored(seen.ignored)


def _stored(deps: Deps, message: LiveMessage, stored: Stored) -> None:
    """Runs once the flag is stored: now, or after a retry if the database refused it (bot.store.spool)."""
    if stored.duplicate:
        deps.metrics.ignored("duplicate")
        return  # a retry of an event already handled
    deps.metrics.flags.labels(stored.severity or "low").inc()
    if stored.nudge is None:
        held_back = stored.held_back
        deps.metrics.nudges_held_back.labels(held_back if held_back in HELD_BACK else "other").inc()
        return  # a snoozed or recently nudged agent
    nudge = stored.nudge
    payload = nudge_message(nudge.analysis, nudge.suggestion, nudge.flag_id, pause=nudge.pause)
    extra = {"thread_ts": message.thread_ts} if message.thread_ts else {}

    def done(data: dict[str, Any] | None, error: str) -> None:
        if data is None:
            deps.metrics.nudges_failed.labels(error_label(error)).inc()
            deps.store.nudge_failed(nudge.nudge_id, error)
        else:
            deps.metrics.nudges_sent.inc()

    deps.outbox.send(
        "chat.postEphemeral",
        on_done=done,
        workspace=message.team,
        channel=message.channel,
        user=message.user,
        **payload,
        **extra,
    )


def _edited(deps: Deps, team: str, event: dict[str, Any]) -> None:
    message = event.get("message") or {}
    flag = deps.store.find_flag(team, event.get("channel", ""), message.get("ts", ""))
    if flag is None or flag.status != "open":
        return
    if not deps.coach.analyse(message.get("text") or "", deps.settings_for(team), flag.channel).flagged:
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
    draft = coach_draft(deps.coach, text)
    deps.outbox.send(
        "chat.postMessage", channel=event["channel"], **suggestion_message(draft.analysis, draft.suggestion)
    )
