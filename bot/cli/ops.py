"""The operator's commands: ``run`` the bot, and ``doctor`` to check its setup first."""

from __future__ import annotations

from bot.cli.doctor import doctor
from bot.cli.run import run

COMMANDS = (run, doctor)
