"""The App Home tab: the team dashboard for managers, one's own record for everyone else."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.reports import build_report
from bot.slack.app import Deps
from bot.slack.views import home_view


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user, team = event.get("user", ""), body.get("team_id") or None
        manager = deps.is_manager(user)
        if manager:
            report = build_report(deps.store, 7, team=team, manager=True)
            deps.store.audit(user, "report", team=team or "", days=7, surface="home")
        else:
            report = build_report(deps.store, 30, agent=user, team=team, manager=False)
        deps.outbox.send("views.publish", user_id=user, view=home_view(report, manager))
