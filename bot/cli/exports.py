"""The commands that coach a whole Slack export: ``scan``, and ``demo`` on the bundled one."""

from __future__ import annotations

from bot.cli.demo import demo
from bot.cli.scan import scan

COMMANDS = (scan, demo)
