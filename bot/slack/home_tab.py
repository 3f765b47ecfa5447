"""The App Home tab as published: the viewer's report and, for a manager, the one-click fixes
from feedback and the Settings section under it.

Not a listener: the Home is published when it is opened, when a picker changes (both in
bot/slack/listeners/home_report.py) and after a manager changes a setting
(bot/slack/listeners/settings.py). Every manager view is written to the audit table like
any other report; an agent's view is always their own record.
"""

from __future__ import annotations

import time

from bot.flows.report import ReportRequest, audited_report
from bot.review.fixes import feedback_fixes
from bot.review.reports import Report, build_report
from bot.slack.channels import named
from bot.slack.deps import Deps
from bot.slack.permissions import is_manager
from bot.slack.report_views import PERIODS, HomeState, home_view
from bot.slack.settings_views import SettingsPage, fix_blocks, settings_section
from bot.slack.views import MAX_VIEW_BLOCKS, Block, limit_blocks
from bot.store import Store
from bot.timezones import local_day
from bot.workspace import WorkspaceSettings
from bot.workspace_options import resolve

AGENT_DAYS = 30  # an agent's first look covers a month of their own record


def publish_home(deps: Deps, user: str, team: str | None, state: HomeState | None = None) -> None:
    """Build the viewer's home tab for ``state`` and publish it (also after a manager changes a setting)."""
    manager = is_manager(deps, user, team or "")
    tz = deps.zone(team)
    store = deps.store
    if manager:
        channels, agents = listed(store, "channel", team), listed(store, "agent", team)
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


def listed(store: Store, kind: str, team: str | None) -> dict[str, str]:
    """The channels or agents a team's flags named in the longest period the picker offers:
    id -> name (the id when no name is known). Read from the daily rollup: a few thousand rows."""
    first = local_day(time.time()) - max(PERIODS)
    found = {key: key for key in store.rollup_keys(kind, first, team)}
    found.update({key: name or key for key, name in store.names(kind, team).items() if key in found})
    return found


def settings_page(deps: Deps, team: str) -> SettingsPage:
    """The settings as stored now (not the message path's cached copy) and who set each."""
    workspace = deps.store.workspace_settings(team)
    return SettingsPage(
        workspace=workspace,
        options=resolve(workspace, deps.settings),
        origins=deps.store.setting_origins(team),
        env=deps.settings,
        rules=deps.coach.rules,
    )


def home_settings_blocks(deps: Deps, team: str, report: Report) -> list[Block]:
    """What a manager's App Home adds under the report: fixes from feedback, then Settings."""
    page = settings_page(deps, team)
    return report_fix_blocks(deps, team, report, page.workspace) + settings_section(page)


def report_fix_blocks(deps: Deps, team: str, report: Report, workspace: WorkspaceSettings | None = None) -> list[Block]:
    """ "Mute in #channel", "Mute everywhere", "Allow this phrase" for the rules agents mark not helpful
    (the digest posts the same fixes: bot.slack.digest_post)."""
    workspace = workspace if workspace is not None else deps.store.workspace_settings(team)
    return fix_blocks(named(deps.client, feedback_fixes(deps.store, report, workspace, team or None)))
