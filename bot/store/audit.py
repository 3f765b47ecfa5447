"""The audit trail: append-only, who looked at whose coaching data and when (kept by purges)."""

from __future__ import annotations

import json
import time

from bot.store.connection import Connection


class Audit(Connection):
    """Appending to the audit trail and reading it back."""

    def audit(self, actor: str, action: str, team: str = "", **details: object) -> None:
        """Append-only: who looked at whose coaching data, and when."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO audit (at, team, actor, action, details) VALUES (?, ?, ?, ?, ?)",
                [time.time(), team, actor, action, json.dumps(details, default=str, sort_keys=True)],
            )

    def audit_log(self, limit: int = 100) -> list[dict[str, object]]:
        return list(self.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]))
