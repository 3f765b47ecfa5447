"""Block Kit builders stay inside Slack's limits whatever they are fed."""

from __future__ import annotations

import json

from bot.coaching.coach import Coach
from bot.models import Flag
from bot.review.reports import build_report
from bot.slack.report_views import home_view, report_message
from bot.slack.views import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION,
    MAX_VALUE,
    MAX_VIEW_BLOCKS,
    nudge_message,
    suggestion_message,
    why_modal,
)
from bot.store import Store
from tests.factories import NOW


def _sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b.get("type") == "section"]


def test_nudge_for_a_huge_hostile_message_fits() -> None:
    coach = Coach()
    text = ("PEBKAC, as I already said, calm down, you should have read the docs, that's our policy. " * 500)[:40_000]
    analysis = coach.analyse(text)
    message = nudge_message(analysis, coach.suggest(text, analysis, use_llm=False), flag_id=12345)
    assert len(message["blocks"]) <= MAX_MESSAGE_BLOCKS
    assert all(len(s) <= MAX_SECTION for s in _sections(message["blocks"]))
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert all(len(e["value"]) <= MAX_VALUE for e in actions["elements"])
    assert "PEBKAC" not in actions["elements"][0]["value"]  # buttons carry ids, never text
    assert message["text"]
    suggestion = suggestion_message(analysis, coach.suggest(text, analysis, use_llm=False))
    assert len(suggestion["blocks"]) <= MAX_MESSAGE_BLOCKS
    assert all(len(s) <= MAX_SECTION for s in _sections(suggestion["blocks"]))


def test_why_modal_explains_every_rule(tmp_path) -> None:
    coach = Coach()
    view = why_modal(["pebkac", "calm-down", "no-such-rule"], coach.rules)
    assert view["type"] == "modal" and len(view["blocks"]) <= MAX_VIEW_BLOCKS
    text = json.dumps(view)
    assert coach.rules.get("pebkac").tip.split(".")[0] in text


def test_report_and_home_with_many_channels_and_agents_fit(tmp_path) -> None:
    store = Store(tmp_path / "v.db")
    store.add_flags(
        Flag(
            team="T",
            channel=f"C{i % 300:04d}",
            ts=f"{NOW - i:.6f}",
            agent=f"U{i % 500:04d}",
            categories=("blame",),
            rules=(f"rule-{i % 90}",),
            severity="medium",
            excerpt="x",
            phrase=f"phrase {i % 70} " + "y" * 40,
            topic=f"topic {i % 40}",
            created_at=NOW - i,
        )
        for i in range(3000)
    )
    report = build_report(store, 7, now=NOW)
    message = report_message(report)
    assert len(message["blocks"]) <= MAX_MESSAGE_BLOCKS
    assert all(len(s) <= MAX_SECTION for s in _sections(message["blocks"]))
    for manager in (True, False):
        view = home_view(report, manager)
        assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
        assert all(len(s) <= MAX_SECTION for s in _sections(view["blocks"]))
    store.close()
