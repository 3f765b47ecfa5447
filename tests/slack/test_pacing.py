"""Issue 13, point 8: ephemeral nudges are paced per workspace at about Slack's Tier 4 rate."""

from __future__ import annotations

import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.config import Settings
from bot.slack.client import Pacer
from tests.slack.conftest import Bot, message

HARSH = "Hi Sam, as I already said, you should have read the setup guide."


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate_then_drops() -> None:
    clock = Clock()
    pacer = Pacer(rate=60, burst=3, max_delay=2.0, clock=clock)
    assert [pacer.reserve("T1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.reserve("T1") == pytest.approx(1.0)
    assert pacer.reserve("T1") == pytest.approx(2.0)
    assert pacer.reserve("T1") is None  # a third second of waiting is over max_delay
    assert pacer.reserve("T2") == 0.0  # another workspace has its own bucket
    clock.now += 10
    assert pacer.reserve("T1") == 0.0  # refilled


def test_default_pacing_is_slacks_tier_4() -> None:
    settings = Settings.from_env({})
    assert (settings.nudge_rate, settings.nudge_burst) == (100, 10)
    assert (
        Settings.from_env(
            {"COACH_NUDGE_RATE": "50", "COACH_NUDGE_BURST": "2", "COACH_NUDGE_MAX_DELAY": "30"}
        ).nudge_rate
        == 50
    )


def test_a_flood_of_nudges_is_paced_delayed_and_dropped_with_a_log_line(
    make_bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot: Bot = make_bot(nudge_rate=60, nudge_burst=2, nudge_max_delay=2)
    users = [f"UFLOOD{i}" for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda user: bot.event(message(HARSH, user=user))[0], users))
    assert statuses == [200] * 8
    deadline, waiting = time.monotonic() + 5, 0
    while time.monotonic() < deadline:  # every flag decided, some nudges held back for rate
        waiting = max(waiting, bot.deps.outbox.queue_length("chat.postEphemeral"))
        if bot.store.db.execute("SELECT COUNT(*) FROM nudges").fetchone()[0] == 8 and waiting:
            break
        time.sleep(0.02)
    assert waiting >= 1
    assert bot.deps.outbox.join(timeout=10)
    calls = bot.slack.calls_to("/api/chat.postEphemeral")
    rows = bot.store.db.execute("SELECT status, reason FROM nudges").fetchall()
    dropped = [r for r in rows if r == ("failed", "rate_limited")]
    assert 4 <= len(calls) <= 5 and len(calls) + len(dropped) == 8
    times = sorted(c.at for c in calls)
    assert times[2] - times[0] >= 0.7  # the third waited for a token: no burst of 8
    assert bot.deps.outbox.stats["dropped:rate"] == len(dropped)
    assert bot.deps.outbox.stats["delayed:rate"] >= 2
    bot.deps.outbox.close()  # flushes the counts held back by the log throttle
    lines = [r.getMessage() for r in caplog.records if "over Slack's rate" in r.getMessage()]
    logged = [re.search(r": (\d+) delayed, (\d+) dropped for rate", line) for line in lines]
    assert sum(int(m.group(1)) for m in logged if m) == bot.deps.outbox.stats["delayed:rate"]
    assert sum(int(m.group(2)) for m in logged if m) == len(dropped)
    assert "as I already said" not in caplog.text
