"""The connection half of the store: one SQLite connection per thread, with the pragmas the bot
relies on, and write transactions that queue on an in-process lock (see bot.store's docstring
for why each of these is so).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlite_utils import Database

BUSY_TIMEOUT_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 0.25


class StoreError(RuntimeError):
    """The database cannot be used (corrupt, not a database, unwritable); the message says which file."""


class Connection:
    """What every part of the store shares: the file, this thread's connection, the write lock."""

    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = ":memory:" if str(path) == ":memory:" else str(Path(path).expanduser())
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        # Called with (seconds, committed) after each write transaction, whatever its outcome.
        self.write_observer: Callable[[float, bool], None] | None = None

    def _check(self, conn: sqlite3.Connection) -> None:
        """Refuse a damaged file: its first page may be fine while later ones are garbage."""
        damaged = ("the database file is damaged", "restore it from a backup, or move it aside to start afresh")
        try:
            rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(f"{self.path}: cannot use this database ({exc})") from None
            raise StoreError(f"{self.path}: {damaged[0]} ({exc}); {damaged[1]}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {damaged[0]} ({exc}); {damaged[1]}") from None
        if rows != ["ok"]:
            found = "; ".join(str(r) for r in rows)[:300]
            raise StoreError(f"{self.path}: {damaged[0]} (quick_check: {found}); {damaged[1]}")

    @property
    def db(self) -> Database:
        """This thread's connection, opened with the pragmas the bot relies on."""
        db = getattr(self._local, "db", None)
        if db is None:
            if self.path != ":memory:":
                Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(self.path, timeout=self.busy_timeout)
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: cannot open the database ({exc})") from None
            db = Database(conn, execute_plugins=False)
            self._local.db = db
            with self._lock:
                self._all.append(conn)
        return db

    @contextlib.contextmanager
    def _writing(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

        Threads of this process queue on a Python lock first: SQLite's own busy handler
        backs off in sleeps of up to 100 ms, which turned a few concurrent writes into
        visible nudge delays. Other processes (the CLI beside the bot) still meet the
        busy timeout.
        """
        conn = conn or self.db.conn
        started, ok = time.perf_counter(), False
        try:
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                    ok = True
                except BaseException:
                    if conn.in_transaction:  # SQLite may have rolled back already (a full disk does)
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
        finally:
            if self.write_observer is not None:  # the bot's write-latency histogram (bot.slack.metrics)
                self.write_observer(time.perf_counter() - started, ok)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    def write_probe(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> str:
        """ "" when a write transaction can start now, else why not ("database is locked").

        Its own short-lived connection and a short timeout: /healthz must answer at once,
        not wait out the busy timeout behind another process's lock.
        """
        if self.path == ":memory:":
            return ""
        try:
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            return f"database not writable ({str(exc).splitlines()[0][:120]})"
        return ""

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
