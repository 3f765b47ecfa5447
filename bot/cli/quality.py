"""The commands that measure and retrain the engine: ``eval`` and ``train``."""

from __future__ import annotations

from bot.cli.eval import eval_command
from bot.cli.train import train_command

COMMANDS = (eval_command, train_command)
