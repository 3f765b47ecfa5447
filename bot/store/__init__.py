"""The one SQLite file (COACH_DB) behind flags, feedback, nudges and the audit trail.

Why it looks like this:
- sqlite-utils' named migrations, applied on open, so any old database upgrades itself.
- WAL, a busy timeout and synchronous=NORMAL: readers never block the writer, a burst of
  Slack events queues instead of failing with "database is locked", and a crash of the
  process never loses a committed flag or leaves a half-written one. (In WAL mode only a
  power cut can undo the last few commits; FULL would fsync every nudge for that.)
- Threads of the bot queue for writes on an in-process lock, so they never meet SQLite's
  busy handler, whose back-off sleeps delayed nudges.
- One connection per thread (sqlite3 connections must not be shared), writes in
  ``BEGIN IMMEDIATE`` so two writers never deadlock upgrading a read lock.
- Idempotency lives here, not in memory: a flag is unique on (team, channel, ts) and an
  event on its event_id, so Slack's retries and re-scans add nothing.
- Opening runs ``PRAGMA quick_check`` and refuses a damaged file, naming it, rather than
  serve reports from half a database (about 0.7 s on a million flags), then replays the
  spool of flags the bot could not write before (bot.store.spool).

What callers import from here: ``Store``, ``StoreError`` and ``FlagWriter`` (the retrying,
spooling writer live flags go through); the migrations for the tests that replay them.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from bot.store.connection import BUSY_TIMEOUT_SECONDS, PROBE_TIMEOUT_SECONDS, StoreError
from bot.store.feedback import Feedback
from bot.store.meta import Meta
from bot.store.migrations import (
    m001_initial,
    m002_reredact_excerpts,
    m003_workspace_settings,
    m004_quarter_hour_rollup,
    m004_workspace_options,
    m005_team_time_zone,
    migrations,
)
from bot.store.nudges import Nudges
from bot.store.retention import Retention
from bot.store.settings import Settings
from bot.store.spool import FlagWriter, spool_path

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "PROBE_TIMEOUT_SECONDS",
    "FlagWriter",
    "Store",
    "StoreError",
    "m001_initial",
    "m002_reredact_excerpts",
    "m003_workspace_settings",
    "m004_quarter_hour_rollup",
    "m004_workspace_options",
    "m005_team_time_zone",
    "migrations",
]

log = logging.getLogger(__name__)


class Store(Nudges, Feedback, Settings, Retention, Meta):
    """Thread-safe access to the coach database; open it once and share it.

    The parts (bot/store/*.py, one job each) share the connection of ``Connection``; this
    facade composes them and opens the file: check it, migrate it, replay the spool.
    """

    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        super().__init__(path, busy_timeout)
        db = self.db
        self._check(db.conn)
        try:
            with self._writing(db.conn):
                pass
            migrations.apply(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot use this database ({exc})") from None
        try:
            self.replay_spool()
        except (sqlite3.DatabaseError, OSError) as exc:  # kept for the next start; the bot still runs
            log.warning(
                "The spool %s was not replayed (%s); it is kept for the next start",
                spool_path(self.path),
                type(exc).__name__ if isinstance(exc, OSError) else exc,
            )
