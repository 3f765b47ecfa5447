"""The store's query methods, on real SQLite files: what reports, App Home, /healthz and the CLI ask
instead of running SQL of their own."""

from __future__ import annotations

import ast
import sqlite3
import time
from pathlib import Path

import pytest

from bot.store import Store
from tests.factories import DAY, NOW, make_flag

BOT = Path(__file__).resolve().parents[1] / "bot"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "coach.db")
    yield s
    s.close()


def test_no_module_outside_the_store_runs_sql_on_its_connection() -> None:
    """``store.db.execute``/``.query`` belongs to bot/store/: everyone else asks a query method."""
    offenders = set()
    for path in sorted(BOT.rglob("*.py")):
        if path.relative_to(BOT).parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("execute", "query", "conn")
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "db"
            ):
                offenders.add(str(path.relative_to(BOT)))
    assert not offenders, sorted(offenders)


def test_purge_preview_counts_what_purge_deletes(store: Store) -> None:
    store.add_flags([make_flag(i, days_ago=i) for i in range(10)])
    fresh = store.flags()[0].id
    store.add_feedback(fresh, "T1", "U1", "should-have", "helpful")  # written now: younger than any cut-off
    cutoff = NOW - 4.5 * DAY
    preview = store.purge_preview(cutoff)
    assert preview == {"flags": 5, "feedback": 0, "nudges": 0}
    counts = store.purge(cutoff)
    assert {table: counts[table] for table in preview} == preview
    assert store.purge_preview(cutoff) == {"flags": 0, "feedback": 0, "nudges": 0}


def test_rollup_keys_are_one_teams_keys_from_a_day_on(store: Store) -> None:
    store.add_flags(
        [
            make_flag(1, channel="C1", days_ago=0),
            make_flag(2, channel="C2", days_ago=10),
            make_flag(3, channel="C3", team="T2", days_ago=0),
        ]
    )
    today = int(NOW // DAY)
    assert sorted(store.rollup_keys("channel", today - 1)) == ["C1", "C3"]
    assert store.rollup_keys("channel", today - 1, "T1") == ["C1"]
    assert sorted(store.rollup_keys("channel", today - 30, "T1")) == ["C1", "C2"]
    assert store.rollup_keys("agent", today - 1, "T1") == ["U1"]


def test_flagged_ids_lists_every_channel_and_agent_once(store: Store) -> None:
    store.add_flags(
        [
            make_flag(1, channel="C1", agent="U1"),
            make_flag(2, channel="C1", agent="U2"),
            make_flag(3, channel="C2", agent="U2"),
        ]
    )
    assert sorted(store.flagged_ids("channel")) == ["C1", "C2"]
    assert sorted(store.flagged_ids("agent")) == ["U1", "U2"]
    with pytest.raises(KeyError):
        store.flagged_ids("severity")  # only the two a report can be narrowed to


def test_votes_count_only_the_flags_own_agent(store: Store) -> None:
    store.add_flags(
        [
            make_flag(1, agent="U1", rules=("should-have", "as-i-said")),
            make_flag(2, agent="U2", channel="C2", channel_name="escalations"),
        ]
    )
    one, two = sorted(store.flags(), key=lambda f: f.agent)
    assert store.vote(one.id, "T1", "U1", "not_helpful") == ("should-have", "as-i-said")
    store.add_feedback(two.id, "T1", "U1", "should-have", "helpful")  # someone else's flag: never counted
    store.add_feedback(two.id, "T1", "U2", "should-have", "helpful")
    since, until = time.time() - 60, time.time() + 60  # votes are dated when cast
    assert store.vote_counts(since, until) == {("U1", "not_helpful"): 1, ("U2", "helpful"): 1}
    assert sorted(store.rule_votes(since, until)) == [
        ("as-i-said", "not_helpful", 1),
        ("should-have", "helpful", 1),
        ("should-have", "not_helpful", 1),
    ]
    assert store.vote_counts(since, until, channel="#escalations") == {("U2", "helpful"): 1}
    assert store.vote_counts(since, until, agent="U1", team="T2") == {}


def test_nudge_counts_by_agent_status_and_reason(store: Store) -> None:
    store.add_flag_to_nudge(make_flag(1, agent="U1"), cooldown=600, now=NOW)
    store.add_flag_to_nudge(make_flag(2, agent="U1"), cooldown=600, now=NOW + 1)
    store.add_flag_to_nudge(
        make_flag(3, agent="U2", channel="C2", channel_name="escalations"), cooldown=600, now=NOW + 2
    )
    since, until = NOW - 1, NOW + 10
    assert store.nudge_counts(since, until) == {
        ("U1", "sent", ""): 1,
        ("U1", "skipped", "cooldown"): 1,
        ("U2", "sent", ""): 1,
    }
    assert store.nudge_counts(since, until, channel="escalations") == {("U2", "sent", ""): 1}
    assert store.nudge_counts(NOW + 3, until) == {}


def test_read_probe_raises_what_sqlite_raises(store: Store) -> None:
    store.read_probe()  # a healthy file: nothing to say
    with store.db.conn:
        store.db.conn.execute("DROP TABLE meta")
    with pytest.raises(sqlite3.OperationalError):
        store.read_probe()
