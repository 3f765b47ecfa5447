"""``support-coach rules …``: inspect and check the rules, and edit the team's own settings."""

from __future__ import annotations

import click

from bot.cli import rules_check, rules_list, rules_settings


@click.group()
def rules() -> None:
    """Inspect and validate the coaching rules."""


rules.add_command(rules_check.rules_check)
rules.add_command(rules_list.rules_list)
for _command in (
    rules_settings.rules_add,
    rules_settings.rules_allow,
    rules_settings.rules_mute,
    rules_settings.rules_unmute,
    rules_settings.rules_channel,
    rules_settings.rules_threshold,
):
    rules.add_command(_command)
