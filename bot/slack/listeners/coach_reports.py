"""/coach me and /coach report: the agent's own record, and (managers) the team's report,
built and audited by bot.flows.report, with the one-click fixes under it."""

from __future__ import annotations

import re

from slack_bolt import Respond

from bot.flows.report import ReportRequest, audited_report
from bot.mrkdwn import escape
from bot.review.reports import PeriodError, build_report, parse_days
from bot.slack.deps import Deps
from bot.slack.manager_blocks import report_fix_blocks
from bot.slack.permissions import is_manager
from bot.slack.report_views import MAX_AGENTS_LISTED, report_message
from bot.slack.views import MAX_MESSAGE_BLOCKS, limit_blocks, refusal_message, section

_CHANNEL = re.compile(r"^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]+)$")


def my_record(deps: Deps, respond: Respond, user: str, team: str, args: list[str]) -> None:
    """/coach me [period]: the agent's own record (30 days by default); theirs alone, so not audited."""
    try:
        days = parse_days(args[0] if args else "30d")
    except PeriodError as exc:
        respond(response_type="ephemeral", text=escape(exc))
        return
    report = build_report(deps.store, days, agent=user, team=team or None, manager=False, tz=deps.zone(team))
    respond(response_type="ephemeral", **report_message(report, "Your coaching record"))


def team_report(deps: Deps, respond: Respond, user: str, team: str, args: list[str]) -> None:
    """/coach report [period] [#channel]: managers only; the audited report, agents by name, and its fixes."""
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
    audited = audited_report(
        deps.store, request, by=user, outcomes=True, outcomes_limit=MAX_AGENTS_LISTED, surface="slash"
    )
    report = audited.report
    message = report_message(report, agents=audited.agents or ())
    if report.total == 0:
        message["blocks"].append(section("Nothing flagged in this period."))
    message["blocks"] = limit_blocks(message["blocks"] + report_fix_blocks(deps, team, report), MAX_MESSAGE_BLOCKS)
    respond(response_type="ephemeral", **message)
