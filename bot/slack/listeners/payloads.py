"""Who acted in an interaction (a button, a picker, a modal submitted), read from its payload.

The one reader for every interactive listener. Nothing a payload says is trusted: an id
without a Slack id's shape (bot.mrkdwn) reads as "", so the caller refuses or does nothing
(bot.slack.permissions asks again whether a user is a manager of that workspace).
"""

from __future__ import annotations

from typing import Any

from bot.mrkdwn import TEAM_ID, USER_ID


def who(body: dict[str, Any]) -> tuple[str, str]:
    """(user id, workspace id) of the interaction, "" for anything not shaped like a Slack id."""
    user, team = body.get("user"), body.get("team")
    user_id = user.get("id") if isinstance(user, dict) else ""
    team_id = team.get("id") if isinstance(team, dict) else ""
    user_id = user_id if isinstance(user_id, str) and USER_ID.fullmatch(user_id) else ""
    team_id = team_id if isinstance(team_id, str) and TEAM_ID.fullmatch(team_id) else ""
    return user_id, team_id
