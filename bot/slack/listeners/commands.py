"""/coach: a rewrite of a draft, help, your own record and settings, or (managers) the team report.

Acked at once, answered through respond() so it works in channels the bot is not in.
Drafts are never stored.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.flows.draft import coach_draft
from bot.slack.deps import Deps
from bot.slack.listeners.coach_reports import my_record, team_report
from bot.slack.listeners.settings import agent_settings
from bot.slack.views import help_message, suggestion_message


def register(app: App, deps: Deps) -> None:
    app.command("/coach")(partial(handle_coach_command, deps))


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
