"""An agent's own controls (issue 14): "Pause low-severity nudges" when managers allow it, and
`/coach settings`, which says what applies to them and why. The real app over signed HTTP.
"""

from __future__ import annotations

from typing import Any

from bot.slack.views import ACTION_PAUSE_LOW
from tests.slack.conftest import MANAGER, TEAM, Bot, message
from tests.slack.modals import button, click, submit
from tests.slack.test_settings_screen import C1, C2, CALM, LOW, edit

AGENT = "UAGENT"


def nudge_buttons(call_body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    actions = next(b for b in call_body["blocks"] if b["type"] == "actions")
    return {e["action_id"]: e for e in actions["elements"]}


def replies(bot: Bot, count: int) -> list[dict[str, Any]]:
    calls = bot.slack.wait_for("/response/cmd", count)
    assert len(calls) >= count
    return [c.body for c in calls]


def allow_pausing(bot: Bot) -> None:
    modal = edit(bot, "agents")
    answer = submit(bot, MANAGER, modal, {"agent_pause": "on"})
    assert "Agents may now pause their low-severity nudges" in str(answer["view"])


def test_without_the_managers_leave_there_is_no_pause(bot: Bot) -> None:
    bot.event(message(LOW, user=AGENT, channel=C1, ts="1762200000.000100"))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral", 1)[0].body
    assert ACTION_PAUSE_LOW not in nudge_buttons(nudge)
    # A forged Pause is refused and stores nothing.
    click(
        bot,
        AGENT,
        {"action_id": ACTION_PAUSE_LOW, "value": "pause"},
        container="message",
        response_url=f"{bot.slack.url}response/cmd",
    )
    assert "have not turned on pausing" in replies(bot, 1)[0]["text"]
    assert bot.store.workspace_settings(TEAM).paused == frozenset()
    bot.command("settings", user=AGENT)
    text = replies(bot, 2)[1]["blocks"][0]["text"]["text"]
    assert "Pausing them is off (built-in default (`COACH_AGENT_PAUSE` not set))" in text


def test_paused_agents_get_no_low_nudges_but_their_flags_count(bot: Bot) -> None:
    allow_pausing(bot)
    bot.event(message(LOW, user=AGENT, channel=C1, ts="1762200001.000100"))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral", 1)[0].body
    pause = nudge_buttons(nudge)[ACTION_PAUSE_LOW]
    assert pause["text"]["text"] == "Pause low-severity nudges"
    click(bot, AGENT, pause, container="message", response_url=f"{bot.slack.url}response/cmd")
    confirmation = replies(bot, 1)[0]
    assert confirmation["replace_original"] in (True, "true") and "paused" in confirmation["text"]
    row = bot.store.settings_audit()[0]
    assert (row["actor"], row["action"], row["target"]) == (AGENT, "pause_low", AGENT)
    bot.event(message(LOW, user=AGENT, channel=C1, ts="1762200001.000200"))  # low: held back
    bot.event(message(LOW, user="UOTHER", channel=C1, ts="1762200001.000300"))  # someone else: nudged
    bot.event(message(CALM, user=AGENT, channel=C2, ts="1762200001.000400"))  # medium: nudged
    bot.slack.wait_for("/api/chat.postEphemeral", 3)
    bot.settle()
    sent = [(c.body["user"], c.body["channel"]) for c in bot.slack.calls_to("/api/chat.postEphemeral")]
    assert sent[0] == (AGENT, C1) and sorted(sent[1:]) == sorted([("UOTHER", C1), (AGENT, C2)])
    assert len(bot.store.flags()) == 4  # the paused one is still counted
    reasons = bot.store.db.execute(
        "SELECT n.reason FROM nudges n JOIN flags f ON f.id = n.flag_id WHERE f.ts = '1762200001.000200'"
    ).fetchall()
    assert reasons == [("paused",)]
    # /coach settings says so, and resumes.
    bot.command("settings", user=AGENT)
    settings = replies(bot, 2)[1]
    assert "Low-severity nudges: paused by you" in settings["blocks"][0]["text"]["text"]
    resume = button(settings, "coach_resume_low")
    click(bot, AGENT, resume, container="message", response_url=f"{bot.slack.url}response/cmd")
    assert "back on" in replies(bot, 3)[2]["text"]
    bot.event(message(LOW, user=AGENT, channel=C1, ts="1762200001.000500"))
    assert len(bot.slack.wait_for("/api/chat.postEphemeral", 4)) == 4


def test_a_pause_lapses_when_managers_turn_pausing_off(bot: Bot) -> None:
    allow_pausing(bot)
    bot.command("settings", user=AGENT)
    click(
        bot,
        AGENT,
        button(replies(bot, 1)[0], ACTION_PAUSE_LOW),
        container="message",
        response_url=f"{bot.slack.url}response/cmd",
    )
    replies(bot, 2)
    modal = edit(bot, "agents", count=2)
    submit(bot, MANAGER, modal, {"agent_pause": "off"})
    bot.event(message(LOW, user=AGENT, channel=C1, ts="1762200002.000100"))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral", 1)[0].body
    assert ACTION_PAUSE_LOW not in nudge_buttons(nudge)
    bot.command("settings", user=AGENT)
    assert "but your managers have turned pausing off" in replies(bot, 3)[2]["blocks"][0]["text"]["text"]


def test_coach_settings_says_what_applies_and_why(make_bot) -> None:
    bot = make_bot(nudge_cooldown=90)
    bot.store.mute_rule("calm-down", C2, team=TEAM, actor=MANAGER)
    bot.store.allow_phrase("layer 8", team=TEAM, actor="cli:admin")
    bot.store.set_threshold("medium", team=TEAM, actor=MANAGER)
    bot.store.set_channel_mode("C09RANDOM", "ignore", team=TEAM, actor=MANAGER)
    bot.store.snooze(TEAM, AGENT, 4_102_444_800.0)  # far ahead
    bot.command("settings", user=AGENT)
    reply = replies(bot, 1)[0]
    assert reply["response_type"] == "ephemeral"
    text = reply["blocks"][0]["text"]["text"]
    assert "snoozed until <!date^4102444800^{time}|" in text and "Snooze for today" in text
    assert "Severities nudged: medium and high (set by your managers)" in text
    assert f"`calm-down` in <#{C2}>" in text and "“layer 8”" in text
    assert "never in <#C09RANDOM>" in text
    assert "every 90 seconds" in text
