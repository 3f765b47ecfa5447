"""The App Home tab as published: the viewer's report and, for a manager, the one-click fixes
from feedback and the Settings section under it (bot.slack.manager_blocks).

Not a listener: the Home is published when it is opened, when a picker changes (both in
bot/slack/listeners/home.py) and after a manager changes a setting
(bot/slack/listeners/settings/). Every manager view is written to the audit table like
any other report; an agent's view is always their own record.
"""

from __future__ import annotations

from bot.flows.report import ReportRequest, audited_report
from bot.review.reports import build_report, flagged_in
from bot.slack.deps import Deps
from bot.slack.manager_blocks import home_settings_blocks
from bot.slack.permissions import is_manager
from bot.slack.report_views import PERIODS, HomeState, home_view
from bot.slack.views import MAX_VIEW_BLOCKS, limit_blocks

AGENT_DAYS = 30  # an agent's first look covers a month of their own record


def publish_home(deps: Deps, user: str, team: str | None, state: HomeState | None = None) -> None:
    """Build the viewer's home tab for ``state`` and publish it (also after a manager changes a setting)."""
    manager = is_manager(deps, user, team or "")
    tz = deps.zone(team)
    store = deps.store
    if manager:
        # the pickers offer what the team's flags named in the longest period they offer
        channels, agents = (
            flagged_in(store, "channel", max(PERIODS), team),
            flagged_in(store, "agent", max(PERIODS), team),
        )
        state = (state or HomeState()).known(channels, agents)
        audited = audited_report(
            store,
            ReportRequest(state.days, channel=state.channel, team=team, tz=tz),
            by=user,
            drill=state.agent,
            surface="home",
        )
        report = audited.report
        view = home_view(report, True, state, channels=channels, agents=agents, drill=audited.drill)
        # fixes from feedback and the Settings section (bot/slack/settings_views.py), under the report
        view["blocks"] = limit_blocks(view["blocks"] + home_settings_blocks(deps, team or "", report), MAX_VIEW_BLOCKS)
    else:
        state = HomeState(days=state.days if state else AGENT_DAYS)  # their own record, nothing else
        report = build_report(store, state.days, agent=user, team=team, manager=False, tz=tz)
        view = home_view(report, False, state)
    deps.outbox.send("views.publish", user_id=user, view=view)
