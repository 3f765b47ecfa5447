"""The App Home tab: the team dashboard for managers, one's own record for everyone else."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.reports import build_report
from bot.slack.app import Deps
from bot.slack.views import MAX_VIEW_BLOCKS, home_view, limit_blocks


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps, event.get("user", ""), body.get("team_id") or "")


def publish_home(deps: Deps, user: str, team: str) -> None:
    """Build and publish one person's Home (also after a manager changes a setting)."""
    from bot.slack.listeners.settings import home_settings_blocks

    manager = deps.is_manager(user, team)
    if manager:
        report = build_report(deps.store, 7, team=team or None, manager=True)
        deps.store.audit(user, "report", team=team, days=7, surface="home")
    else:
        report = build_report(deps.store, 30, agent=user, team=team or None, manager=False)
    view = home_view(report, manager)
    if manager:  # fixes from feedback and the Settings section (bot/slack/settings_views.py)
        view["blocks"] = limit_blocks(view["blocks"] + home_settings_blocks(deps, team, report), MAX_VIEW_BLOCKS)
    deps.outbox.send("views.publish", user_id=user, view=view)
