"""The managers' settings modals: Edit opens one group's modal, Save checks and applies it.

Every action and every submission asks again whether the user is a manager of that workspace
(bot.slack.permissions), so a forged submission changes nothing and is recorded as refused.
"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App

from bot.slack.deps import Deps
from bot.slack.listeners.payloads import who
from bot.slack.listeners.settings.form import make_live, open_view, read_state, refresh
from bot.slack.listeners.settings.savers import SAVERS, save_fix_allow
from bot.slack.listeners.settings.terms import save_terms
from bot.slack.manager_blocks import settings_page
from bot.slack.permissions import authorised
from bot.slack.settings_views import (
    ACTION_EDIT,
    CALLBACK_PREFIX,
    FIX_ALLOW_GROUP,
    GROUPS,
    refused_view,
    saved_view,
    settings_modal,
)

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_EDIT)(partial(handle_edit, deps))
    app.view(re.compile("^" + re.escape(CALLBACK_PREFIX)))(partial(handle_submitted, deps))


def handle_edit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    user, team = who(body)
    action = (body.get("actions") or [{}])[0]
    group = action.get("value") if isinstance(action, dict) else None
    if not authorised(deps, user, team, f"edit {group}"):
        open_view(deps, body, refused_view())
        return
    if group not in GROUPS:
        log.info("Ignored an edit of an unknown settings group")
        return
    open_view(deps, body, settings_modal(str(group), settings_page(deps, team)))


def handle_submitted(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    user, team = who(body)
    group = str(view.get("callback_id", ""))[len(CALLBACK_PREFIX) :]
    if not authorised(deps, user, team, f"save {group}"):
        ack(response_action="update", view=refused_view())
        return
    state = read_state(view)
    page = settings_page(deps, team)
    if group == "terms":
        save_terms(ack, deps, body, team, user, state, page)
        return
    if group == FIX_ALLOW_GROUP:
        changes, errors = save_fix_allow(deps, team, user, state, page, str(view.get("private_metadata") or ""))
    elif group in SAVERS:
        changes, errors = SAVERS[group](deps, team, user, state, page)
    else:
        ack()
        return
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if changes:
        make_live(deps, team)
    ack(response_action="update", view=saved_view(changes))
    if changes:
        refresh(deps, user, team)
