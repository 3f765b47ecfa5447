"""The nudge policy as a pure function (no SQLite), and the store deciding it inside the flag's own
transaction: two harsh lines a second apart, even from two processes' connections, get one nudge."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.nudge_policy import COOLDOWN, SNOOZED, NudgeFacts, hold_back
from bot.store import Store
from tests.factories import NOW, make_flag


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (NudgeFacts(now=NOW, cooldown=0), ""),
        (NudgeFacts(now=NOW, cooldown=120, last_sent=NOW - 119), COOLDOWN),
        (NudgeFacts(now=NOW, cooldown=120, last_sent=NOW - 120), ""),  # the cooldown is over on the second
        (NudgeFacts(now=NOW, cooldown=0, last_sent=NOW - 1), ""),  # no cooldown configured
        (NudgeFacts(now=NOW, cooldown=0, snoozed_until=NOW + 1), SNOOZED),
        (NudgeFacts(now=NOW, cooldown=0, snoozed_until=NOW), ""),  # the snooze ended just now
        (NudgeFacts(now=NOW, cooldown=120, snoozed_until=NOW + 1, last_sent=NOW - 1), SNOOZED),  # snooze first
        (NudgeFacts(now=NOW, cooldown=120, hold="paused", snoozed_until=NOW + 1, last_sent=NOW - 1), "paused"),
    ],
)
def test_hold_back(facts: NudgeFacts, reason: str) -> None:
    assert hold_back(facts) == reason


def test_the_store_reads_the_facts_the_policy_needs(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.db")
    store.snooze("T1", "U2", NOW + 60)
    assert store.add_flag_to_nudge(make_flag(1, agent="U2"), cooldown=0, now=NOW)[2] == SNOOZED
    assert store.add_flag_to_nudge(make_flag(2, agent="U2", team="T2"), cooldown=0, now=NOW)[2] == ""  # other team
    assert store.add_flag_to_nudge(make_flag(3, agent="U3"), cooldown=120, now=NOW)[2] == ""
    assert store.add_flag_to_nudge(make_flag(4, agent="U3"), cooldown=120, now=NOW + 119)[2] == COOLDOWN
    assert store.add_flag_to_nudge(make_flag(5, agent="U3"), cooldown=120, now=NOW + 121)[2] == ""  # after the sent
    assert store.add_flag_to_nudge(make_flag(6, agent="U4"), cooldown=120, now=NOW, hold="paused")[2] == "paused"
    assert store.add_flag_to_nudge(make_flag(7, agent="U4"), cooldown=120, now=NOW + 1)[2] == ""  # held is not sent
    store.close()


def test_two_lines_a_second_apart_from_two_connections_get_one_nudge(tmp_path: Path) -> None:
    """Each writer has its own Store (so its own in-process lock, as a CLI beside the bot would):
    only SQLite's write transaction keeps reading the facts and recording the nudge together."""
    path = tmp_path / "coach.db"
    stores = [Store(path), Store(path)]
    rounds = 25
    results: list[list[str]] = [[] for _ in stores]
    barrier = threading.Barrier(len(stores))

    def post(which: int) -> None:
        for agent in range(rounds):
            barrier.wait()
            flag = make_flag(agent * len(stores) + which, agent=f"U{agent:03d}")
            results[which].append(stores[which].add_flag_to_nudge(flag, cooldown=600, now=NOW + which)[2])

    threads = [threading.Thread(target=post, args=(which,)) for which in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for agent in range(rounds):
        assert sorted(reasons[agent] for reasons in results) == ["", COOLDOWN], agent
    sent = stores[0].nudge_counts(NOW - 1, NOW + 10)
    assert sum(n for (_user, status, _reason), n in sent.items() if status == "sent") == rounds
    for store in stores:
        store.close()
