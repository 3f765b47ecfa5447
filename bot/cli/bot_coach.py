"""The running bot's Coach: the CLI's Coach with the LLM (when configured), the workspace's own
learned stage (``train --with-feedback``) when its file is there, and the names the store knows."""

from __future__ import annotations

import click

from bot.cli.state import State
from bot.coaching.coach import Coach
from bot.coaching.model import ModelError
from bot.feedback_training import BUNDLED, current_model
from bot.redact import KnownNames


def bot_coach(state: State) -> Coach:
    """What ``run`` coaches with; a broken workspace model is said and skipped, never fatal."""
    coach = state.coach()
    try:
        model, name = current_model(state.settings.db_path)
    except ModelError as exc:  # a broken file must not stop the bot: the bundled model stays
        click.echo(f"support-coach: workspace model not used ({exc}); the bundled model stays", err=True)
    else:
        if name != BUNDLED:
            coach.model = model
            click.echo(f"support-coach: learned stage from the {name}")
    # Names the store already knows (from scans) leave excerpts; see bot/redact.py for users.info.
    coach.known_names = KnownNames(state.store().names("agent").values())
    return coach
