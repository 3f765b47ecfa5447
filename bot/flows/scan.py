"""Scan a Slack export: open it within its limits, coach every message, store the flags, audit.

``support-coach scan`` and ``demo`` share it, so the export's people are redacted from
excerpts the same way in both, and a stored scan is always audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.coaching.coach import Coach
from bot.ingest.export import Limits, SlackExport, open_export
from bot.ingest.scan import ScanResult, scan_export
from bot.models import Analysis, Flag
from bot.store import Store


@dataclass
class Scan:
    """An open export, ready to be coached (its channels, people and day files are known)."""

    path: str
    export: SlackExport

    def run(
        self,
        coach: Coach,
        store: Store | None,
        *,
        on_file: Callable[[str], None] | None = None,
        on_finding: Callable[[Flag, Analysis], None] | None = None,
        audit_by: str = "",
    ) -> ScanResult:
        """Coach every human message into ``store`` (None: a dry run); audited as ``audit_by`` if given.

        users.json's real and display names join the names the coach redacts from excerpts.
        """
        coach.known_names = coach.known_names.with_names([*self.export.users.values(), *self.export.people])
        result = scan_export(self.export, coach, store, on_file=on_file, on_finding=on_finding)
        if store is not None and audit_by:
            store.audit(audit_by, "scan", path=self.path, messages=result.messages, added=result.added)
        return result


@contextmanager
def open_scan(path: str | Path, channels: tuple[str, ...] = (), limits: Limits | None = None) -> Iterator[Scan]:
    """The export at ``path`` (zip or folder), closed afterwards; ExportError when it cannot be read."""
    export = open_export(path, channels, limits)
    with export:
        yield Scan(str(path), export)
