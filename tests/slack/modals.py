"""Drive App Home and modals as Slack does: open the Home, press a button, fill a modal's inputs
and submit it, all over signed HTTP to the real app.

``submit`` builds the view_submission's state from the modal the bot really opened: an input
not filled keeps its initial value (as Slack sends it), and a select can only be given a value
the modal offers, so a test fails if the form does not offer what it claims.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.slack.conftest import TEAM, Bot


def view_of(call_body: dict[str, Any]) -> dict[str, Any]:
    view = call_body["view"]
    return view if isinstance(view, dict) else json.loads(view)


def home(bot: Bot, user: str) -> dict[str, Any]:
    """Open ``user``'s App Home; the view the bot published."""
    before = len(bot.slack.calls_to("/api/views.publish"))
    bot.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": "D1"})
    # A settings change republishes other managers' Homes in the background, so the newest
    # publish may be someone else's: wait for the one this event asked for.
    deadline = time.monotonic() + 5.0
    count = before + 1
    while True:
        calls = bot.slack.wait_for("/api/views.publish", count)
        mine = [c for c in calls[before:] if c.body.get("user_id") == user]
        if mine or time.monotonic() > deadline:
            break
        count = len(calls) + 1
    assert mine, f"no Home published for {user}"
    return view_of(mine[-1].body)


def last_home(bot: Bot, count: int) -> dict[str, Any]:
    """The ``count``-th Home the bot published (a republish after a change)."""
    calls = bot.slack.wait_for("/api/views.publish", count)
    assert len(calls) >= count, "the Home was not republished"
    return view_of(calls[count - 1].body)


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
        if block["type"] == "actions":
            found += [e for e in block["elements"] if e["type"] == "button"]
    return found


def button(view: dict[str, Any], action_id: str, value: str | None = None, text: str | None = None) -> dict:
    for found in buttons(view):
        if (
            found["action_id"] == action_id
            and (value is None or found["value"] == value)
            and (text is None or text in found["text"]["text"])
        ):
            return found
    raise AssertionError(f"no button {action_id} {value or ''} {text or ''} in the view")


def click(bot: Bot, user: str, found: dict[str, Any], container: str = "view", response_url: str | None = None) -> int:
    """Press a button (a dict from the view, or a forged one): the HTTP status."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": TEAM},
        "trigger_id": f"trig-{user}",
        "container": {"type": container},
        "actions": [{"action_id": found["action_id"], "value": found.get("value", ""), "type": "button"}],
    }
    if response_url:
        payload["response_url"] = response_url
    status, _, _ = bot.interaction(payload)
    return status


def opened(bot: Bot, count: int) -> dict[str, Any]:
    """The ``count``-th modal the bot opened."""
    calls = bot.slack.wait_for("/api/views.open", count)
    assert len(calls) >= count, "no modal opened"
    return view_of(calls[count - 1].body)


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    groups = element.get("option_groups")
    if groups:
        return [o for g in groups for o in g["options"]]
    return list(element.get("options", []))


def _pick(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in _options(element):
        if option["value"] == value:
            return option
    raise AssertionError(f"the modal does not offer {value!r}")


def _initial(element: dict[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    if kind == "plain_text_input":
        return {"type": kind, "value": element.get("initial_value")}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": element.get("initial_conversations", [])}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": element.get("initial_users", [])}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    raise AssertionError(f"unexpected element {kind}")


def _filled(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind == "plain_text_input":
        return {"type": kind, "value": value}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": _pick(element, value) if value is not None else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [_pick(element, v) for v in value]}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": list(value)}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value)}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    raise AssertionError(f"unexpected element {kind}")


def state_for(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Slack's view.state.values for ``view`` with ``values`` (block id -> value) typed in."""
    state: dict[str, Any] = {}
    unknown = set(values)
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        block_id = block["block_id"]
        unknown.discard(block_id)
        entry = _filled(element, values[block_id]) if block_id in values else _initial(element)
        state[block_id] = {element["action_id"]: entry}
    assert not unknown, f"the modal has no inputs {sorted(unknown)}"
    return state


def submit(
    bot: Bot, user: str, view: dict[str, Any], values: dict[str, Any] | None = None, state: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Submit a modal: the bot's answer (response_action ...), {} for a plain ack."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": "trig-submit",
        "view": {
            "id": "VMODAL1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "state": {"values": state if state is not None else state_for(view, values or {})},
        },
    }
    status, data, _ = bot.interaction(payload)
    assert status == 200, data
    return json.loads(data) if data.strip() else {}


def texts(view: dict[str, Any]) -> str:
    """Everything a view shows, as one string (to look for words in)."""
    return json.dumps(view, ensure_ascii=False)
