"""Workspace settings (issue 14) proven on live messages: the real app over signed HTTP.

Each silenced message is followed by a control message that must nudge, so "nothing
happened" is checked after the bot has demonstrably handled what came before it.
"""

from __future__ import annotations

import time

from bot.workspace import CustomTerm
from tests.fakes import Call
from tests.slack.conftest import TEAM, Bot, message

CALM = "Calm down, it has only been an hour."  # calm-down, medium
HARSH = "Hi Sam, as I already said, you should have read the setup guide."  # as-i-said + should-have, medium
LOW = "Obviously the app needs the update first, so I've sent you the link."  # condescending-adverb, low


def nudges(bot: Bot, count: int) -> list[Call]:
    """Wait for ``count`` nudges, then make sure no further one is on its way: the listeners,
    flag writes and Slack calls are all done (Bot.settle), not a guessed pause."""
    bot.slack.wait_for("/api/chat.postEphemeral", count, 5.0)
    bot.settle()
    return bot.slack.calls_to("/api/chat.postEphemeral")


def flagged_channels(bot: Bot) -> list[str]:
    return sorted(flag.channel for flag in bot.store.flags())


def test_muted_rule_is_silent_in_that_channel_only(bot: Bot) -> None:
    bot.store.mute_rule("calm-down", "C1", team=TEAM, actor="UMANAGER")
    bot.event(message(CALM, channel="C1", ts="1762000100.000100"))
    bot.settle()  # the first message is handled before the control one
    bot.event(message(CALM, channel="C2", ts="1762000100.000200"))
    calls = nudges(bot, 1)
    assert [c.body["channel"] for c in calls] == ["C2"]
    assert flagged_channels(bot) == ["C2"]


def test_mute_everywhere_keeps_other_rules_of_the_same_message(bot: Bot) -> None:
    bot.store.mute_rule("as-i-said", actor="cli")  # team "": every workspace
    bot.event(message(HARSH, ts="1762000101.000100"))
    calls = nudges(bot, 1)
    assert "you should have read" in calls[0].body["text"]
    assert "as I already said" not in calls[0].body["text"]
    assert bot.store.flags()[0].rules == ("should-have",)


def test_allowed_phrase_is_silent(bot: Bot) -> None:
    bot.store.allow_phrase("layer 8", team=TEAM, actor="UMANAGER")
    bot.event(message("Honestly it is a layer 8 problem", ts="1762000102.000100"))
    bot.settle()  # the first message is handled before the control one
    bot.event(message(CALM, ts="1762000102.000200"))
    calls = nudges(bot, 1)
    assert len(calls) == 1 and "Calm down" in calls[0].body["text"]
    assert [f.ts for f in bot.store.flags()] == ["1762000102.000200"]


def test_allowed_phrase_for_one_rule_leaves_the_others(bot: Bot) -> None:
    bot.store.allow_phrase(r"as i (?:already )?said", is_pattern=True, rule="should-have", team=TEAM, actor="U")
    bot.event(message(HARSH, ts="1762000103.000100"))
    nudges(bot, 1)
    assert set(bot.store.flags()[0].rules) == {"as-i-said", "should-have"}  # it covers as-i-said's match only


def test_custom_term_nudges_with_its_own_tip(bot: Bot) -> None:
    tip = "Name the customer or the request, not a nickname for them."
    bot.store.put_term(
        CustomTerm("custom-ticket-monkey", "ticket monkey", "disparaging", "high", tip, rewrite="customer"),
        team=TEAM,
        actor="UMANAGER",
    )
    bot.event(message("Another ticket monkey asking about invoices again", ts="1762000104.000100"))
    calls = nudges(bot, 1)
    assert tip in calls[0].body["text"]
    flag = bot.store.flags()[0]
    assert flag.rules == ("custom-ticket-monkey",) and flag.severity == "high"


def test_ignored_channel_stores_nothing(bot: Bot) -> None:
    bot.store.set_channel_mode("C9", "ignore", team=TEAM, actor="UMANAGER")
    bot.event(message(HARSH, channel="C9", ts="1762000105.000100"))
    bot.settle()  # the first message is handled before the control one
    bot.event(message(HARSH, channel="C1", ts="1762000105.000200"))
    calls = nudges(bot, 1)
    assert [c.body["channel"] for c in calls] == ["C1"]
    assert flagged_channels(bot) == ["C1"]


def test_watched_channels_set_in_the_store_replace_the_environment(make_bot) -> None:
    bot = make_bot(channels=frozenset({"C1"}))
    bot.store.set_channel_mode("C5", "watch", team=TEAM, actor="UMANAGER")
    bot.event(message(HARSH, channel="C1", ts="1762000106.000100"))
    bot.settle()  # the first message is handled before the control one
    bot.event(message(HARSH, channel="C5", ts="1762000106.000200"))
    calls = nudges(bot, 1)
    assert [c.body["channel"] for c in calls] == ["C5"]


def test_threshold_hides_lower_severities(bot: Bot) -> None:
    bot.store.set_threshold("medium", team=TEAM, actor="UMANAGER")
    bot.store.set_threshold("high", "C2", team=TEAM, actor="UMANAGER")
    bot.event(message(LOW, channel="C1", ts="1762000107.000100"))  # low: below medium
    bot.event(message(CALM, channel="C2", ts="1762000107.000200"))  # medium: below C2's high
    bot.settle()  # the first message is handled before the control one
    bot.event(message(CALM, channel="C1", ts="1762000107.000300"))  # medium in C1: nudged
    calls = nudges(bot, 1)
    assert [(c.body["channel"], "Calm down" in c.body["text"]) for c in calls] == [("C1", True)]
    assert [f.ts for f in bot.store.flags()] == ["1762000107.000300"]


def test_a_change_reaches_the_next_message_within_a_second(bot: Bot) -> None:
    bot.event(message(CALM, ts="1762000108.000100"))
    nudges(bot, 1)
    bot.store.mute_rule("calm-down", team=TEAM, actor="UMANAGER")
    time.sleep(1.05)  # the settings cache's TTL is 1 s
    bot.event(message(CALM, ts="1762000108.000200"))
    bot.settle()  # the first message is handled before the control one
    bot.event(message(HARSH, ts="1762000108.000300"))
    calls = nudges(bot, 2)
    assert len(calls) == 2 and "as I already said" in calls[1].body["text"]
    assert "1762000108.000200" not in [f.ts for f in bot.store.flags()]


def test_settings_survive_a_restart(make_bot) -> None:
    first = make_bot()
    first.store.mute_rule("calm-down", "C1", team=TEAM, actor="UMANAGER")
    first.store.set_channel_mode("C9", "ignore", team=TEAM, actor="UMANAGER")
    first.server.stop()
    first.deps.outbox.close()
    first.store.close()
    second = make_bot()  # the same database file, opened afresh
    second.event(message(CALM, channel="C1", ts="1762000109.000100"))
    second.event(message(HARSH, channel="C9", ts="1762000109.000200"))
    second.settle()  # the first messages are handled before the control one
    second.event(message(CALM, channel="C2", ts="1762000109.000300"))
    calls = nudges(second, 1)
    assert [c.body["channel"] for c in calls] == ["C2"]
    assert flagged_channels(second) == ["C2"]


def test_a_cli_mute_reaches_the_running_bot(bot: Bot) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["rules", "mute", "calm-down", "--db", bot.store.path, "--team", TEAM])
    assert result.exit_code == 0, result.output
    bot.event(message(CALM, ts="1762000110.000100"))
    bot.settle()  # the first message is handled before the control one
    bot.event(message(HARSH, ts="1762000110.000200"))
    calls = nudges(bot, 1)
    assert len(calls) == 1 and "as I already said" in calls[0].body["text"]
