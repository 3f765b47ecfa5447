"""What a manager's screens add under a report, read from the store at the time (not the
message path's cached copy): the one-click fixes feedback suggests (App Home and `/coach
report`), and the Settings section with who set each setting (App Home, the settings modals).
"""

from __future__ import annotations

from bot.review.fixes import feedback_fixes
from bot.review.reports import Report
from bot.slack.channels import named
from bot.slack.deps import Deps
from bot.slack.fix_views import fix_blocks
from bot.slack.settings_views import SettingsPage, settings_section
from bot.slack.views import Block
from bot.workspace_options import resolve


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
    return report_fix_blocks(deps, team, report, page) + settings_section(page)


def report_fix_blocks(deps: Deps, team: str, report: Report, page: SettingsPage | None = None) -> list[Block]:
    """ "Mute in #channel", "Mute everywhere", "Allow this phrase" for the rules agents mark not helpful
    (the digest posts the same fixes: bot.slack.digest_post). ``page``: the settings already read."""
    workspace = page.workspace if page is not None else deps.store.workspace_settings(team)
    return fix_blocks(named(deps.client, feedback_fixes(deps.store, report, workspace, team or None)))
