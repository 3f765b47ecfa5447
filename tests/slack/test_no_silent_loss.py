"""No flag is lost silently: a locked or full database, over the real HTTP app and real SQLite files.

Another *process* holds the lock (as the CLI or a backup tool would); a full disk is SQLite's own
``max_page_count`` on the bot's connections. Retry timings come from the environment variables
the bot reads, so the same settings drive production and these quick tests.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.models import Flag
from bot.slack.app import create_app
from bot.slack.server import HttpServer
from bot.store import Store
from tests.fakes import FakeServer
from tests.slack.conftest import MANAGER, SECRET, TEAM, TOKEN, Bot, message

HARSH = "Hi Sam, as I already said, you should have read the setup guide."

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def make_flag(i: int, channel: str, agent: str, source: str, ts: str) -> Flag:
    return Flag(
        team=TEAM,
        channel=channel,
        ts=ts,
        agent=agent,
        categories=("blame",),
        rules=("should-have",),
        severity="medium",
        excerpt="filler " * 40,
        source=source,
        created_at=float(ts),
    )


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process takes SQLite's exclusive lock on the file for ``seconds``."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


def lost_so_far(caplog: pytest.LogCaptureFixture) -> int:
    found = re.findall(r"(\d+) lost since start", "\n".join(r.getMessage() for r in caplog.records))
    return max(map(int, found), default=0)


def wait_until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())


@pytest.fixture
def build(slack: FakeServer, tmp_path: Path) -> Iterator[Any]:
    made: list[Bot] = []

    def make(retry_delay: str, retry_window: str) -> Bot:
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url + "api/",
            "COACH_DB": str(tmp_path / "coach.db"),
            "COACH_MANAGERS": MANAGER,
            "COACH_NUDGE_COOLDOWN": "0",
            "COACH_WRITE_RETRY_DELAY": retry_delay,
            "COACH_WRITE_RETRY_SECONDS": retry_window,
        }
        settings = Settings.from_env(env)
        store = Store(settings.db_path, busy_timeout=0.2)
        app, deps = create_app(settings, store, Coach())
        server = HttpServer(app, deps, host="127.0.0.1", port=0).start()
        bot = Bot(f"http://127.0.0.1:{server.port}", server.port, slack, store, deps, server)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        stop(bot)


def stop(bot: Bot) -> None:
    bot.server.stop()
    writer = getattr(bot.deps, "writer", None)
    if writer is not None:
        writer.close()
    bot.deps.outbox.close()
    bot.store.close()


def send_harsh(bot: Bot, count: int) -> list[str]:
    stamps = [f"{1_762_000_000 + i}.000100" for i in range(count)]
    for i, ts in enumerate(stamps):
        status, _, elapsed = bot.event(message(HARSH, user=f"U{i:03d}", ts=ts))
        assert status == 200 and elapsed < 1.0  # acked at once, whatever the database does
    return stamps


def counts(path: Path) -> tuple[int, list[tuple[str, str, int]]]:
    """Live flags and nudge rows (status, reason, n) read straight from the file."""
    conn = sqlite3.connect(path)
    try:
        flags = conn.execute("SELECT COUNT(*) FROM flags WHERE source = 'live'").fetchone()[0]
        nudges = conn.execute("SELECT status, reason, COUNT(*) FROM nudges GROUP BY status, reason").fetchall()
        per_flag = conn.execute(
            "SELECT COUNT(*) FROM flags f WHERE source = 'live' AND "
            "(SELECT COUNT(*) FROM nudges n WHERE n.flag_id = f.id) != 1"
        ).fetchone()[0]
        assert per_flag == 0  # every flag has exactly one nudge record
        return flags, nudges
    finally:
        conn.close()


def test_a_lock_held_by_another_process_loses_no_flag_and_no_nudge(build, tmp_path: Path) -> None:
    bot = build(retry_delay="0.1", retry_window="15")
    locker = hold_lock(tmp_path / "coach.db", 2.5)
    try:
        send_harsh(bot, 10)
        status, body = bot.get("/healthz")
        assert status == 503 and b"locked" in body  # the load balancer hears about it, with the reason
    finally:
        locker.wait(timeout=10)
    assert wait_until(lambda: len(bot.slack.calls_to("/api/chat.postEphemeral")) >= 10, timeout=15)
    bot.deps.outbox.join()
    flags, nudges = counts(tmp_path / "coach.db")
    assert flags == 10
    assert nudges == [("sent", "", 10)]
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 10  # each nudge once, none lost
    assert wait_until(lambda: bot.get("/healthz")[0] == 200, timeout=5)


def test_flags_that_outlast_the_retries_are_spooled_and_replayed_at_start_up(
    build, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = tmp_path / "coach.db"
    spool = tmp_path / "coach.db-spool.jsonl"
    bot = build(retry_delay="0.05", retry_window="0.3")
    locker = hold_lock(db, 4)
    try:
        send_harsh(bot, 5)
        assert wait_until(lambda: spool.exists() and len(spool.read_text().splitlines()) == 5, timeout=3)
        status, body = bot.get("/healthz")
        assert status == 503 and b"spooled" in body
        stop(bot)  # the bot goes down while the lock is still held
    finally:
        locker.wait(timeout=10)
    assert bot.slack.calls_to("/api/chat.postEphemeral") == []  # a flag nobody could store was not nudged
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert max(map(int, re.findall(r"(\d+) spooled since start", log))) == 5
    assert HARSH not in log and "as I already said" not in log and TOKEN not in log
    caplog.clear()
    Store(db).close()  # start-up replays the spool
    assert not spool.exists() or spool.read_text() == ""
    flags, nudges = counts(db)
    assert flags == 5
    assert nudges == [("skipped", "store_unavailable", 5)]  # recorded truthfully: never sent
    assert any("replayed 5" in r.getMessage() for r in caplog.records)
    Store(db).close()  # a second start adds nothing
    assert counts(db)[0] == 5


def test_full_disk_spools_reports_unhealthy_and_loses_nothing(
    build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = tmp_path / "coach.db"
    cap: dict[str, int] = {}
    real_connect = sqlite3.connect

    def capped_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        if cap and str(args[0] if args else kwargs.get("database")) == str(db):
            conn.execute(f"PRAGMA max_page_count = {cap['pages']}")  # SQLite's own "disk full" (SQLITE_FULL)
        return conn

    monkeypatch.setattr(sqlite3, "connect", capped_connect)
    bot = build(retry_delay="0.05", retry_window="0.3")
    cap["pages"] = bot.store.db.execute("PRAGMA page_count").fetchone()[0] + 8
    bot.store.db.execute(f"PRAGMA max_page_count = {cap['pages']}")
    for i in range(10_000):  # fill the file to its cap with earlier scanned flags: the disk is now full
        try:
            bot.store.add_flag(
                make_flag(i, channel="C1", agent=f"U{i % 10:03d}", source="scan", ts=f"{1_761_000_000 + i}.000100")
            )
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)
            break
    else:
        raise AssertionError("max_page_count never filled up")
    stamps = [f"{1_762_000_000 + i}.000100" for i in range(10)]
    for i, ts in enumerate(stamps):
        status, _, _ = bot.event(message(HARSH + " " + "padding " * 60, user=f"U{i:03d}", ts=ts))
        assert status == 200
    spool = tmp_path / "coach.db-spool.jsonl"

    def accounted() -> bool:
        stored = counts(db)[0]
        spooled = len(spool.read_text().splitlines()) if spool.exists() else 0
        return stored + spooled == 10 and spooled > 0

    assert wait_until(accounted, timeout=5)
    status, body = bot.get("/healthz")
    assert status == 503 and b"full" in body
    bot.deps.outbox.join()
    sent = len(bot.slack.calls_to("/api/chat.postEphemeral"))
    stop(bot)
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    Store(db).close()  # space again: start-up replays the spool
    flags, nudges = counts(db)
    assert flags == 10
    assert dict(((s, r), n) for s, r, n in nudges).get(("sent", ""), 0) == sent
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert "spooled" in log and "full" in log


def test_a_spool_that_cannot_be_written_says_how_many_flags_were_lost(
    build, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = tmp_path / "coach.db"
    bot = build(retry_delay="0.05", retry_window="0.2")
    (tmp_path / "coach.db-spool.jsonl").mkdir()  # not a file: appending fails like a full disk would
    locker = hold_lock(db, 3)
    try:
        send_harsh(bot, 3)
        assert wait_until(lambda: lost_so_far(caplog) == 3, timeout=3)
        stop(bot)
    finally:
        locker.wait(timeout=10)
    caplog.clear()
    Store(db).close()  # an unreadable spool does not stop start-up; it is kept and said so
    assert any("not replayed" in r.getMessage() for r in caplog.records)
    assert (tmp_path / "coach.db-spool.jsonl").is_dir()
