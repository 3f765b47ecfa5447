"""The one-click fixes from feedback, pressed: "Mute in #channel", "Mute everywhere" and
"Allow this phrase" (its modal is saved with the settings: bot.slack.listeners.settings.savers).

The digest's buttons sit in a channel everyone reads: anyone but a manager pressing one is
told so privately and the attempt is audited. A button's value is only a pointer: the rule
must exist and the channel must have a channel id's shape.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.coaching.team import known_rule_ids
from bot.mrkdwn import CHANNEL_ID, channel_ref, escape
from bot.slack.deps import Deps
from bot.slack.fix_views import ACTION_FIX_ALLOW, ACTION_FIX_MUTE_CHANNEL, ACTION_FIX_MUTE_EVERYWHERE
from bot.slack.listeners.payloads import who
from bot.slack.listeners.settings.form import make_live, open_view, refresh
from bot.slack.permissions import authorised
from bot.slack.settings_views import fix_allow_modal, refused_message, refused_view, saved_view


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_FIX_MUTE_CHANNEL)(partial(handle_fix_mute, deps, False))
    app.action(ACTION_FIX_MUTE_EVERYWHERE)(partial(handle_fix_mute, deps, True))
    app.action(ACTION_FIX_ALLOW)(partial(handle_fix_allow, deps))


def handle_fix_mute(deps: Deps, everywhere: bool, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    ack()
    target = _fix_target(deps, body, respond, "fix mute")
    if target is None:
        return
    user, team, rule, channel, _phrase = target
    if not everywhere and not channel:
        open_view(deps, body, saved_view([]))
        return
    where = "" if everywhere else channel
    done = deps.store.mute_rule(rule, where, team=team, actor=user)
    shown = f"`{escape(rule)}` " + (f"in {channel_ref(where)}" if where else "everywhere")
    if done:
        make_live(deps, team)
    open_view(deps, body, saved_view([f"Muted {shown}" if done else f"{shown} was already muted"]))
    if done:
        refresh(deps, user, team)


def handle_fix_allow(deps: Deps, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    ack()
    target = _fix_target(deps, body, respond, "fix allow")
    if target is not None:
        open_view(deps, body, fix_allow_modal(target[2], target[4]))


def _fix_target(deps: Deps, body: dict[str, Any], respond: Respond, what: str) -> tuple[str, str, str, str, str] | None:
    """(user, team, rule, channel, phrase) of a fix button pressed by a manager, on a rule that
    exists; None once the refusal (or an empty confirmation) is shown.

    The digest's buttons sit in a channel everyone reads: anyone else pressing one is told so
    in an ephemeral reply only they see (App Home and modals have no response_url: a modal)."""
    user, team = who(body)
    if not authorised(deps, user, team, what):
        if body.get("response_url"):
            respond(replace_original=False, response_type="ephemeral", **refused_message())
        else:
            open_view(deps, body, refused_view())
        return None
    rule, channel, phrase = _fix_value(body)
    if rule not in known_rule_ids(deps.coach.rules, deps.store.workspace_settings(team)):
        open_view(deps, body, saved_view([]))
        return None
    return user, team, rule, channel, phrase


def _fix_value(body: dict[str, Any]) -> tuple[str, str, str]:
    """(rule, channel, phrase) a fix button carries: pointers, checked by the caller."""
    try:
        data = json.loads(body["actions"][0]["value"])
        rule, channel, phrase = data.get("r", ""), data.get("c", ""), data.get("p", "")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return "", "", ""
    channel = channel if isinstance(channel, str) and CHANNEL_ID.fullmatch(channel) else ""
    return (rule if isinstance(rule, str) else ""), channel, (phrase if isinstance(phrase, str) else "")
