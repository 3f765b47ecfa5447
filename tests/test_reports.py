"""Reports over a real store: the rollup path and the narrowed path must agree."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.review.report_format import render
from bot.review.reports import Period, PeriodError, build_report, parse_days, sparkline
from bot.store import Store
from tests.factories import DAY, NOW, make_flag


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "coach.db")
    flags = []
    for i in range(30):  # this week: 30 flags over two channels and three agents
        flags.append(
            make_flag(
                i,
                days_ago=i % 7,
                channel="C1" if i % 3 else "C2",
                agent=f"U{i % 3}",
                categories=("disparaging",) if i % 5 == 0 else ("blame",),
                rules=("pebkac",) if i % 5 == 0 else ("should-have",),
                phrase="pebkac" if i % 5 == 0 else "you should have",
                topic="password reset" if i % 10 == 0 else "",
                channel_name="support" if i % 3 else "billing",
                agent_name=f"agent{i % 3}",
            )
        )
    for i in range(20):  # the week before: 20
        flags.append(make_flag(100 + i, days_ago=7 + i % 7))
    flags.append(make_flag(999, days_ago=60))  # long ago
    s.add_flags(flags)
    yield s
    s.close()


def test_parse_days() -> None:
    assert parse_days("7d") == 7
    assert parse_days("2w") == 14
    assert parse_days("30") == 30
    for bad in ("soon", "0d", "-3d", "99999d"):
        with pytest.raises(PeriodError):
            parse_days(bad)


def test_period_is_whole_days_ending_today() -> None:
    period = Period.last(7, NOW)
    assert period.start <= NOW < period.end
    assert period.end - period.start == 7 * DAY
    assert period.previous().end == period.start


def test_totals_trend_and_breakdowns(store: Store) -> None:
    report = build_report(store, 7, now=NOW)
    assert report.total == 30
    assert report.previous_total == 20
    assert report.trend == pytest.approx(0.5)
    assert dict(report.by_category) == {"disparaging": 6, "blame": 24, "argumentative": 0, "dismissive": 0}
    assert {c.name: c.count for c in report.by_channel} == {"support": 20, "billing": 10}
    assert {a.name: a.count for a in report.by_agent} == {"agent0": 10, "agent1": 10, "agent2": 10}
    assert report.top_phrases[0] == ("you should have", 24)
    assert report.struggles == (("password reset", 3),)
    assert sum(n for _, n in report.daily) == 30 and len(report.daily) == 7


def test_agent_view_hides_other_agents(store: Store) -> None:
    report = build_report(store, 7, agent="U1", manager=False, now=NOW)
    assert report.total == 10
    assert report.by_agent == ()
    assert "By agent" not in render(report, "table")


def test_narrowed_counts_match_the_rollup(store: Store) -> None:
    whole = build_report(store, 90, now=NOW)
    parts = [build_report(store, 90, channel=c, now=NOW) for c in ("C1", "C2")]
    assert sum(p.total for p in parts) == whole.total == 51
    by_name = build_report(store, 90, channel="#billing", now=NOW)
    assert by_name.total == parts[1].total
    for left, right in zip(
        whole.by_category, [(k, sum(dict(p.by_category)[k] for p in parts)) for k, _ in whole.by_category], strict=True
    ):
        assert left == right


def test_feedback_drives_rule_advice(store: Store) -> None:
    import time

    flag = store.flags(limit=1)[0]
    for n, (user, verdict) in enumerate((("A", "not_helpful"), ("B", "not_helpful"), ("C", "helpful"))):
        own = store.add_flag(make_flag(800 + n, agent=user, days_ago=0))  # each agent votes on their own flag
        assert store.vote(own, "T1", user, verdict) == ("should-have",)
    store.set_status(flag.id, "edited")

    store.add_flag_to_nudge(make_flag(900, agent="U5", days_ago=0), cooldown=0, now=time.time())
    _flag, nudge_id, _held = store.add_flag_to_nudge(make_flag(901, agent="U6"), cooldown=0, now=time.time())
    store.nudge_failed(nudge_id, "user_not_in_channel")

    report = build_report(store, 7, now=time.time())
    assert report.not_helpful == 2 and report.helpful == 1
    assert "should-have" in report.rule_feedback[0].advice
    assert report.nudges_sent == 1
    assert dict(report.nudges_failed) == {"user_not_in_channel": 1}


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_every_format_renders_the_same_total(store: Store, fmt: str) -> None:
    report = build_report(store, 7, now=NOW, include_flags=fmt == "json")
    out = render(report, fmt)
    assert "30" in out
    if fmt == "json":
        import json

        data = json.loads(out)
        assert data["total"] == 30 and len(data["flags"]) == 30
        assert {"channel", "ts", "categories"} <= set(data["flags"][0])


def test_sparkline() -> None:
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"


def test_agent_outcomes_are_each_agents_drill_down_numbers_listed_by_name(tmp_path: Path) -> None:
    """What `/coach report` and the terminal list per agent: the outcomes of a report narrowed to
    that agent (App Home's drill-down), in name order (case aside), whoever was flagged most."""
    from bot.review.report_format import outcome_parts
    from bot.review.reports import agent_outcomes

    store = Store(tmp_path / "agents.db")
    now = time.time()  # votes are stamped with the clock: the flags are this week's
    people = {"UZED": ("Zed", 9), "UAMY": ("amy", 2), "UBOB": ("Bob", 5)}
    n = 0
    for agent, (name, count) in people.items():
        for k in range(count):
            created = now - n * 3600 - 60
            flag = replace(
                make_flag(n, agent=agent, agent_name=name, channel="C1" if k % 3 else "C2"),
                ts=f"{created:.6f}",
                created_at=created,
            )
            flag_id, nudge_id, _held = store.add_flag_to_nudge(
                flag, cooldown=7200 if agent == "UZED" else 0, now=created
            )
            n += 1
            assert flag_id
            if k % 4 == 1:
                store.nudge_failed(nudge_id, "channel_not_found")
            if k % 2:
                store.set_status(flag_id, "edited")
            if k % 3 != 2:
                store.vote(flag_id, "T1", agent, "helpful" if k % 3 else "not_helpful")
    for zone in ("UTC", "America/New_York"):
        for channel in (None, "C1"):
            report = build_report(store, 7, channel=channel, tz=zone)
            listed = agent_outcomes(store, report)
            assert [a.name for a, _ in listed] == ["amy", "Bob", "Zed"]
            for agent, outcomes in listed:
                assert outcomes == build_report(store, 7, channel=channel, agent=agent.id, tz=zone).outcomes
    report = build_report(store, 7)
    assert [a.name for a in report.by_agent] == ["Zed", "Bob", "amy"]  # the ranking it replaces
    listed = agent_outcomes(store, report)
    assert sum(o.nudges_sent for _, o in listed) == report.nudges_sent
    assert (sum(o.helpful for _, o in listed), sum(o.not_helpful for _, o in listed)) == report.votes
    assert len({o for _, o in listed}) == 3  # three different records: the check above compares something
    bob = dict((a.name, o) for a, o in listed)["Bob"]
    assert outcome_parts(bob) == (
        "4 nudges sent · 2 edited after a nudge (50% of nudges)",  # one failed
        "helpful rate 50% (2 of 4 votes)",
    )
    assert [a.name for a, _ in agent_outcomes(store, report, limit=2)] == ["amy", "Bob"]
    table = render(report, "table", agents=listed)
    assert "Coaching outcomes by agent" in table and "By agent" not in table
    assert table.index("amy") < table.index("Bob") < table.index("Zed")
    assert "| Bob | 4 nudges sent" in render(report, "markdown", agents=listed)
    assert "by_agent,Zed,9" in render(report, "csv")  # the data export keeps the counts
    store.close()
