"""An audited report: build a manager's review and record who looked, in one step.

The CLI's ``report``, ``/coach report`` and the App Home dashboard each used to build the
report and write the audit row themselves; a surface that forgot the second half would show
coaching data nobody could later account for. An agent's view of their own record is not a
report about anyone else, so it is built with ``build_report(manager=False)`` and not audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.review.reports import Named, Outcomes, Report, agent_outcomes, build_report
from bot.store import Store
from bot.timezones import DEFAULT_ZONE


@dataclass(frozen=True)
class ReportRequest:
    """Which report: the period, an optional channel or agent, the workspace and its zone."""

    days: int = 7
    channel: str | None = None
    agent: str | None = None
    team: str | None = None
    tz: str = DEFAULT_ZONE
    include_flags: bool = False  # the JSON export's flag rows


@dataclass(frozen=True)
class AuditedReport:
    """The report, and (when asked) each agent's coaching outcomes by name."""

    report: Report
    agents: tuple[tuple[Named, Outcomes], ...] | None = None
    drill: Report | None = None  # one agent's report beside the team's (App Home's drill-down)


def audited_report(
    store: Store,
    request: ReportRequest,
    *,
    by: str,
    action: str = "report",
    outcomes: bool = False,
    outcomes_limit: int | None = None,
    drill: str | None = None,
    **details: object,
) -> AuditedReport:
    """The manager's report for ``request``, audited as ``by`` doing ``action`` (with ``details``:
    the surface, the format). ``outcomes``: also every agent's outcomes (the first
    ``outcomes_limit`` names); ``drill``: also this agent's own report, in the same channel."""
    report = build_report(
        store,
        request.days,
        channel=request.channel,
        agent=request.agent,
        team=request.team,
        manager=True,
        include_flags=request.include_flags,
        tz=request.tz,
    )
    drilled = (
        build_report(
            store, request.days, channel=request.channel, agent=drill, team=request.team, manager=True, tz=request.tz
        )
        if drill
        else None
    )
    store.audit(
        by,
        action,
        team=request.team or "",
        days=request.days,
        channel=request.channel,
        agent=drill or request.agent,
        **details,
    )
    agents = agent_outcomes(store, report, team=request.team, limit=outcomes_limit) if outcomes else None
    return AuditedReport(report, agents, drilled)
