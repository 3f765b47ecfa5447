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
  spool of flags the bot could not write before (bot.spool).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import cast

from sqlite_utils import Database, Migrations

from bot.models import CATEGORIES, Flag
from bot.redact import KnownNames, reredact_excerpt
from bot.spool import NOT_NUDGED, Spool, spool_path
from bot.workspace import Allow, CustomTerm, Mute, SettingsError, WorkspaceSettings, allow_pattern

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 0.25
DAY = 86400
SLOT = 900  # the quarter-hour rollup: every real time zone's midnight falls on one
SLOT_DIMS = ("total", "category")  # what a day in another zone needs: the daily series and the chart


class StoreError(RuntimeError):
    """The database cannot be used (corrupt, not a database, unwritable); the message says which file."""


migrations = Migrations("support-coach")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("flags").create(
        {
            "id": int, "team": str, "channel": str, "channel_name": str, "agent": str, "agent_name": str,
            "ts": str, "thread_ts": str, "permalink": str, "categories": str, "rules": str, "phrase": str,
            "severity": str, "excerpt": str, "topic": str, "source": str, "status": str, "created_at": float,
        },
        pk="id",
        not_null={"team", "channel", "ts", "agent", "categories", "severity", "status", "created_at"},
        defaults={"status": "open", "source": "live", "channel_name": "", "agent_name": "", "thread_ts": "",
                  "permalink": "", "rules": "", "phrase": "", "excerpt": "", "topic": ""},
    )
    db.table("flags").create_index(["team", "channel", "ts"], unique=True)
    db.table("flags").create_index(["created_at"])
    db.table("flags").create_index(["channel", "created_at"])
    db.table("flags").create_index(["agent", "created_at"])
    db.table("feedback").create(
        {"id": int, "flag_id": int, "team": str, "user": str, "rule": str, "verdict": str, "created_at": float},
        pk="id",
        not_null={"user", "verdict", "created_at"},
    )
    db.table("feedback").create_index(["flag_id", "user", "rule"], unique=True)
    db.table("feedback").create_index(["created_at"])
    db.table("nudges").create(
        {"id": int, "flag_id": int, "team": str, "channel": str, "user": str, "status": str, "reason": str,
         "created_at": float},
        pk="id",
        not_null={"user", "status", "created_at"},
    )
    db.table("nudges").create_index(["user", "created_at"])
    db.table("nudges").create_index(["created_at"])
    db.table("events").create({"event_id": str, "received_at": float}, pk="event_id")
    db.table("events").create_index(["received_at"])
    db.table("audit").create(
        {"id": int, "at": float, "team": str, "actor": str, "action": str, "details": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )
    db.table("snoozes").create({"team": str, "user": str, "until": float}, pk=("team", "user"))
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # Daily counts per dimension, kept in step with flags on every write, so a 90-day report
    # over a million flags reads a few thousand rows instead of scanning the flags.
    db.table("rollup").create({"day": int, "team": str, "dim": str, "key": str, "n": int},
                              pk=("day", "team", "dim", "key"))
    db.table("names").create({"team": str, "kind": str, "id": str, "name": str}, pk=("team", "kind", "id"))


@migrations()
def m002_reredact_excerpts(db: Database) -> None:
    """Redact stored excerpts again with the pattern table of prompts/redaction.toml.

    Excerpts written before it kept names after greetings, IBANs (all but the digits),
    national id numbers, IP and postal addresses, JWTs and card security codes. The agents'
    names in the names table count as known names. Rows that come out the same are not
    written, and redacting a redacted excerpt changes nothing, so running it twice is safe.
    """
    known = KnownNames(name for (name,) in db.execute("SELECT name FROM names WHERE kind = 'agent'"))
    changed: list[tuple[str, int]] = []
    for flag_id, old in db.execute("SELECT id, excerpt FROM flags WHERE excerpt != ''"):
        new = reredact_excerpt(old, known)
        if new != old:
            changed.append((new, flag_id))
    db.conn.executemany("UPDATE flags SET excerpt = ? WHERE id = ?", changed)



@migrations()
def m003_workspace_settings(db: Database) -> None:
    """A workspace's own coaching settings (bot.workspace) and the audit of every change to them.

    ``team`` "" means every workspace (what the CLI writes unless told a team). Lists are
    one row per entry, so adding or removing one is one statement and one audit row.
    """
    db.table("muted_rules").create({"team": str, "rule": str, "channel": str, "created_at": float, "created_by": str},
                                   pk=("team", "rule", "channel"), not_null={"rule"}, defaults={"channel": ""})
    db.table("allow_list").create({"id": int, "team": str, "phrase": str, "is_pattern": int, "rule": str,
                                   "created_at": float, "created_by": str},
                                  pk="id", not_null={"phrase"}, defaults={"is_pattern": 0, "rule": ""})
    db.table("allow_list").create_index(["team", "phrase", "is_pattern", "rule"], unique=True)
    db.table("custom_terms").create({"team": str, "rule_id": str, "phrase": str, "is_pattern": int, "anchors": str,
                                     "category": str, "severity": str, "tip": str, "rewrite": str, "examples": str,
                                     "created_at": float, "created_by": str},
                                    pk=("team", "rule_id"),
                                    not_null={"rule_id", "phrase", "category", "severity", "tip"},
                                    defaults={"is_pattern": 0, "anchors": "[]", "examples": "[]"})
    db.table("channel_modes").create({"team": str, "channel": str, "mode": str, "created_at": float, "created_by": str},
                                     pk=("team", "channel"), not_null={"mode"})
    db.table("thresholds").create({"team": str, "channel": str, "severity": str, "created_at": float,
                                   "created_by": str},
                                  pk=("team", "channel"), not_null={"severity"}, defaults={"channel": ""})
    db.table("settings_audit").create({"id": int, "at": float, "team": str, "actor": str, "action": str, "target": str,
                                       "before": str, "after": str},
                                      pk="id", not_null={"at", "actor", "action"})
    db.table("settings_audit").create_index(["at"])


@migrations()
def m004_quarter_hour_rollup(db: Database) -> None:
    """Daily series in any time zone (COACH_TZ), and how many flags carry several categories.

    The daily rollup's days are UTC days, which a report in Europe/Berlin or America/New_York
    cannot split; totals and categories per quarter hour can be summed into any zone's days
    (90 days are at most 43,200 rows). The daily rollup also gains ``multi`` (flags with two
    or more categories, keyed by how many), so a report can say why its categories add up
    to more than its flags. Both are filled from the flags already stored.
    """
    db.table("rollup_slot").create({"slot": int, "team": str, "dim": str, "key": str, "n": int},
                                   pk=("slot", "team", "dim", "key"))
    conn = db.conn
    conn.execute(f"INSERT INTO rollup_slot (slot, team, dim, key, n) SELECT CAST(created_at / {SLOT} AS INTEGER), "
                 "team, 'total', '', COUNT(*) FROM flags GROUP BY 1, 2")
    for category in CATEGORIES:
        conn.execute(f"INSERT INTO rollup_slot (slot, team, dim, key, n) SELECT CAST(created_at / {SLOT} AS INTEGER),"
                     " team, 'category', ?, COUNT(*) FROM flags WHERE ',' || categories || ',' LIKE ? GROUP BY 1, 2",
                     [category, f"%,{category},%"])
    labels = "(LENGTH(categories) - LENGTH(REPLACE(categories, ',', '')) + 1)"
    conn.execute(f"INSERT INTO rollup (day, team, dim, key, n) SELECT CAST(created_at / {DAY} AS INTEGER), team, "
                 f"'multi', CAST({labels} AS TEXT), COUNT(*) FROM flags WHERE categories LIKE '%,%' GROUP BY 1, 2, 4 "
                 "ON CONFLICT (day, team, dim, key) DO UPDATE SET n = excluded.n")


@migrations()
def m004_workspace_options(db: Database) -> None:
    """Options set in Slack (bot.workspace_options) and each agent's own nudge preference.

    One row per option, its value as JSON; a missing row means the environment decides.
    """
    db.table("workspace_options").create({"team": str, "key": str, "value": str, "created_at": float,
                                          "created_by": str}, pk=("team", "key"), not_null={"key", "value"})
    db.table("agent_prefs").create({"team": str, "user": str, "pause_low": int, "created_at": float},
                                   pk=("team", "user"), not_null={"user"}, defaults={"pause_low": 0})


@migrations()
def m005_team_time_zone(db: Database) -> None:
    """The workspace option ``digest_tz`` becomes ``time_zone``: one zone for the team's reports,
    digest schedule and "snooze for today" (COACH_TZ), not one for the digest alone.

    m004_quarter_hour_rollup and m004_workspace_options were written side by side; either may
    have run first, and each is matched by its name, so both keep their names and this one
    comes after them.
    """
    db.conn.execute("UPDATE OR REPLACE workspace_options SET key = 'time_zone' WHERE key = 'digest_tz'")


ROWS_PER_STATEMENT = 500


def _insert_rows(conn: sqlite3.Connection, sql: str, rows: list[tuple[object, ...]]) -> None:
    """Many rows in one multi-row INSERT per chunk, rather than executemany's statement per row.

    Each statement SQLite runs lets go of the GIL and must win it back; under a burst of
    Slack events that costs milliseconds per statement, so a flag's ten rollup rows go in
    one statement.
    """
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start:start + ROWS_PER_STATEMENT]
        one = "(" + ", ".join(["?"] * len(chunk[0])) + ")"
        conn.execute(sql.format(rows=", ".join([one] * len(chunk))), [value for row in chunk for value in row])


class Store:
    """Thread-safe access to the coach database; open it once and share it."""

    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = ":memory:" if str(path) == ":memory:" else str(Path(path).expanduser())
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        # Called with (seconds, committed) after each write transaction, whatever its outcome.
        self.write_observer: Callable[[float, bool], None] | None = None
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
            log.warning("The spool %s was not replayed (%s); it is kept for the next start",
                        spool_path(self.path), type(exc).__name__ if isinstance(exc, OSError) else exc)

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

    # --- connections ------------------------------------------------------------------

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
        """"" when a write transaction can start now, else why not ("database is locked").

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
                        conn.execute("INSERT INTO nudges (flag_id, team, channel, user, status, reason, created_at) "
                                     "VALUES (?, ?, ?, ?, 'skipped', ?, ?)",
                                     [cursor.lastrowid, flag.team, flag.channel, flag.agent, NOT_NUDGED,
                                      time.time()])
            log.info("replayed %d spooled flag(s) from %s (%d already stored, %d unreadable line(s))",
                     added, path, len(flags) - added, bad)
        return added

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # --- flags ------------------------------------------------------------------------

    _FLAG_COLUMNS = ("team", "channel", "channel_name", "agent", "agent_name", "ts", "thread_ts", "permalink",
                     "categories", "rules", "phrase", "severity", "excerpt", "topic", "source", "status",
                     "created_at")
    _INSERT_FLAG = (f"INSERT OR IGNORE INTO flags ({', '.join(_FLAG_COLUMNS)}) "
                    f"VALUES ({', '.join('?' for _ in _FLAG_COLUMNS)})")

    @staticmethod
    def _flag_row(flag: Flag) -> tuple[object, ...]:
        created = flag.created_at or _ts_seconds(flag.ts) or time.time()
        return (flag.team, flag.channel, flag.channel_name, flag.agent, flag.agent_name, flag.ts, flag.thread_ts,
                flag.permalink, ",".join(flag.categories), ",".join(flag.rules), flag.phrase, flag.severity,
                flag.excerpt, flag.topic, flag.source, flag.status, created)

    def add_flag(self, flag: Flag) -> int | None:
        """Store a flag; its id, or None when this message was already flagged (a retry)."""
        with self._writing() as conn:
            cursor = conn.execute(self._INSERT_FLAG, self._flag_row(flag))
            if not cursor.rowcount:
                return None
            self._count([flag], conn)
            return cursor.lastrowid

    def add_flags(self, flags: Iterable[Flag], batch: int = 5000) -> int:
        """Store many flags in batched transactions; how many were new (duplicates are skipped)."""
        added = 0
        pending: list[Flag] = []
        for flag in flags:
            pending.append(flag)
            if len(pending) >= batch:
                added += self._insert_batch(pending)
                pending = []
        if pending:
            added += self._insert_batch(pending)
        return added

    def _insert_batch(self, flags: list[Flag]) -> int:
        with self._writing() as conn:
            execute = conn.execute
            sql = self._INSERT_FLAG
            new = [flag for flag in flags if execute(sql, self._flag_row(flag)).rowcount]
            self._count(new, conn)
            return len(new)

    def _count(self, flags: list[Flag], conn: sqlite3.Connection, sign: int = 1) -> None:
        """Keep the daily rollup and the id -> name table in step with the flags just written."""
        counts: Counter[tuple[int, str, str, str]] = Counter()
        slots: Counter[tuple[int, str, str, str]] = Counter()
        names: dict[tuple[str, str, str], str] = {}
        for flag in flags:
            created = flag.created_at or _ts_seconds(flag.ts)
            day, slot = int(created // DAY), int(created // SLOT)
            for dim, key in flag_dimensions(flag.channel, flag.agent, flag.severity, flag.categories, flag.rules,
                                            flag.phrase, flag.topic, flag.status, flag.source):
                counts[(day, flag.team, dim, key)] += sign
                if dim in SLOT_DIMS:
                    slots[(slot, flag.team, dim, key)] += sign
            if flag.channel_name:
                names[(flag.team, "channel", flag.channel)] = flag.channel_name
            if flag.agent_name:
                names[(flag.team, "agent", flag.agent)] = flag.agent_name
        _insert_rows(conn, "INSERT INTO rollup (day, team, dim, key, n) VALUES {rows} "
                           "ON CONFLICT (day, team, dim, key) DO UPDATE SET n = n + excluded.n",
                     [(*key, n) for key, n in counts.items()])
        _insert_rows(conn, "INSERT INTO rollup_slot (slot, team, dim, key, n) VALUES {rows} "
                           "ON CONFLICT (slot, team, dim, key) DO UPDATE SET n = n + excluded.n",
                     [(*key, n) for key, n in slots.items()])
        _insert_rows(conn, "INSERT OR REPLACE INTO names (team, kind, id, name) VALUES {rows}",
                     [(*key, name) for key, name in names.items()])

    def rollup(self, first_day: int, last_day: int, team: str | None = None) -> list[tuple[int, str, str, int]]:
        """(day, dim, key, n) for whole UTC days first_day..last_day (days since the epoch)."""
        sql = "SELECT day, dim, key, SUM(n) FROM rollup WHERE day BETWEEN ? AND ?"
        params: list[object] = [first_day, last_day]
        if team:
            sql += " AND team = ?"
            params.append(team)
        return self.db.execute(sql + " GROUP BY day, dim, key HAVING SUM(n) != 0", params).fetchall()

    def slot_rollup(self, start: float, end: float, team: str | None = None) -> list[tuple[int, str, str, int]]:
        """(slot, dim, key, n) of the quarter-hour rollup (totals and categories) in [start, end)."""
        sql = "SELECT slot, dim, key, SUM(n) FROM rollup_slot WHERE slot >= ? AND slot < ?"
        params: list[object] = [int(start // SLOT), int(-(-end // SLOT))]
        if team:
            sql += " AND team = ?"
            params.append(team)
        return self.db.execute(sql + " GROUP BY slot, dim, key HAVING SUM(n) != 0", params).fetchall()

    def flag_dimension_rows(self, since: float, until: float | None = None, channel: str | None = None,
                            agent: str | None = None, team: str | None = None,
                            ) -> Iterator[tuple[float, str, str, str, str, str, str, str, str, str]]:
        """The columns reports count by, for the flags of a period (used where no rollup fits)."""
        where, params = _period_filter(since, until, channel, agent, team)
        return self.db.execute(
            "SELECT created_at, channel, agent, severity, categories, rules, phrase, topic, status, source "
            f"FROM flags WHERE {where}", params)

    def status_by_agent(self, since: float, until: float, status: str, channel: str | None = None,
                        team: str | None = None) -> dict[str, int]:
        """Flags of a period that ended in ``status`` ("edited"), per agent: with the filter the
        narrowed counts use, so an agent's number is that of a report narrowed to them."""
        where, params = _period_filter(since, until, channel, None, team)
        return dict(self.db.execute(f"SELECT agent, COUNT(*) FROM flags WHERE {where} AND status = ? GROUP BY agent",
                                    [*params, status]).fetchall())

    def names(self, kind: str, team: str | None = None) -> dict[str, str]:
        sql = "SELECT id, name FROM names WHERE kind = ?" + (" AND team = ?" if team else "")
        return dict(self.db.execute(sql, [kind, team] if team else [kind]).fetchall())

    def get_flag(self, flag_id: int) -> Flag | None:
        row = self.db.execute("SELECT * FROM flags WHERE id = ?", [flag_id]).fetchone()
        return self._flag(row) if row else None

    def find_flag(self, team: str, channel: str, ts: str) -> Flag | None:
        row = self.db.execute("SELECT * FROM flags WHERE team = ? AND channel = ? AND ts = ?",
                              [team, channel, ts]).fetchone()
        return self._flag(row) if row else None

    def set_status(self, flag_id: int, status: str, clear_text: bool = False) -> None:
        """Record what became of a flagged message; a deleted one loses its excerpt."""
        sql = "UPDATE flags SET status = ?" + (", excerpt = '', permalink = ''" if clear_text else "")
        with self._writing() as conn:
            row = conn.execute("SELECT team, created_at, status FROM flags WHERE id = ?", [flag_id]).fetchone()
            if row is None or row[2] == status:
                return
            conn.execute(sql + " WHERE id = ?", [status, flag_id])
            day = int(row[1] // DAY)
            conn.executemany("INSERT INTO rollup (day, team, dim, key, n) VALUES (?, ?, 'status', ?, ?) "
                             "ON CONFLICT (day, team, dim, key) DO UPDATE SET n = n + excluded.n",
                             [(day, row[0], row[2], -1), (day, row[0], status, 1)])

    def flags(self, since: float = 0.0, until: float | None = None, channel: str | None = None,
              agent: str | None = None, team: str | None = None, limit: int | None = None) -> list[Flag]:
        where, params = _period_filter(since, until, channel, agent, team)
        sql = f"SELECT * FROM flags WHERE {where} ORDER BY created_at DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._flag(row) for row in self.db.execute(sql, params).fetchall()]

    def iter_flags(self, since: float = 0.0, until: float | None = None, channel: str | None = None,
                   agent: str | None = None, team: str | None = None) -> Iterator[Flag]:
        """The flags of a period, oldest first, one at a time (a CSV of a million rows)."""
        where, params = _period_filter(since, until, channel, agent, team)
        for row in self.db.execute(f"SELECT * FROM flags WHERE {where} ORDER BY created_at, id", params):
            yield self._flag(row)

    def _flag(self, row: tuple[object, ...]) -> Flag:
        data = dict(zip(self._columns("flags"), row, strict=True))
        data["categories"] = tuple(c for c in str(data["categories"] or "").split(",") if c)
        data["rules"] = tuple(r for r in str(data["rules"] or "").split(",") if r)
        return Flag(**{k: ("" if v is None else v) for k, v in data.items()})  # type: ignore[arg-type]  # columns = Flag's fields

    def _columns(self, table: str) -> list[str]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if table not in cache:
            cache[table] = [c[1] for c in self.db.execute(f"PRAGMA table_info({table})").fetchall()]
        return cache[table]

    # --- events, nudges, snoozes ------------------------------------------------------

    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it."""
        if not event_id:
            return True
        with self._writing() as conn:
            cursor = conn.execute("INSERT OR IGNORE INTO events (event_id, received_at) VALUES (?, ?)",
                                  [event_id, time.time()])
            return bool(cursor.rowcount)

    def add_flag_to_nudge(self, flag: Flag, cooldown: float, now: float | None = None,
                          hold: str = "") -> tuple[int | None, int, str]:
        """Store a live flag and decide its nudge in one transaction: (flag id, nudge id, hold-back).

        The flag id is None for Slack's retry of a message already flagged (nothing else is
        written). Otherwise a nudge row is written in the same transaction: "skipped" with
        the reason (snoozed, cooldown), or "sent", which a Slack error later turns into
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
            reason = hold
            snooze = None if hold else conn.execute("SELECT until FROM snoozes WHERE team = ? AND user = ?",
                                  [flag.team, flag.agent]).fetchone()
            if snooze and snooze[0] > now:
                reason = "snoozed"
            elif not reason and cooldown > 0 and conn.execute(
                    "SELECT 1 FROM nudges WHERE user = ? AND created_at > ? AND team = ? AND status = 'sent' LIMIT 1",
                    [flag.agent, now - cooldown, flag.team]).fetchone():
                reason = "cooldown"
            nudge = conn.execute("INSERT INTO nudges (flag_id, team, channel, user, status, reason, created_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [flag_id, flag.team, flag.channel, flag.agent, "skipped" if reason else "sent",
                                  reason, now])
            return flag_id, int(nudge.lastrowid or 0), reason

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

    # --- feedback and audit -----------------------------------------------------------

    def add_feedback(self, flag_id: int | None, team: str, user: str, rule: str, verdict: str) -> None:
        """One vote per person, flag and rule: a second click replaces the first.

        Low level (imports, tests): the bot records button votes through vote(), which checks them.
        """
        if verdict not in ("helpful", "not_helpful"):
            raise ValueError(f"unknown verdict {verdict!r}")
        with self._writing() as conn:
            conn.execute("DELETE FROM feedback WHERE flag_id IS ? AND user = ? AND rule = ?", [flag_id, user, rule])
            conn.execute("INSERT INTO feedback (flag_id, team, user, rule, verdict, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [flag_id, team, user, rule, verdict, time.time()])

    def vote(self, flag_id: int, team: str, user: str, verdict: str) -> tuple[str, ...] | None:
        """A nudge's Helpful / Not helpful, bound to the stored flag (issue 13).

        Only the flag's own agent votes (the nudge was private to them), on the rule ids
        stored with the flag, never on what the button claims; one vote per flag and person:
        a second replaces the whole first one. Returns the rules voted on, or None when the
        flag does not exist, is another team's or another person's.
        """
        if verdict not in ("helpful", "not_helpful"):
            raise ValueError(f"unknown verdict {verdict!r}")
        with self._writing() as conn:
            row = conn.execute("SELECT team, agent, rules FROM flags WHERE id = ?", [flag_id]).fetchone()
            if row is None or not user or row[1] != user or (team and row[0] != team):
                return None
            rules = tuple(dict.fromkeys(r for r in str(row[2] or "").split(",") if r)) or ("(none)",)
            now = time.time()
            conn.execute("DELETE FROM feedback WHERE flag_id = ? AND user = ?", [flag_id, user])
            conn.executemany("INSERT INTO feedback (flag_id, team, user, rule, verdict, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(flag_id, row[0], user, r, verdict, now) for r in rules])
            return rules

    def not_helpful_flags(self, rule: str, since: float, until: float, team: str | None = None,
                          limit: int = 200) -> list[tuple[str, str, str, str]]:
        """(channel, channel name, phrase, redacted excerpt) of flags whose own agent marked
        ``rule`` not helpful in a period, newest first (the votes the report counts)."""
        sql = ("SELECT f.channel, f.channel_name, f.phrase, f.excerpt FROM feedback fb JOIN flags f "
               "ON f.id = fb.flag_id AND f.agent = fb.user WHERE fb.rule = ? AND fb.verdict = 'not_helpful' "
               "AND fb.created_at >= ? AND fb.created_at < ?")
        params: list[object] = [rule, since, until]
        if team:
            sql += " AND fb.team = ?"
            params.append(team)
        rows = self.db.execute(sql + " ORDER BY fb.created_at DESC LIMIT ?", [*params, limit]).fetchall()
        return [(str(c or ""), str(n or ""), str(p or ""), str(e or "")) for c, n, p, e in rows]

    def voted_flags(self, team: str | None = None) -> list[tuple[str, str, str]]:
        """(redacted excerpt, categories, verdict) per flag its own agent voted on, excerpt kept:
        the workspace's confirmed feedback, for `train --with-feedback`."""
        sql = ("SELECT f.excerpt, f.categories, MIN(fb.verdict) FROM feedback fb JOIN flags f "
               "ON f.id = fb.flag_id AND f.agent = fb.user WHERE f.excerpt != ''")
        params: list[object] = []
        if team:
            sql += " AND f.team = ?"
            params.append(team)
        # one verdict per flag (a vote covers all its rules); a flag with mixed rows says nothing clear
        rows = self.db.execute(sql + " GROUP BY f.id HAVING COUNT(DISTINCT fb.verdict) = 1 ORDER BY f.id",
                               params).fetchall()
        return [(str(e), str(c or ""), str(v)) for e, c, v in rows]

    def audit(self, actor: str, action: str, team: str = "", **details: object) -> None:
        """Append-only: who looked at whose coaching data, and when."""
        with self._writing() as conn:
            conn.execute("INSERT INTO audit (at, team, actor, action, details) VALUES (?, ?, ?, ?, ?)",
                         [time.time(), team, actor, action, json.dumps(details, default=str, sort_keys=True)])

    def audit_log(self, limit: int = 100) -> list[dict[str, object]]:
        return list(self.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]))

    # --- workspace settings (bot.workspace) ------------------------------------------

    def workspace_settings(self, team: str = "") -> WorkspaceSettings:
        """What a workspace has set: its own rows and those for every workspace (team "").

        Where both set a threshold for the same channel, the workspace's own wins.
        """
        teams = ["", team] if team else [""]
        marks = ", ".join("?" for _ in teams)
        db = self.db
        mutes = frozenset(Mute(rule, channel) for rule, channel in db.execute(
            f"SELECT rule, channel FROM muted_rules WHERE team IN ({marks})", teams))
        allows = tuple(Allow(phrase, bool(is_pattern), rule) for phrase, is_pattern, rule in db.execute(
            f"SELECT phrase, is_pattern, rule FROM allow_list WHERE team IN ({marks}) ORDER BY id", teams))
        terms = tuple(
            CustomTerm(rule_id, phrase, category, severity, tip, rewrite, bool(is_pattern),
                       tuple(json.loads(anchors or "[]")), tuple(json.loads(examples or "[]")))
            for rule_id, phrase, is_pattern, anchors, category, severity, tip, rewrite, examples in db.execute(
                "SELECT rule_id, phrase, is_pattern, anchors, category, severity, tip, rewrite, examples "
                f"FROM custom_terms WHERE team IN ({marks}) ORDER BY team, rule_id", teams))
        modes = db.execute(f"SELECT channel, mode FROM channel_modes WHERE team IN ({marks})", teams).fetchall()
        thresholds: dict[str, str] = {}
        for channel, severity in db.execute(
                f"SELECT channel, severity FROM thresholds WHERE team IN ({marks}) ORDER BY team != ''", teams):
            thresholds[channel] = severity
        options: dict[str, object] = {}
        for key, value in db.execute(f"SELECT key, value FROM workspace_options WHERE team IN ({marks}) "
                                     "ORDER BY team != ''", teams):
            options[key] = json.loads(value)
        paused = frozenset(user for (user,) in db.execute(
            "SELECT user FROM agent_prefs WHERE team = ? AND pause_low = 1", [team]))
        managers = options.get("managers")
        return WorkspaceSettings(
            mutes=mutes, allows=allows, terms=terms,
            watched=frozenset(c for c, mode in modes if mode == "watch"),
            ignored=frozenset(c for c, mode in modes if mode == "ignore"),
            threshold=thresholds.pop("", None),
            channel_thresholds=tuple(sorted(thresholds.items())),
            managers=frozenset(str(m) for m in managers) if isinstance(managers, list) else None,
            digest_channel=_text_option(options.get("digest_channel")),
            digest_schedule=_text_option(options.get("digest_schedule")),
            time_zone=_text_option(options.get("time_zone")),
            agent_pause=cast(bool, options["agent_pause"]) if isinstance(options.get("agent_pause"), bool) else None,
            paused=paused,
        )

    def setting_origins(self, team: str = "") -> dict[tuple[str, str], tuple[str, str, float]]:
        """Who set each stored setting, for "where does this come from": (kind, key) ->
        (team the row is for, actor, when). Kinds: mute ("rule|channel"), allow ("phrase|pattern|rule"),
        term, channel, threshold (channel, "" everywhere) and option."""
        teams = ["", team] if team else [""]
        marks = ", ".join("?" for _ in teams)
        queries = {
            "mute": "SELECT rule || '|' || channel, team, created_by, created_at FROM muted_rules",
            "allow": "SELECT phrase || '|' || is_pattern || '|' || rule, team, created_by, created_at FROM allow_list",
            "term": "SELECT rule_id, team, created_by, created_at FROM custom_terms",
            "channel": "SELECT channel, team, created_by, created_at FROM channel_modes",
            "threshold": "SELECT channel, team, created_by, created_at FROM thresholds",
            "option": "SELECT key, team, created_by, created_at FROM workspace_options",
        }
        origins: dict[tuple[str, str], tuple[str, str, float]] = {}
        for kind, sql in queries.items():
            for key, row_team, actor, at in self.db.execute(f"{sql} WHERE team IN ({marks}) ORDER BY team != ''",
                                                            teams):
                origins[(kind, str(key))] = (str(row_team), str(actor or ""), float(at or 0))
        return origins

    def option_teams(self) -> list[str]:
        """The workspaces (not "": every workspace) that have set an option."""
        return [team for (team,) in self.db.execute(
            "SELECT DISTINCT team FROM workspace_options WHERE team != '' ORDER BY team")]

    def set_option(self, key: str, value: object | None, *, team: str = "", actor: str) -> bool:
        """Set a workspace option (checked by bot.workspace_options); None clears it, back to the
        environment's default. False when nothing changed."""
        from bot.workspace_options import validate_option

        stored = None if value is None else validate_option(key, value)
        with self._writing() as conn:
            row = conn.execute("SELECT value FROM workspace_options WHERE team = ? AND key = ?",
                               [team, key]).fetchone()
            before = json.loads(row[0]) if row else None
            if before == stored:  # None: no row either way
                return False
            if stored is None:
                conn.execute("DELETE FROM workspace_options WHERE team = ? AND key = ?", [team, key])
            else:
                conn.execute("INSERT OR REPLACE INTO workspace_options (team, key, value, created_at, created_by) "
                             "VALUES (?, ?, ?, ?, ?)", [team, key, json.dumps(stored), time.time(), actor])
            self._settings_change(conn, team, actor, "option", key, before, stored)
            return True

    def set_low_pause(self, team: str, user: str, paused: bool) -> bool:
        """An agent pauses (or resumes) their own low-severity nudges; audited as their change."""
        with self._writing() as conn:
            row = conn.execute("SELECT pause_low FROM agent_prefs WHERE team = ? AND user = ?",
                               [team, user]).fetchone()
            before = bool(row[0]) if row else False
            if before == paused:
                return False
            conn.execute("INSERT OR REPLACE INTO agent_prefs (team, user, pause_low, created_at) VALUES (?, ?, ?, ?)",
                         [team, user, int(paused), time.time()])
            self._settings_change(conn, team, user, "pause_low" if paused else "resume_low", user, before, paused)
            return True

    def _settings_change(self, conn: sqlite3.Connection, team: str, actor: str, action: str, target: str,
                         before: object, after: object) -> None:
        conn.execute("INSERT INTO settings_audit (at, team, actor, action, target, before, after) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [time.time(), team, actor, action, target,
                      json.dumps(before, sort_keys=True), json.dumps(after, sort_keys=True)])

    def mute_rule(self, rule: str, channel: str = "", *, team: str = "", actor: str) -> bool:
        """Mute a rule everywhere (channel "") or in one channel; False when it already was."""
        with self._writing() as conn:
            added = conn.execute("INSERT OR IGNORE INTO muted_rules (team, rule, channel, created_at, created_by) "
                                 "VALUES (?, ?, ?, ?, ?)", [team, rule, channel, time.time(), actor]).rowcount
            if added:
                self._settings_change(conn, team, actor, "mute", rule + (f" in {channel}" if channel else ""),
                                      None, {"rule": rule, "channel": channel})
            return bool(added)

    def unmute_rule(self, rule: str, channel: str = "", *, team: str = "", actor: str) -> bool:
        with self._writing() as conn:
            removed = conn.execute("DELETE FROM muted_rules WHERE team = ? AND rule = ? AND channel = ?",
                                   [team, rule, channel]).rowcount
            if removed:
                self._settings_change(conn, team, actor, "unmute", rule + (f" in {channel}" if channel else ""),
                                      {"rule": rule, "channel": channel}, None)
            return bool(removed)

    def allow_phrase(self, phrase: str, is_pattern: bool = False, rule: str = "", *, team: str = "",
                     actor: str) -> bool:
        """Add an allow-list entry (checked first: a bad regex raises SettingsError)."""
        allow_pattern(phrase, is_pattern)
        with self._writing() as conn:
            added = conn.execute(
                "INSERT OR IGNORE INTO allow_list (team, phrase, is_pattern, rule, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?)", [team, phrase, int(is_pattern), rule, time.time(), actor]).rowcount
            if added:
                self._settings_change(conn, team, actor, "allow", phrase, None,
                                      {"phrase": phrase, "pattern": is_pattern, "rule": rule})
            return bool(added)

    def disallow_phrase(self, phrase: str, is_pattern: bool = False, rule: str = "", *, team: str = "",
                        actor: str) -> bool:
        with self._writing() as conn:
            removed = conn.execute("DELETE FROM allow_list WHERE team = ? AND phrase = ? AND is_pattern = ? "
                                   "AND rule = ?", [team, phrase, int(is_pattern), rule]).rowcount
            if removed:
                self._settings_change(conn, team, actor, "disallow", phrase,
                                      {"phrase": phrase, "pattern": is_pattern, "rule": rule}, None)
            return bool(removed)

    def put_term(self, term: CustomTerm, *, team: str = "", actor: str) -> None:
        """Add or replace a custom term (validate it first: bot.workspace.validate_term)."""
        after = {"phrase": term.phrase, "pattern": term.is_pattern, "anchors": list(term.anchors),
                 "category": term.category, "severity": term.severity, "tip": term.tip, "rewrite": term.rewrite,
                 "examples": list(term.examples)}
        with self._writing() as conn:
            row = conn.execute("SELECT phrase, is_pattern, anchors, category, severity, tip, rewrite, examples "
                               "FROM custom_terms WHERE team = ? AND rule_id = ?", [team, term.rule_id]).fetchone()
            before = None if row is None else {
                "phrase": row[0], "pattern": bool(row[1]), "anchors": json.loads(row[2] or "[]"), "category": row[3],
                "severity": row[4], "tip": row[5], "rewrite": row[6], "examples": json.loads(row[7] or "[]")}
            conn.execute("INSERT OR REPLACE INTO custom_terms (team, rule_id, phrase, is_pattern, anchors, category, "
                         "severity, tip, rewrite, examples, created_at, created_by) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [team, term.rule_id, term.phrase, int(term.is_pattern), json.dumps(list(term.anchors)),
                          term.category, term.severity, term.tip, term.rewrite, json.dumps(list(term.examples)),
                          time.time(), actor])
            self._settings_change(conn, team, actor, "add_term" if before is None else "replace_term",
                                  term.rule_id, before, after)

    def remove_term(self, rule_id: str, *, team: str = "", actor: str) -> bool:
        """Take a custom term away; False when there was none by that id."""
        with self._writing() as conn:
            row = conn.execute("SELECT phrase, category, severity, tip FROM custom_terms "
                               "WHERE team = ? AND rule_id = ?", [team, rule_id]).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM custom_terms WHERE team = ? AND rule_id = ?", [team, rule_id])
            self._settings_change(conn, team, actor, "remove_term", rule_id,
                                  {"phrase": row[0], "category": row[1], "severity": row[2], "tip": row[3]}, None)
            return True

    def set_channel_mode(self, channel: str, mode: str | None, *, team: str = "", actor: str) -> None:
        """Watch or ignore a channel; None forgets it (back to COACH_CHANNELS)."""
        if mode not in ("watch", "ignore", None):
            raise ValueError(f"unknown channel mode {mode!r}")
        with self._writing() as conn:
            row = conn.execute("SELECT mode FROM channel_modes WHERE team = ? AND channel = ?",
                               [team, channel]).fetchone()
            before = row[0] if row else None
            if before == mode:
                return
            if mode is None:
                conn.execute("DELETE FROM channel_modes WHERE team = ? AND channel = ?", [team, channel])
            else:
                conn.execute("INSERT OR REPLACE INTO channel_modes (team, channel, mode, created_at, created_by) "
                             "VALUES (?, ?, ?, ?, ?)", [team, channel, mode, time.time(), actor])
            self._settings_change(conn, team, actor, "channel", channel, before, mode)

    def set_threshold(self, severity: str | None, channel: str = "", *, team: str = "", actor: str) -> None:
        """The lowest severity nudged, everywhere (channel "") or in one channel; None clears it."""
        if severity is not None and severity not in ("low", "medium", "high"):
            raise SettingsError("severity must be one of low, medium, high")
        with self._writing() as conn:
            row = conn.execute("SELECT severity FROM thresholds WHERE team = ? AND channel = ?",
                               [team, channel]).fetchone()
            before = row[0] if row else None
            if before == severity:
                return
            if severity is None:
                conn.execute("DELETE FROM thresholds WHERE team = ? AND channel = ?", [team, channel])
            else:
                conn.execute("INSERT OR REPLACE INTO thresholds (team, channel, severity, created_at, created_by) "
                             "VALUES (?, ?, ?, ?, ?)", [team, channel, severity, time.time(), actor])
            self._settings_change(conn, team, actor, "threshold", channel or "(everywhere)", before, severity)

    def settings_audit(self, limit: int = 100) -> list[dict[str, object]]:
        return list(self.db.query("SELECT * FROM settings_audit ORDER BY id DESC LIMIT ?", [limit]))

    # --- retention --------------------------------------------------------------------

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

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def claim_meta(self, key: str, value: str = "1") -> bool:
        """Set a key only if it is not set yet; True for the one caller that set it (atomic)."""
        with self._writing() as conn:
            return bool(conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, value]).rowcount)

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


def flag_dimensions(channel: str, agent: str, severity: str, categories: Iterable[str] | str,
                    rules: Iterable[str] | str, phrase: str, topic: str, status: str,
                    source: str) -> Iterator[tuple[str, str]]:
    """The (dimension, key) pairs one flag counts towards; rollups and raw counts share it."""
    if isinstance(categories, str):
        categories = [c for c in categories.split(",") if c]
    if isinstance(rules, str):
        rules = [r for r in rules.split(",") if r]
    categories = list(categories)
    yield "total", ""
    yield "channel", channel
    yield "agent", agent
    yield "severity", severity
    yield "status", status
    yield "source", source
    for category in categories:
        yield "category", category
    if len(categories) > 1:  # why the categories of a report add up to more than its flags
        yield "multi", str(len(categories))
    for rule in rules:
        yield "rule", rule
    if phrase:
        yield "phrase", phrase
    if topic and ("disparaging" in categories or "blame" in categories):
        yield "struggle", topic


def _text_option(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _ts_seconds(ts: str) -> float:
    try:
        return float(ts)
    except (TypeError, ValueError):
        return 0.0


def _period_filter(since: float, until: float | None, channel: str | None, agent: str | None,
                   team: str | None) -> tuple[str, list[object]]:
    clauses = ["created_at >= ?"]
    params: list[object] = [since]
    if until is not None:
        clauses.append("created_at < ?")
        params.append(until)
    if channel:  # an ID (C0123) or a name, with or without '#'
        clauses.append("(channel = ? OR channel_name = ?)")
        params.extend([channel, channel.lstrip("#")])
    for column, value in (("agent", agent), ("team", team)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), params
