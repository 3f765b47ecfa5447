"""What the settings listeners share: reading a submitted modal (nothing in it is trusted),
opening and updating views, and refreshing after a change.

A modal's values are read by block id as strings or lists of strings; anything else reads as
empty. A change is applied for the manager's workspace, and a removal also for every workspace
(the CLI's default), so a setting never stays in force through the other row.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.mrkdwn import CHANNEL_ID
from bot.slack.deps import Deps
from bot.slack.home_tab import publish_home

log = logging.getLogger(__name__)

Outcome = tuple[list[str], dict[str, str]]  # (changes made, errors by block id)


def open_view(deps: Deps, body: dict[str, Any], view: dict[str, Any]) -> None:
    try:  # the trigger_id expires after 3 seconds: open right away
        deps.client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))


def update_view(deps: Deps, view_id: str, view: dict[str, Any]) -> None:
    try:
        deps.client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.warning("views.update failed: %s", exc.response.get("error"))


def make_live(deps: Deps, team: str) -> None:
    """A saved change is read by the very next message: called before the manager is told it is
    saved (a message sent right after "Saved" must not meet the settings from before it)."""
    assert deps.workspace is not None
    deps.workspace.invalidate(team)


def refresh(deps: Deps, user: str, team: str) -> None:
    """After a change: the message path reads it now, and the manager's Home shows it."""
    assert deps.workspace is not None
    deps.workspace.invalidate(team)
    publish_home(deps, user, team)


def read_state(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted modal's inputs by block id: a string, a list of strings, or None."""
    values = (view.get("state") or {}).get("values") if isinstance(view, dict) else None
    found: dict[str, Any] = {}
    for block_id, actions in (values or {}).items():
        element = actions.get("value") if isinstance(actions, dict) else None
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "plain_text_input":
            value: Any = element.get("value")
        elif kind in ("static_select", "radio_buttons"):
            value = (element.get("selected_option") or {}).get("value")
        elif kind in ("multi_static_select", "checkboxes"):
            value = [o.get("value") for o in element.get("selected_options") or [] if isinstance(o, dict)]
        elif kind == "conversations_select":
            value = element.get("selected_conversation")
        elif kind == "multi_conversations_select":
            value = element.get("selected_conversations") or []
        elif kind == "multi_users_select":
            value = element.get("selected_users") or []
        elif kind == "timepicker":
            value = element.get("selected_time")
        else:
            continue
        found[str(block_id)] = value
    return found


def field_text(state: dict[str, Any], key: str) -> str:
    value = state.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


def field_raw(state: dict[str, Any], key: str) -> str:
    value = state.get(key)
    return value.strip() if isinstance(value, str) else ""


def field_strings(state: dict[str, Any], key: str) -> list[str]:
    value = state.get(key)
    return [v for v in value if isinstance(v, str)][:100] if isinstance(value, list) else []


def field_channel(state: dict[str, Any], key: str, errors: dict[str, str]) -> str:
    value = state.get(key)
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not CHANNEL_ID.fullmatch(value):
        errors[key] = "Pick a channel from the list."
        return ""
    return value


def either_team(remove: Any, team: str) -> bool:
    """Remove the row set for this workspace and the one set for every workspace (the CLI's
    default): both may exist, and leaving either would keep the setting in force."""
    ours = bool(remove(team))
    everyone = bool(team) and bool(remove(""))
    return ours or everyone
