"""The review commands: ``report``, ``digest`` and ``purge``, over the stored flags."""

from __future__ import annotations

from bot.cli.digest import digest
from bot.cli.purge import purge
from bot.cli.report import report

COMMANDS = (report, digest, purge)
