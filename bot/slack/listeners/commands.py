"""/coach: a rewrite of a draft, help, your own record and settings, or (managers) the team report.

Acked at once, answered through respond() so it works in channels the bot is not in.
Drafts are never stored.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.flows.draft import coach_draft
from bot.flows.report import ReportRequest, audited_report
from bot.mrkdwn import escape
from bot.reports import PeriodError, build_report, parse_days
from bot.slack.deps import Deps
from bot.slack.home_tab import report_fix_blocks
from bot.slack.listeners.settings import agent_settings
from bot.slack.permissions import is_manager
from bot.slack.report_views import MAX_AGENTS_LISTED, report_message
from bot.slack.views import (
    MAX_MESSAGE_BLOCKS,
    help_message,
    limit_blocks,
    refusal_message,
    section,
    suggestion_message,
)

_CHANNEL = re.compile(r"^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]+)$")


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
        _my_record(deps, respond, user, team, text.split()[1:])
    elif word == "report" and len(text.split()) <= 3:
        _team_report(deps, respond, user, team, text.split()[1:])
    elif word == "settings" and len(text.split()) == 1:
        agent_settings(deps, respond, user, team)
    else:
        draft = coach_draft(deps.coach, text, analyse=deps.analyse)
        respond(response_type="ephemeral", **suggestion_message(draft.analysis, draft.suggestion))


def _my_record(deps: Deps, respond: Respond, user: str, team: str, args: list[str]) -> None:
    try:
        days = parse_days(args[0] if args else "30d")
    except PeriodError as exc:
        respond(response_type="ephemeral", text=escape(exc))
        return
    report = build_report(deps.store, days, agent=user, team=team or None, manager=False, tz=deps.zone(team))
    respond(response_type="ephemeral", **report_message(report, "Your coaching record"))


def _team_report(deps: Deps, respond: Respond, user: str, team: str, args: list[str]) -> None:
    if not is_manager(deps, user, team):
        respond(response_type="ephemeral", **refusal_message())
        return
    days, channel = 7, None
    for arg in args:
        match = _CHANNEL.match(arg)
        if match:
            channel = match.group(1) or match.group(2)
            continue
        try:
            days = parse_days(arg)
        except PeriodError as exc:
            respond(response_type="ephemeral", text=f"{escape(exc)}. Usage: `/coach report [7d] [#channel]`")
            return
    request = ReportRequest(days, channel=channel, team=team or None, tz=deps.zone(team))
    audited = audited_report(deps.store, request, by=user, outcomes=True, outcomes_limit=MAX_AGENTS_LISTED,
                             surface="slash")
    report = audited.report
    message = report_message(report, agents=audited.agents or ())
    if report.total == 0:
        message["blocks"].append(section("Nothing flagged in this period."))
    message["blocks"] = limit_blocks(message["blocks"] + report_fix_blocks(deps, team, report), MAX_MESSAGE_BLOCKS)
    respond(response_type="ephemeral", **message)
