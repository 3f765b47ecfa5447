"""Who is a manager of a workspace: the one permission the Slack layer checks.

Managers see the team report and change the team's settings; everyone else is an agent
and sees their own record. Every check asks again (nothing a payload says is trusted).
"""

from __future__ import annotations

import logging

from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def is_manager(deps: Deps, user: str, team: str = "") -> bool:
    """The managers set in Slack (the store) when set, else COACH_MANAGERS; with neither,
    the workspace's admins and owners, so a fresh install is not a dashboard nobody can
    open. Slack's answer is cached for minutes; the store's is the settings cache's."""
    managers = deps.settings_for(team).managers
    if managers:
        return user in managers
    if deps.settings.managers:
        return user in deps.settings.managers
    return bool(user) and _workspace_admin(deps, user)


def authorised(deps: Deps, user: str, team: str, what: str) -> bool:
    """A manager of this workspace; anyone else is refused and the attempt audited."""
    if user and team and is_manager(deps, user, team):
        return True
    log.warning("Refused a settings %s from a non-manager", what)
    deps.store.audit(user or "(unknown)", "settings_refused", team=team, what=what)
    return False


def _workspace_admin(deps: Deps, user: str) -> bool:
    assert deps.people is not None
    info = deps.people.info(user)  # cached for minutes; a failure is not cached
    if info is None:
        log.warning("users.info failed: treating the user as an agent")
        return False
    return bool(info.get("is_admin") or info.get("is_owner")) and not info.get("deleted")
