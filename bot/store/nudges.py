"""Nudges, snoozes and the events already handled: each live flag's nudge is recorded in the
same transaction as the flag, with the reason it was held back (bot.nudge_policy decides it
from the facts read here).
"""

from __future__ import annotations

import logging
import sqlite3
import time

from bot.models import Flag
from bot.nudge_policy import NudgeFacts, hold_back
from bot.store.flags import Flags
from bot.store.spool import NOT_NUDGED, Spool, spool_path
from bot.store.sql import _narrowed

log = logging.getLogger("bot.store")


class Nudges(Flags):
    """A live flag and its nudge together; snoozes; Slack's event ids; the spool's replay."""

    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it."""
        if not event_id:
            return True
        with self._writing() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO events (event_id, received_at) VALUES (?, ?)", [event_id, time.time()]
            )
            return bool(cursor.rowcount)

    def add_flag_to_nudge(
        self, flag: Flag, cooldown: float, now: float | None = None, hold: str = ""
    ) -> tuple[int | None, int, str]:
        """Store a live flag and decide its nudge in one transaction: (flag id, nudge id, hold-back).

        The flag id is None for Slack's retry of a message already flagged (nothing else is
        written). Otherwise a nudge row is written in the same transaction: "skipped" with
        the reason bot.nudge_policy gives (snoozed, cooldown), or "sent", which a Slack error later turns into
        "failed" (``nudge_failed``). Deciding and recording together means two harsh lines
        from one agent a second apart get one nudge, not two, and a burst of events costs
        one write per flag. ``hold`` is a reason the caller already has ("paused": the agent
        paused low-severity nudges); the flag is stored and counted all the same.
        """
        now = time.time() if now is None else now
        with self._writing() as conn:
            cursor = conn.execute(self._INSERT_FLAG, self._flag_row(flag))
            if not cursor.rowcount:
                return None, 0, ""
            flag_id = cursor.lastrowid
            self._count([flag], conn)
            reason = hold_back(self._nudge_facts(conn, flag, cooldown, now, hold))
            nudge = conn.execute(
                "INSERT INTO nudges (flag_id, team, channel, user, status, reason, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [flag_id, flag.team, flag.channel, flag.agent, "skipped" if reason else "sent", reason, now],
            )
            return flag_id, int(nudge.lastrowid or 0), reason

    @staticmethod
    def _nudge_facts(conn: sqlite3.Connection, flag: Flag, cooldown: float, now: float, hold: str) -> NudgeFacts:
        """What the nudge policy needs to know, read inside the flag's own write transaction."""
        snooze = conn.execute(
            "SELECT until FROM snoozes WHERE team = ? AND user = ?", [flag.team, flag.agent]
        ).fetchone()
        last_sent = (
            conn.execute(
                "SELECT MAX(created_at) FROM nudges WHERE user = ? AND created_at > ? AND team = ? AND status = 'sent'",
                [flag.agent, now - cooldown, flag.team],
            ).fetchone()[0]
            if cooldown > 0
            else None
        )
        return NudgeFacts(
            now=now,
            cooldown=cooldown,
            hold=hold,
            snoozed_until=float(snooze[0]) if snooze else None,
            last_sent=None if last_sent is None else float(last_sent),
        )

    def nudge_counts(
        self, since: float, until: float, channel: str | None = None, agent: str | None = None, team: str | None = None
    ) -> dict[tuple[str, str, str], int]:
        """Nudges of [since, until) by (agent, status, reason); a channel is an ID or a name."""
        sql = "SELECT user, status, reason, COUNT(*) FROM nudges WHERE created_at >= ? AND created_at < ?"
        sql, params = _narrowed(
            sql,
            [since, until],
            [
                (
                    channel,
                    "(channel = ? OR flag_id IN (SELECT id FROM flags WHERE channel_name = ?))",
                    [channel, (channel or "").lstrip("#")],
                ),
                (agent, "user = ?", [agent]),
                (team, "team = ?", [team]),
            ],
        )
        return {
            (str(user or ""), str(status), str(reason or "")): int(n)
            for user, status, reason, n in self.db.execute(sql + " GROUP BY user, status, reason", params)
        }

    def nudge_failed(self, nudge_id: int, error: str) -> None:
        """Slack refused or never took the nudge: it no longer counts as sent (nor for cooldown)."""
        with self._writing() as conn:
            conn.execute("UPDATE nudges SET status = 'failed', reason = ? WHERE id = ?", [error, nudge_id])

    def snooze(self, team: str, user: str, until: float) -> None:
        with self._writing() as conn:
            conn.execute("INSERT OR REPLACE INTO snoozes (team, user, until) VALUES (?, ?, ?)", [team, user, until])

    def snoozed_until(self, team: str, user: str, now: float | None = None) -> float | None:
        """When the agent's snooze ends, or None when they are not snoozed."""
        row = self.db.execute("SELECT until FROM snoozes WHERE team = ? AND user = ?", [team, user]).fetchone()
        now = time.time() if now is None else now
        return float(row[0]) if row and row[0] > now else None

    def replay_spool(self) -> int:
        """Write the flags spooled while the database refused them; how many were new.

        Each new one gets the nudge record it never had ("skipped", store_unavailable): it was
        not nudged. Idempotent, so a crash between the commit and removing the file is harmless.
        """
        path = spool_path(self.path)
        if path is None or not path.exists():
            return 0
        with Spool(path).taken() as (flags, bad):
            added = 0
            if flags:
                with self._writing() as conn:
                    for flag in flags:
                        cursor = conn.execute(self._INSERT_FLAG, self._flag_row(flag))
                        if not cursor.rowcount:
                            continue
                        added += 1
                        self._count([flag], conn)
                        conn.execute(
                            "INSERT INTO nudges (flag_id, team, channel, user, status, reason, created_at) "
                            "VALUES (?, ?, ?, ?, 'skipped', ?, ?)",
                            [cursor.lastrowid, flag.team, flag.channel, flag.agent, NOT_NUDGED, time.time()],
                        )
            log.info(
                "replayed %d spooled flag(s) from %s (%d already stored, %d unreadable line(s))",
                added,
                path,
                len(flags) - added,
                bad,
            )
        return added
