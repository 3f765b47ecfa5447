"""Issue 13, point 3: a vote is bound to a real flag, its own author and its stored rules.

Managers may not vote on an agent's flag either: the nudge (and its buttons) went only to
the agent, so any other vote is forged.
"""

from __future__ import annotations

import json
from typing import Any

from bot.review.reports import build_report
from tests.slack.conftest import MANAGER, TEAM, Bot, message

HARSH = "Hi Sam, as I already said, you should have read the setup guide."


def vote(
    bot: Bot, user: str, flag_id: int, rules: list[str], action: str = "coach_not_helpful", team: str = TEAM
) -> int:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": team},
        "trigger_id": "t",
        "response_url": f"{bot.slack.url}response/cmd",
        "container": {"type": "message"},
        "actions": [{"action_id": action, "type": "button", "value": json.dumps({"f": flag_id, "r": rules})}],
    }
    before = len(bot.slack.calls_to("/response/cmd"))
    status, body, _ = bot.interaction(payload)
    assert status == 200, body
    bot.slack.wait_for("/response/cmd", before + 1)
    return status


def votes(bot: Bot) -> list[tuple[Any, ...]]:
    return bot.store.db.execute("SELECT flag_id, user, rule, verdict FROM feedback ORDER BY rule").fetchall()


def flagged(bot: Bot, user: str = "UAGENT") -> int:
    before = len(bot.slack.calls_to("/api/chat.postEphemeral"))
    bot.event(message(HARSH, user=user))
    bot.slack.wait_for("/api/chat.postEphemeral", before + 1)
    return next(f.id for f in bot.store.flags() if f.agent == user)


def test_vote_on_someone_elses_or_a_missing_flag_is_refused(bot: Bot) -> None:
    flag_id = flagged(bot)
    vote(bot, "UOTHER", flag_id, ["you-should-have"])
    vote(bot, MANAGER, flag_id, ["you-should-have"])  # managers never got the buttons either
    vote(bot, "UAGENT", flag_id, ["you-should-have"], team="TOTHER")
    for missing in range(flag_id + 1, flag_id + 6):
        vote(bot, "UOTHER", missing, ["id10t"])
    assert votes(bot) == []
    refusal = bot.slack.calls_to("/response/cmd")[-1].body
    assert "only the person" in refusal["text"].lower() and refusal.get("replace_original") in (None, False, "false")
    mine = build_report(bot.store, 30, agent="UAGENT", manager=False)
    assert mine.not_helpful == 0 and mine.helpful == 0


def test_a_vote_carries_the_flags_stored_rules_not_the_buttons(bot: Bot) -> None:
    flag_id = flagged(bot)
    stored = set(bot.store.get_flag(flag_id).rules)
    assert stored
    vote(bot, "UAGENT", flag_id, ["<!channel>", "id10t"])
    assert {r[2] for r in votes(bot)} == stored
    assert {r[1] for r in votes(bot)} == {"UAGENT"} and {r[3] for r in votes(bot)} == {"not_helpful"}


def test_a_second_vote_replaces_the_first(bot: Bot) -> None:
    flag_id = flagged(bot)
    vote(bot, "UAGENT", flag_id, ["id10t"], action="coach_helpful")
    vote(bot, "UAGENT", flag_id, ["calm-down"], action="coach_not_helpful")
    rows = votes(bot)
    assert len(rows) == len(set(bot.store.get_flag(flag_id).rules))
    assert {r[3] for r in rows} == {"not_helpful"}
    report = build_report(bot.store, 7, manager=True)
    assert report.not_helpful == 1 and report.helpful == 0  # one nudge, voted once
    assert sum(r.not_helpful for r in report.rule_feedback) == len(rows)  # each of its rules


def test_forged_rows_already_in_a_database_never_reach_the_advice(bot: Bot) -> None:
    """Votes stored before this fix (anyone on any id) are ignored by the report."""
    flag_id = flagged(bot)
    for user in ("UV1", "UV2", "UV3", "UV4"):
        bot.store.add_feedback(flag_id, TEAM, user, "you-should-have", "not_helpful")
    for missing in range(flag_id + 1, flag_id + 50):
        bot.store.add_feedback(missing, TEAM, "UV1", "id10t", "not_helpful")
    report = build_report(bot.store, 7, manager=True)
    assert report.not_helpful == 0 and not any(r.advice for r in report.rule_feedback)
