"""Coach a whole Slack export at once: where a team stands before the bot is installed.

Flags go to the store with source "scan"; the store's unique (team, channel, ts) key makes
a second scan of the same export add nothing. Messages are coached in one pass and flags
are written in batches, so a million messages take well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.coaching.coach import Coach
from bot.ingest.export import SlackExport
from bot.models import Analysis, Flag
from bot.store import Store

BATCH = 5000


@dataclass
class ScanResult:
    messages: int = 0
    flagged: int = 0
    added: int = 0
    problems: list[str] = field(default_factory=list)
    stopped: str = ""  # why the scan ended before the last file (a total size limit), if it did

    def summary(self, dry_run: bool = False) -> str:
        stored = "not stored (dry run)" if dry_run else f"{self.added} new in the store"
        line = f"Scanned {self.messages:,} messages: {self.flagged:,} flagged, {stored}"
        skipped = len(self.problems) - bool(self.stopped)
        if skipped:
            line += f"; {skipped} file(s) skipped"
        if self.stopped:
            line += "; stopped early at a size limit"
        return line + "."


def scan_export(
    export: SlackExport,
    coach: Coach,
    store: Store | None,
    on_file: Callable[[str], None] | None = None,
    on_finding: Callable[[Flag, Analysis], None] | None = None,
) -> ScanResult:
    """Coach every human message; store flags unless ``store`` is None (a dry run)."""
    result = ScanResult()

    def flags() -> Iterator[Flag]:
        for message in export.messages(on_file):
            result.messages += 1
            analysis = coach.analyse(message.text)
            if not analysis.flagged:
                continue
            result.flagged += 1
            flag = coach.flag_for(
                analysis,
                team=message.team,
                channel=message.channel,
                channel_name=message.channel_name,
                ts=message.ts,
                agent=message.user,
                agent_name=message.user_name,
                thread_ts=message.thread_ts,
                source="scan",
            )
            if on_finding:
                on_finding(flag, analysis)
            yield flag

    if store is None:
        for _ in flags():
            pass
    else:
        result.added = store.add_flags(flags(), batch=BATCH)
    result.problems = list(export.problems)
    result.stopped = export.stopped
    return result
