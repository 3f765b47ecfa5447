"""Retention: deleting coaching data past its age, or all of a workspace's when it leaves."""

from __future__ import annotations

import sqlite3
import time

from bot.models import Flag
from bot.store.audit import Audit
from bot.store.flags import Flags
from bot.store.rollups import SLOT
from bot.timezones import DAY


class Retention(Flags, Audit):
    """Purges by age and by workspace, the rollups kept in step."""

    def purge(self, older_than: float) -> dict[str, int]:
        """Delete coaching data older than a cut-off (epoch seconds); counts per table.

        The audit trail is kept: it records access, not coaching content.
        """
        counts: dict[str, int] = {}
        with self._writing() as conn:
            counts["flags"] = conn.execute("DELETE FROM flags WHERE created_at < ?", [older_than]).rowcount
            boundary = int(older_than // DAY)
            conn.execute("DELETE FROM rollup WHERE day <= ?", [boundary])
            conn.execute("DELETE FROM rollup_slot WHERE slot < ?", [(boundary + 1) * DAY // SLOT])
            self._count(self._flags_between(conn, boundary * DAY, (boundary + 1) * DAY), conn)
            counts["feedback"] = conn.execute("DELETE FROM feedback WHERE created_at < ?", [older_than]).rowcount
            counts["nudges"] = conn.execute("DELETE FROM nudges WHERE created_at < ?", [older_than]).rowcount
            conn.execute("DELETE FROM events WHERE received_at < ?", [min(older_than, time.time() - 86400)])
            conn.execute("DELETE FROM snoozes WHERE until < ?", [time.time()])
        return counts

    def purge_preview(self, older_than: float) -> dict[str, int]:
        """What ``purge`` would delete, counted with the same cut-off (read only): flags,
        feedback and nudges."""
        return {
            table: int(
                self.db.execute(f"SELECT COUNT(*) FROM {table} WHERE created_at < ?", [older_than]).fetchone()[0]
            )
            for table in ("flags", "feedback", "nudges")
        }

    def purge_team(self, team: str) -> dict[str, int]:
        """Remove everything about a workspace (app uninstalled or tokens revoked)."""
        counts: dict[str, int] = {}
        with self._writing() as conn:
            for table in ("flags", "feedback", "nudges", "snoozes", "rollup", "rollup_slot", "names"):
                counts[table] = conn.execute(f"DELETE FROM {table} WHERE team = ?", [team]).rowcount
        self.audit("slack", "purge_team", team=team, **counts)
        return counts

    def _flags_between(self, conn: sqlite3.Connection, start: float, end: float) -> list[Flag]:
        rows = conn.execute("SELECT * FROM flags WHERE created_at >= ? AND created_at < ?", [start, end]).fetchall()
        return [self._flag(row) for row in rows]
