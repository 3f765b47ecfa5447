"""No live flag is lost silently when the database refuses it (locked by another process, disk full).

By the time a flag is written Slack has its ack and will not redeliver the event, so a write
that fails must not drop it:

1. ``FlagWriter`` tries the write at once, in the listener's thread, as before. If SQLite
   refuses, the flag is queued and a background thread retries it with doubling back-off
   (``COACH_WRITE_RETRY_DELAY``, 0.5 s, up to 10 s) for ``COACH_WRITE_RETRY_SECONDS`` (120 s).
   While anything is queued, or another listener's attempt is under way, new flags join the
   queue instead of each waiting out the busy timeout in a listener thread: one listener
   thread at most is held up by a locked database. A flag stored late gets its nudge then, decided (snooze,
   cooldown) and recorded in the same transaction as ever.
2. A flag still refused after that is appended to the spool, ``COACH_DB-spool.jsonl`` next to
   the database (one JSON line per flag, mode 0600, fsynced, at most 16 MB). It is not nudged:
   nothing could record the nudge, and the replay records it as skipped ("store_unavailable").
3. The spool is replayed into the database when the store opens (every start) and, while the
   bot runs, as soon as a write succeeds again. Replaying is idempotent (the flag's unique key),
   and takes an exclusive file lock so a CLI run beside the bot never races it.

The log says how many flags were retried, spooled or lost (when the spool itself cannot be
written): counts and error kinds only, never message text or tokens. ``health()`` is the
reason ``/healthz`` answers 503 while flag writes are failing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from bot.models import Flag

try:  # POSIX; elsewhere the spool is still written, without the cross-process lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SPOOL_SUFFIX = "-spool.jsonl"
MAX_SPOOL_BYTES = 16 << 20
MAX_RETRY_DELAY = 10.0
NOT_NUDGED = "store_unavailable"

Stored = Callable[[int | None, int, str], None]


class FlagStore(Protocol):
    """What the writer needs of bot.store.Store: the store imports this module, not the reverse."""

    path: str
    busy_timeout: float

    def add_flag_to_nudge(
        self, flag: Flag, cooldown: float, now: float | None = None, hold: str = ""
    ) -> tuple[int | None, int, str]: ...

    def replay_spool(self) -> int: ...


def spool_path(db_path: str | Path) -> Path | None:
    """Where the spool of a database lives (None for an in-memory database)."""
    return None if str(db_path) == ":memory:" else Path(str(db_path) + SPOOL_SUFFIX)


def describe(exc: BaseException) -> str:
    """An SQLite or OS error as a short reason without paths or data ("database is locked")."""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return (str(exc) or type(exc).__name__).splitlines()[0][:120]


class Spool:
    """The append-only file of flags waiting for the database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _locked(self, flags: int) -> Iterator[int]:
        """An fd on the spool file with an exclusive lock; re-opened if replay unlinked it meanwhile."""
        while True:
            fd = os.open(self.path, flags, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    yield fd
                    return
            finally:
                os.close(fd)

    def append(self, flags: list[Flag]) -> None:
        """Write these flags durably (fsync); OSError when the file cannot take them."""
        lines = "".join(
            json.dumps({"v": 1, "spooled_at": time.time(), "flag": _flag_data(f)}, sort_keys=True) + "\n" for f in flags
        ).encode()
        with self._locked(os.O_WRONLY | os.O_APPEND | os.O_CREAT) as fd:
            if os.fstat(fd).st_size + len(lines) > MAX_SPOOL_BYTES:
                raise OSError(28, "the spool is full")
            os.write(fd, lines)
            os.fsync(fd)

    @contextlib.contextmanager
    def taken(self) -> Iterator[tuple[list[Flag], int]]:
        """The spooled flags (and how many lines were unreadable), under the lock; removed afterwards
        unless the body raised, so a replay that fails keeps every line for the next one."""
        if not self.path.exists():
            yield [], 0
            return
        with self._locked(os.O_RDWR) as fd:
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            flags, bad = _parse(b"".join(chunks))
            yield flags, bad
            os.unlink(self.path)


def _flag_data(flag: Flag) -> dict[str, object]:
    data = asdict(flag)
    data.pop("id", None)
    return data


def _parse(raw: bytes) -> tuple[list[Flag], int]:
    flags: list[Flag] = []
    bad = 0
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)["flag"]
            data["categories"] = tuple(data["categories"])
            data["rules"] = tuple(data["rules"])
            flags.append(Flag(**data))
        except (ValueError, KeyError, TypeError):  # a line cut short by a crash mid-write
            bad += 1
    return flags, bad


@dataclass
class _Pending:
    flag: Flag
    cooldown: float
    then: Stored | None
    first_failure: float
    hold: str = ""  # a hold-back reason the listener already knows (Store.add_flag_to_nudge)


class FlagWriter:
    """Stores live flags and decides their nudges; retries, then spools, what SQLite refuses."""

    def __init__(self, store: FlagStore, retry_delay: float = 0.5, retry_seconds: float = 120.0) -> None:
        self.store = store
        self.retry_delay = retry_delay
        self.retry_seconds = retry_seconds
        self.stats: Counter[str] = Counter()
        self._queue: deque[_Pending] = deque()
        self._cv = threading.Condition()
        self._error = ""
        self._spooled = 0  # flags in the spool since the last write that worked
        self._closed = False
        self._inflight = 0  # direct attempts under way in listener threads
        self._thread: threading.Thread | None = None
        path = spool_path(store.path)
        self.spool = Spool(path) if path else None

    # --- the listener's side --------------------------------------------------------------

    def add_flag_to_nudge(self, flag: Flag, cooldown: float, then: Stored | None = None, hold: str = "") -> None:
        """Store.add_flag_to_nudge, then ``then(flag_id, nudge_id, held_back)``: now, or from the
        background thread once the database takes it. A flag that is spooled is never nudged."""
        with self._cv:
            queued = bool(self._queue) or self._inflight > 0
            if not queued:
                self._inflight += 1
        if queued:  # behind a write that is failing or may be stuck in the busy timeout: no second wait
            self._defer(_Pending(flag, cooldown, then, time.monotonic(), hold), None)
            return
        try:
            result = self.store.add_flag_to_nudge(flag, cooldown, hold=hold)
        except sqlite3.DatabaseError as exc:
            self._defer(_Pending(flag, cooldown, then, time.monotonic(), hold), exc)
            return
        finally:
            with self._cv:
                self._inflight -= 1
        self._worked()
        if then:
            then(*result)

    def health(self) -> str:
        """Why flags cannot be written right now, or "" when they can."""
        with self._cv:
            waiting, spooled, error = len(self._queue), self._spooled, self._error
        if not waiting and not spooled:
            return ""
        return (
            f"flag writes failing ({error or 'database unavailable'}): {waiting} waiting for a retry, {spooled} spooled"
        )

    def waiting(self) -> int:
        """Flags queued for a background retry (a gauge on /metrics)."""
        with self._cv:
            return len(self._queue)

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        """Stop retrying; whatever is still queued goes to the spool rather than being dropped."""
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.store.busy_timeout + 2)
        self._spool_queue("shutting down")

    # --- the background side --------------------------------------------------------------

    def _defer(self, item: _Pending, exc: BaseException | None) -> None:
        with self._cv:
            if exc is not None:
                self._error = describe(exc)
            self._queue.append(item)
            waiting = len(self._queue)
            self.stats["deferred"] += 1
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="coach-flag-writer", daemon=True)
                self._thread.start()
            self._cv.notify_all()
            closed = self._closed
        if exc is not None:
            log.warning(
                "A flag could not be written (%s): retrying in the background, %d waiting", describe(exc), waiting
            )
        if closed:
            self._spool_queue("shutting down")

    def _worked(self) -> None:
        with self._cv:
            self._error = ""

    def _run(self) -> None:
        delay = self.retry_delay
        while True:
            with self._cv:
                while not self._closed and not self._queue and not self._spooled:
                    self._cv.wait()
                if self._closed:
                    return
                item = self._queue[0] if self._queue else None
            if item is None:  # all stored again; bring the spool back while the database is writable
                if not self._replay():
                    self._sleep(MAX_RETRY_DELAY)
                continue
            try:
                result = self.store.add_flag_to_nudge(item.flag, item.cooldown, hold=item.hold)
            except sqlite3.DatabaseError as exc:
                with self._cv:
                    self._error = describe(exc)
                left = item.first_failure + self.retry_seconds - time.monotonic()
                if left <= 0:
                    self._spool_queue(describe(exc))
                    delay = self.retry_delay
                else:
                    self._sleep(min(delay, left))
                    delay = min(delay * 2, MAX_RETRY_DELAY)
                continue
            delay = self.retry_delay
            with self._cv:
                self._queue.popleft()
                self._error = ""
                self.stats["stored_late"] += 1
                left = len(self._queue)
                self._cv.notify_all()
            if not left:
                log.info(
                    "Flag writes work again: %d flag(s) stored after a retry since start", self.stats["stored_late"]
                )
            if item.then:
                try:
                    item.then(*result)
                except Exception:  # the nudge's own failure must not stop the retries
                    log.exception("A retried flag's nudge failed")

    def _sleep(self, seconds: float) -> None:
        """Wait this long (new flags arriving do not cut it short); close() does."""
        deadline = time.monotonic() + seconds
        with self._cv:
            while not self._closed and (left := deadline - time.monotonic()) > 0:
                self._cv.wait(left)

    def _replay(self) -> bool:
        try:
            self.store.replay_spool()
        except (sqlite3.DatabaseError, OSError):
            return False
        with self._cv:
            self._spooled = 0
            self._error = ""
        return True

    def _spool_queue(self, reason: str) -> None:
        with self._cv:
            items = list(self._queue)
            self._queue.clear()
            self._cv.notify_all()
        if not items:
            return
        flags = [item.flag for item in items]
        try:
            if self.spool is None:
                raise OSError(0, "an in-memory database has no spool")
            self.spool.append(flags)
        except OSError as exc:
            with self._cv:
                self.stats["lost"] += len(flags)
                lost = self.stats["lost"]
            log.error(
                "%d flag(s) lost: the database refused them (%s) and the spool %s cannot take them (%s); "
                "%d lost since start",
                len(flags),
                reason,
                self.spool.path if self.spool else "-",
                describe(exc),
                lost,
            )
            return
        with self._cv:
            self.stats["spooled"] += len(flags)
            self._spooled += len(flags)
            spooled = self.stats["spooled"]
            self._cv.notify_all()
        log.warning(
            "%d flag(s) spooled to %s: the database refused them for %.0f s (%s); not nudged; "
            "%d spooled since start, replayed when the database takes writes again",
            len(flags),
            self.spool.path,
            self.retry_seconds,
            reason,
            spooled,
        )
