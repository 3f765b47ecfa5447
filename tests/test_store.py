"""The store on real SQLite files: concurrency, crashes, retention, idempotency."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.models import Flag
from bot.store import Store, StoreError
from tests.factories import DAY, NOW, make_flag


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "coach.db")
    yield s
    s.close()


def test_opens_with_wal_and_migrations(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "coach.db"
    store = Store(path)
    db = store.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: safe with WAL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert {"flags", "feedback", "nudges", "audit", "events", "rollup"} <= set(db.table_names())
    applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations").fetchall()]
    store.close()
    again = Store(path)  # re-opening applies nothing twice
    assert [r[0] for r in again.db.execute("SELECT name FROM _sqlite_migrations").fetchall()] == applied
    again.close()


def test_flag_is_unique_per_message(store: Store) -> None:
    flag = make_flag(1)
    first = store.add_flag(flag)
    assert first is not None
    assert store.add_flag(flag) is None
    assert store.add_flags([flag, make_flag(2)]) == 1
    assert len(store.flags()) == 2
    assert store.find_flag("T1", "C1", flag.ts).id == first


def test_eight_threads_with_duplicates_give_the_unique_count(store: Store) -> None:
    unique = 3000
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for n in range(1000):
                i = (offset * 397 + n) % unique  # overlapping ranges: plenty of duplicates
                store.add_flag(
                    Flag(
                        team="T",
                        channel=f"C{i % 7}",
                        ts=f"17000{i:05d}.000100",
                        agent="U",
                        categories=("blame",),
                        rules=("r",),
                        severity="low",
                        excerpt="x",
                        created_at=NOW - i,
                    )
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = len({(t * 397 + n) % unique for t in range(8) for n in range(1000)})
    assert store.db.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == expected
    rolled = store.db.execute("SELECT SUM(n) FROM rollup WHERE dim = 'total'").fetchone()[0]
    assert rolled == expected


def test_threads_of_one_process_never_wait_on_sqlites_busy_handler(tmp_path: Path) -> None:
    """With no busy timeout at all, concurrent writers in one process still all succeed:
    they queue on the store's own lock, not on SQLite's sleeping back-off."""
    store = Store(tmp_path / "coach.db", busy_timeout=0)
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for n in range(200):
                _flag_id, nudge_id, _held = store.add_flag_to_nudge(make_flag(n, channel=f"C{offset}"), 0)
                store.nudge_failed(nudge_id, "channel_not_found")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t + 1,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    assert errors == []
    again = Store(tmp_path / "coach.db")
    assert again.db.execute("SELECT COUNT(*) FROM flags").fetchone()[0] == 1200
    assert again.db.execute("SELECT COUNT(*) FROM nudges WHERE status = 'failed'").fetchone()[0] == 1200
    again.close()


_WRITER = """
import sys, time
from bot.store import Store
from bot.models import Flag
store = Store(sys.argv[1])
i = 0
while True:
    batch = [Flag(team="T", channel="C", ts=f"{1700000000 + i * 10 + k}.000000", agent="U",
                  categories=("blame", "argumentative"), rules=("r1", "r2"), severity="medium",
                  excerpt="e" * 200, created_at=1700000000 + i * 10 + k) for k in range(10)]
    store.add_flags(batch, batch=10)
    i += 1
    if i == 5:
        print("ready", flush=True)
"""


def test_sigkill_mid_stream_leaves_a_sound_database(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store(path)
    assert store.integrity_ok()
    count = store.db.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
    assert count >= 50 and count % 10 == 0  # whole batches only
    half = store.db.execute(
        "SELECT COUNT(*) FROM flags WHERE excerpt != ? OR categories != ? OR rules != ?",
        ["e" * 200, "blame,argumentative", "r1,r2"],
    ).fetchone()[0]
    assert half == 0
    rolled = store.db.execute("SELECT SUM(n) FROM rollup WHERE dim = 'total'").fetchone()[0]
    assert rolled == count  # rollups are written in the same transaction as the flags
    store.close()


def test_corrupt_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"bad\.db"):
        Store(path)
    assert path.read_bytes().startswith(b"this is not a database")  # nothing overwritten


def test_locked_database_waits_then_reports(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    Store(path).close()
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    store = Store.__new__(Store)
    try:
        with pytest.raises(StoreError, match="locked"):
            Store.__init__(store, path, busy_timeout=0.2)
    finally:
        blocker.rollback()
        blocker.close()
    late = Store(path)
    assert late.add_flag(make_flag(1)) is not None  # nothing lost once the lock is gone
    late.close()


def test_status_changes_and_deletion_clears_text(store: Store) -> None:
    flag_id = store.add_flag(make_flag(1))
    store.set_status(flag_id, "edited")
    assert store.get_flag(flag_id).status == "edited"
    store.set_status(flag_id, "deleted", clear_text=True)
    gone = store.get_flag(flag_id)
    assert gone.status == "deleted" and gone.excerpt == ""
    statuses = dict(store.db.execute("SELECT key, SUM(n) FROM rollup WHERE dim = 'status' GROUP BY key").fetchall())
    assert statuses == {"open": 0, "edited": 0, "deleted": 1}


def test_events_are_claimed_once(store: Store) -> None:
    assert store.claim_event("Ev1") is True
    assert store.claim_event("Ev1") is False
    assert store.claim_event("Ev2") is True


def test_feedback_one_vote_per_person(store: Store) -> None:
    flag_id = store.add_flag(make_flag(1))
    store.add_feedback(flag_id, "T1", "U9", "should-have", "helpful")
    store.add_feedback(flag_id, "T1", "U9", "should-have", "not_helpful")
    rows = store.db.execute("SELECT verdict FROM feedback").fetchall()
    assert rows == [("not_helpful",)]
    with pytest.raises(ValueError):
        store.add_feedback(flag_id, "T1", "U9", "x", "meh")


def test_one_transaction_decides_each_live_nudge(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.db")
    now = time.time()
    first = store.add_flag_to_nudge(make_flag(1, agent="U1"), cooldown=120, now=now)
    assert first[0] is not None and first[2] == ""
    assert store.add_flag_to_nudge(make_flag(1, agent="U1"), cooldown=120, now=now) == (None, 0, "")  # a retry
    assert store.add_flag_to_nudge(make_flag(2, agent="U1"), cooldown=120, now=now + 1)[2] == "cooldown"
    assert store.add_flag_to_nudge(make_flag(3, agent="U1"), cooldown=120, now=now + 121)[2] == ""
    store.snooze("T1", "U2", now + 60)
    assert store.add_flag_to_nudge(make_flag(4, agent="U2"), cooldown=0, now=now)[2] == "snoozed"
    assert store.add_flag_to_nudge(make_flag(5, agent="U2"), cooldown=0, now=now + 61)[2] == ""
    _flag, failed_nudge, _ = store.add_flag_to_nudge(make_flag(6, agent="U3"), cooldown=120, now=now)
    store.nudge_failed(failed_nudge, "user_not_in_channel")  # a failed nudge starts no cooldown
    assert store.add_flag_to_nudge(make_flag(7, agent="U3"), cooldown=120, now=now + 1)[2] == ""
    rows = store.db.execute("SELECT user, status, reason FROM nudges ORDER BY id").fetchall()
    assert rows == [
        ("U1", "sent", ""),
        ("U1", "skipped", "cooldown"),
        ("U1", "sent", ""),
        ("U2", "skipped", "snoozed"),
        ("U2", "sent", ""),
        ("U3", "failed", "user_not_in_channel"),
        ("U3", "sent", ""),
    ]
    assert len(store.flags()) == 7
    store.close()


def test_purge_keeps_rollups_consistent(store: Store) -> None:
    store.add_flags([make_flag(i, days_ago=i) for i in range(0, 100)])
    cutoff = NOW - 30.5 * DAY
    counts = store.purge(cutoff)
    remaining = store.db.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
    assert counts["flags"] == 100 - remaining
    assert remaining == len([i for i in range(100) if NOW - i * DAY - i * 0.001 >= cutoff])
    assert store.db.execute("SELECT SUM(n) FROM rollup WHERE dim = 'total'").fetchone()[0] == remaining


def test_purge_team_removes_everything_of_that_workspace(store: Store) -> None:
    store.add_flag(make_flag(1, team="T1"))
    keep = store.add_flag(make_flag(2, team="T2"))
    store.purge_team("T1")
    assert [f.id for f in store.flags()] == [keep]
    assert store.db.execute("SELECT COUNT(*) FROM rollup WHERE team = 'T1'").fetchone()[0] == 0
    assert store.audit_log()[0]["action"] == "purge_team"
