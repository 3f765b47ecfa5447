"""From feedback to a fix in one click (issue 14): where App Home or the team report shows a rule
agents often mark "Not helpful", a manager mutes it in the channel, everywhere, or allows the
flagged phrase (prefilled from the redacted excerpt, edited before saving). Votes are cast the
real way: each agent presses Not helpful on their own nudge.
"""

from __future__ import annotations

import json

from bot.review.fixes import phrase_in_excerpt
from bot.slack.fix_views import ACTION_FIX_ALLOW, ACTION_FIX_MUTE_CHANNEL, ACTION_FIX_MUTE_EVERYWHERE
from bot.slack.settings_views import REFUSED_TEXT
from tests.slack.conftest import MANAGER, TEAM, Bot, message, slack_ok
from tests.slack.modals import button, buttons, click, home, last_home, opened, submit, texts
from tests.slack.test_settings_screen import CALM

SUPPORT, OTHER = "C0FIXSUPPORT", "C0FIXOTHER"
AGENTS = ("UAG1", "UAG2", "UAG3")


def vote_not_helpful(bot: Bot, at: float = 1762300000.0) -> None:
    """Three agents get a nudge for the same rule in #support (posted at ``at``) and each marks
    it Not helpful."""
    for n, agent in enumerate(AGENTS):
        bot.event(message(CALM, user=agent, channel=SUPPORT, ts=f"{int(at)}.00010{n}"))
    nudges = bot.slack.wait_for("/api/chat.postEphemeral", len(AGENTS))
    for call in nudges:
        actions = next(b for b in call.body["blocks"] if b["type"] == "actions")
        not_helpful = next(e for e in actions["elements"] if e["action_id"] == "coach_not_helpful")
        click(bot, call.body["user"], not_helpful, container="message", response_url=f"{bot.slack.url}response/v")
    bot.slack.wait_for("/response/v", len(AGENTS))
    bot.settle()


def test_mute_in_the_channel_from_the_home(bot: Bot) -> None:
    bot.slack.handlers["/api/conversations.info"] = slack_ok({"channel": {"id": SUPPORT, "name": "support"}})
    vote_not_helpful(bot)
    view = home(bot, MANAGER)
    assert "`calm-down`: 3 of 3 votes *Not helpful* (most in <#C0FIXSUPPORT>)" in texts(view)
    mute_here = button(view, ACTION_FIX_MUTE_CHANNEL)
    assert mute_here["text"]["text"] == "Mute in #support" and "confirm" in mute_here
    click(bot, MANAGER, mute_here)
    assert f"Muted `calm-down` in <#{SUPPORT}>" in texts(opened(bot, 1))
    row = bot.store.settings_audit()[0]
    assert (row["actor"], row["action"], json.loads(row["after"])) == (
        MANAGER,
        "mute",
        {"rule": "calm-down", "channel": SUPPORT},
    )
    after = last_home(bot, 2)
    assert not [b for b in buttons(after) if b["action_id"] == ACTION_FIX_MUTE_CHANNEL]  # muted there now
    assert button(after, ACTION_FIX_MUTE_EVERYWHERE)
    bot.event(message(CALM, user="UAG1", channel=SUPPORT, ts="1762300001.000100"))
    bot.event(message(CALM, user="UAG1", channel=OTHER, ts="1762300001.000200"))
    bot.slack.wait_for("/api/chat.postEphemeral", len(AGENTS) + 1)
    bot.settle()
    assert [c.body["channel"] for c in bot.slack.calls_to("/api/chat.postEphemeral")][len(AGENTS) :] == [OTHER]


def test_mute_everywhere_from_the_team_report(bot: Bot) -> None:
    vote_not_helpful(bot)
    bot.command("report 7d", user=MANAGER)
    report = bot.slack.wait_for("/response/cmd", 1)[0].body
    everywhere = button(report, ACTION_FIX_MUTE_EVERYWHERE)
    assert json.loads(everywhere["value"]) == {"r": "calm-down"}
    click(bot, MANAGER, everywhere, container="message", response_url=f"{bot.slack.url}response/cmd")
    assert "Muted `calm-down` everywhere" in texts(opened(bot, 1))
    assert ("calm-down", "") in {(m.rule, m.channel) for m in bot.store.workspace_settings(TEAM).mutes}
    # Muted everywhere: the report no longer offers a fix for it.
    bot.command("report 7d", user=MANAGER)
    assert "coach_fix" not in json.dumps(bot.slack.wait_for("/response/cmd", 2)[1].body)


def test_allow_this_phrase_is_prefilled_from_the_excerpt_and_edited_before_saving(bot: Bot) -> None:
    vote_not_helpful(bot)
    allow = button(home(bot, MANAGER), ACTION_FIX_ALLOW)
    assert json.loads(allow["value"]) == {"r": "calm-down", "p": "Calm down"}  # as the excerpt writes it
    click(bot, MANAGER, allow)
    modal = opened(bot, 1)
    phrase_input = next(b for b in modal["blocks"] if b.get("block_id") == "allow_phrase")
    assert phrase_input["element"]["initial_value"] == "Calm down"
    assert bot.store.workspace_settings(TEAM).allows == ()  # nothing saved before the manager says so
    answer = submit(bot, MANAGER, modal, {"allow_phrase": "calm down, it has only been"})
    assert "Allowed “calm down, it has only been” for `calm-down`" in texts(answer["view"])
    (entry,) = bot.store.workspace_settings(TEAM).allows
    assert (entry.phrase, entry.rule) == ("calm down, it has only been", "calm-down")
    assert bot.store.settings_audit()[0]["actor"] == MANAGER
    bot.event(message(CALM, user="UAG1", channel=SUPPORT, ts="1762300002.000100"))  # inside the phrase: silent
    bot.event(message("Calm down please.", user="UAG2", channel=SUPPORT, ts="1762300002.000200"))  # not: nudged
    bot.slack.wait_for("/api/chat.postEphemeral", len(AGENTS) + 1)
    bot.settle()
    assert [c.body["user"] for c in bot.slack.calls_to("/api/chat.postEphemeral")][len(AGENTS) :] == ["UAG2"]


def test_an_agent_cannot_use_the_fix_buttons(bot: Bot) -> None:
    vote_not_helpful(bot)
    allow = button(home(bot, MANAGER), ACTION_FIX_ALLOW)
    click(bot, "UAG1", allow)
    assert REFUSED_TEXT in texts(opened(bot, 1))
    modal = {
        "callback_id": "coach_settings:fixallow",
        "private_metadata": json.dumps({"rule": "calm-down"}),
        "blocks": [
            {"type": "input", "block_id": "allow_phrase", "element": {"type": "plain_text_input", "action_id": "value"}}
        ],
    }
    answer = submit(bot, "UAG1", modal, {"allow_phrase": "calm down"})
    assert REFUSED_TEXT in texts(answer["view"])
    assert bot.store.workspace_settings(TEAM).allows == () and bot.store.settings_audit() == []


def test_the_phrase_comes_only_from_what_the_excerpt_still_shows() -> None:
    assert phrase_in_excerpt("calm   down", "…so, Calm  down, it has…") == "Calm  down"
    assert phrase_in_excerpt("hi sam", "Hi [name], as I said") == ""  # redaction took the name: nothing
    assert phrase_in_excerpt("as i said", "") == ""  # a deleted message keeps no excerpt
    assert phrase_in_excerpt("said", "unsaid words") == ""  # whole words only


def test_the_home_keeps_its_pickers_fixes_and_settings_together(bot: Bot) -> None:
    """The report's pickers, the fixes under it and the Settings section are one Home for a
    manager, whatever period is picked; an agent's Home has their record only."""
    from bot.slack.report_views import ACTION_AGENT, ACTION_CHANNEL, ACTION_PERIOD
    from bot.slack.settings_views import ACTION_EDIT
    from tests.slack.test_manager_views import _pick

    bot.slack.handlers["/api/conversations.info"] = slack_ok({"channel": {"id": SUPPORT, "name": "support"}})
    vote_not_helpful(bot)
    view = home(bot, MANAGER)
    picked = _pick(bot, MANAGER, ACTION_PERIOD, "30", view)
    picked = picked if isinstance(picked, dict) else json.loads(picked)
    assert json.loads(picked["private_metadata"])["days"] == 30
    assert {ACTION_PERIOD, ACTION_CHANNEL, ACTION_AGENT} <= {
        e["action_id"] for b in picked["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert "Team dashboard: last 30 days" in texts(picked)
    assert button(picked, ACTION_FIX_MUTE_CHANNEL) and button(picked, ACTION_EDIT, "digest")
    agent = home(bot, AGENTS[0])
    kinds = {b.get("action_id") for b in buttons(agent)} | {
        e["action_id"] for b in agent["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert kinds == {ACTION_PERIOD}  # their own period, no channel or agent picker, no fix, no setting
    assert "Your coaching record" in texts(agent)
