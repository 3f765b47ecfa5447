"""The nudge's buttons: Helpful, Not helpful, Why?, Snooze for today.

A button's value is whatever the payload says, so it is only a pointer: a vote counts only
on an existing flag of the voter's own (managers included: the nudge went to the agent
alone) and on the rule ids stored with that flag.
"""

from __future__ import annotations

import json
import logging
import time
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.nudge import end_of_local_day
from bot.slack.deps import Deps
from bot.slack.listeners.payloads import who
from bot.slack.views import (
    ACTION_HELPFUL,
    ACTION_NOT_HELPFUL,
    ACTION_SNOOZE,
    ACTION_WHY,
    context,
    why_modal,
)
from bot.timezones import end_of_day

log = logging.getLogger(__name__)


def _value(body: dict[str, Any]) -> tuple[int | None, list[str]]:
    """The flag id and rule ids a button carries; malformed values give (None, [])."""
    try:
        data = json.loads(body["actions"][0]["value"])
        flag_id = data.get("f")
        rules = [str(r) for r in data.get("r", []) if isinstance(r, str)][:20]
        return (flag_id if isinstance(flag_id, int) and not isinstance(flag_id, bool) else None), rules
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None, []


REFUSED = "Only the person this coaching note was for can rate it, and only while it is on record."


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_HELPFUL)(partial(handle_feedback, deps, "helpful", "Thanks! Glad it helped. :raised_hands:"))
    app.action(ACTION_NOT_HELPFUL)(
        partial(
            handle_feedback, deps, "not_helpful", "Thanks for telling us. It helps us fix the rule that got this wrong."
        )
    )
    app.action(ACTION_WHY)(partial(handle_why, deps))
    app.action(ACTION_SNOOZE)(partial(handle_snooze, deps))


def handle_feedback(deps: Deps, verdict: str, thanks: str, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """The vote goes on the stored flag's rules, by its own agent only (store.vote)."""
    ack()
    flag_id, _claimed_rules = _value(body)
    user, team = who(body)
    rules = deps.store.vote(flag_id, team, user, verdict) if flag_id is not None else None
    if rules is None:
        log.info("Refused a %s vote: the flag is missing or not the voter's", verdict)
        respond(replace_original=False, response_type="ephemeral", text=REFUSED)
        return
    respond(replace_original=True, response_type="ephemeral", text=thanks, blocks=[context(thanks)])


def handle_why(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    flag_id, rules = _value(body)
    user, _team = who(body)
    flag = deps.store.get_flag(flag_id) if flag_id is not None else None
    if flag is not None and flag.agent == user:
        rules = list(flag.rules)  # the stored rules; the modal only ever shows rule-file text anyway
    try:  # the trigger_id expires after 3 seconds: open the modal right away
        client.views_open(trigger_id=body.get("trigger_id", ""), view=why_modal(rules, deps.coach.rules))
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))


def handle_snooze(deps: Deps, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
    ack()
    user, team = who(body)
    offset = _tz_offset(client, user)
    if offset is not None:  # the agent's own Slack time zone
        until, today = end_of_local_day(time.time(), offset), "today"
    else:  # Slack cannot tell: the team's zone (a workspace setting, else COACH_TZ)
        zone = deps.zone(team)
        until, today = end_of_day(time.time(), zone), f"today (until midnight {zone})"
    deps.store.snooze(team, user, until)
    text = f"Nudges snoozed for {today}. Flags are still counted in team totals."
    respond(replace_original=True, response_type="ephemeral", text=text, blocks=[context(text)])


def _tz_offset(client: WebClient, user: str) -> int | None:
    """The user's offset from UTC in seconds, or None when Slack cannot tell us."""
    try:
        profile: Any = client.users_info(user=user).get("user", {})
        offset = profile.get("tz_offset")
    except SlackApiError as exc:
        log.warning("users.info failed: %s (snoozing until midnight UTC)", exc.response.get("error"))
        return None
    except OSError:
        return None
    return int(offset) if isinstance(offset, int | float) and abs(offset) <= 14 * 3600 else None
