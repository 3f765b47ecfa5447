"""The report part of App Home: publishing it, and its pickers (period, channel, agent).

Every picker click is re-checked here: a manager's choice is kept in the view's
private_metadata, an agent's view is always their own record whatever the payload says,
and every manager view is written to the audit table like any other report. A manager's
Home also carries the one-click fixes from feedback and the Settings section
(bot/slack/listeners/settings.py), under the report.
"""

from __future__ import annotations

import time
from typing import Any, cast

from slack_bolt import App

from bot.reports import build_report
from bot.slack.deps import Deps
from bot.slack.listeners.settings import home_settings_blocks
from bot.slack.permissions import is_manager
from bot.slack.report_views import (
    ACTION_AGENT,
    ACTION_CHANNEL,
    ACTION_PERIOD,
    HOME_ACTIONS,
    PERIODS,
    HomeState,
    home_view,
)
from bot.slack.views import MAX_VIEW_BLOCKS, limit_blocks
from bot.store import Store
from bot.timezones import local_day

AGENT_DAYS = 30  # an agent's first look covers a month of their own record


def publish_home(deps: Deps, user: str, team: str | None, state: HomeState | None = None) -> None:
    """Build the viewer's home tab for ``state`` and publish it (also after a manager changes a setting)."""
    manager = is_manager(deps, user, team or "")
    tz = deps.zone(team)
    store = deps.store
    if manager:
        channels, agents = listed(store, "channel", team), listed(store, "agent", team)
        state = (state or HomeState()).known(channels, agents)
        report = build_report(store, state.days, channel=state.channel, team=team, manager=True, tz=tz)
        drill = build_report(store, state.days, channel=state.channel, agent=state.agent, team=team,
                             manager=True, tz=tz) if state.agent else None
        store.audit(user, "report", team=team or "", days=state.days, channel=state.channel, agent=state.agent,
                    surface="home")
        view = home_view(report, True, state, channels=channels, agents=agents, drill=drill)
        # fixes from feedback and the Settings section (bot/slack/settings_views.py), under the report
        view["blocks"] = limit_blocks(view["blocks"] + home_settings_blocks(deps, team or "", report),
                                      MAX_VIEW_BLOCKS)
    else:
        state = HomeState(days=state.days if state else AGENT_DAYS)  # their own record, nothing else
        report = build_report(store, state.days, agent=user, team=team, manager=False, tz=tz)
        view = home_view(report, False, state)
    deps.outbox.send("views.publish", user_id=user, view=view)


def listed(store: Store, kind: str, team: str | None) -> dict[str, str]:
    """The channels or agents a team's flags named in the longest period the picker offers:
    id -> name (the id when no name is known). Read from the daily rollup: a few thousand rows."""
    first = local_day(time.time()) - max(PERIODS)
    sql = "SELECT DISTINCT key FROM rollup WHERE dim = ? AND day >= ? AND n > 0"
    params: list[object] = [kind, first]
    if team:
        sql, params = sql + " AND team = ?", [*params, team]
    found = {str(row[0]): str(row[0]) for row in store.db.execute(sql, params) if row[0]}
    found.update({key: name or key for key, name in store.names(kind, team).items() if key in found})
    return found


def register(app: App, deps: Deps) -> None:
    def picked(ack: Any, body: dict[str, Any]) -> None:
        ack()
        user = (body.get("user") or {}).get("id", "") if isinstance(body.get("user"), dict) else ""
        team = (body.get("team") or {}).get("id") if isinstance(body.get("team"), dict) else None
        view = cast(dict[str, Any], body.get("view") if isinstance(body.get("view"), dict) else {})
        try:
            action = body["actions"][0]
            action_id, value = str(action["action_id"]), str((action.get("selected_option") or {})["value"])
        except (KeyError, IndexError, TypeError):
            return
        if not user or action_id not in HOME_ACTIONS:
            return
        state = HomeState.from_metadata(view.get("private_metadata")).picked(action_id, value)
        publish_home(deps, user, team if isinstance(team, str) else None, state)

    for action_id in (ACTION_PERIOD, ACTION_CHANNEL, ACTION_AGENT):
        app.action(action_id)(picked)
