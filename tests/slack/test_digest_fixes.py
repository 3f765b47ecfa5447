"""The digest carries App Home's one-click fixes (issue 16), and its buttons, in a channel every
agent may read, do something only for a manager.

The digest goes out the way the running bot sends it (the scheduler through the real client to
the fake Slack); its buttons are pressed as Slack sends a press on a channel message: signed
HTTP to the real app, with the message's channel and response_url.
"""

from __future__ import annotations

import json
import time
from typing import Any

from click.testing import CliRunner

from bot.cli import cli
from bot.review.scheduler import Scheduler
from bot.slack.digest_post import post_digest
from bot.slack.fix_views import ACTION_FIX_ALLOW, ACTION_FIX_MUTE_CHANNEL, ACTION_FIX_MUTE_EVERYWHERE
from bot.slack.settings_views import REFUSED_TEXT
from tests.slack.conftest import MANAGER, TEAM, Bot, message, slack_ok
from tests.slack.modals import button, buttons, home, opened, submit, texts
from tests.slack.test_feedback_fixes import AGENTS, SUPPORT, vote_not_helpful
from tests.slack.test_settings_screen import CALM

DIGEST = "C0DIGEST"
FIXES = (ACTION_FIX_MUTE_CHANNEL, ACTION_FIX_MUTE_EVERYWHERE, ACTION_FIX_ALLOW)


def post_scheduled_digest(bot: Bot) -> dict[str, Any]:
    """The scheduler's next digest, as the fake Slack received it."""
    seen = len(bot.slack.calls_to("/api/chat.postMessage"))
    bot.store.set_meta("digest_last_sent", "0")
    bot.store.set_meta("purge_last_run", str(time.time()))  # only the digest is due
    settings = bot.deps.settings
    scheduler = Scheduler(
        settings, bot.store, lambda channel, digest: post_digest(bot.deps.client, channel, digest), team=TEAM
    )
    assert "digest" in scheduler.tick()
    calls = bot.slack.calls_to("/api/chat.postMessage")
    assert len(calls) == seen + 1
    return calls[-1].body


def press_in_channel(bot: Bot, user: str, found: dict[str, Any], reply_path: str) -> None:
    """A press on the digest's message in the digest channel, as Slack sends it."""
    status, _, _ = bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": TEAM},
            "trigger_id": f"trig-{user}",
            "container": {"type": "message", "channel_id": DIGEST, "message_ts": "2.2", "is_ephemeral": False},
            "channel": {"id": DIGEST, "name": "coaching-digest"},
            "message": {"ts": "2.2", "type": "message"},
            "response_url": f"{bot.slack.url}{reply_path}",
            "actions": [{"action_id": found["action_id"], "value": found["value"], "type": "button"}],
        }
    )
    assert status == 200


def fix_buttons(view: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons(view) if b["action_id"] in FIXES]


def report_json(bot: Bot) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["report", "--format", "json", "--db", str(bot.store.path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_digest_offers_the_homes_fixes_with_the_numbers_of_the_json_report(make_bot) -> None:
    bot = make_bot(digest_channel=DIGEST)
    bot.slack.handlers["/api/conversations.info"] = slack_ok({"channel": {"id": SUPPORT, "name": "support"}})
    vote_not_helpful(bot, at=time.time() - 3600)
    posted = post_scheduled_digest(bot)
    assert posted["channel"] == DIGEST
    offered = fix_buttons(posted)
    assert offered == fix_buttons(home(bot, MANAGER))  # the same fixes, the same buttons as App Home
    assert [text for _, _, text in offered] == ["Mute in #support", "Mute everywhere", "Allow this phrase"]
    assert all("confirm" in button(posted, action) for action in (ACTION_FIX_MUTE_CHANNEL, ACTION_FIX_MUTE_EVERYWHERE))

    data = report_json(bot)
    assert data["total"] == len(AGENTS) and f"*{data['total']}* flagged messages" in posted["text"]
    votes = next(r for r in data["rule_feedback"] if r["rule"] == "calm-down")
    line = (
        f"`calm-down`: {votes['not_helpful']} of {votes['helpful'] + votes['not_helpful']} votes *Not helpful* "
        f"(most in <#{SUPPORT}>)"
    )
    assert votes["not_helpful"] == len(AGENTS) and line in texts(posted)
    # The plain-text fallback names the fixes too (notifications, screen readers, `digest` in a terminal).
    named = f"{line}: mute it in <#{SUPPORT}>, mute it everywhere or allow “Calm down”"
    assert named in posted["text"]
    printed = CliRunner().invoke(cli, ["digest", "--db", str(bot.store.path)])
    assert printed.exit_code == 0 and named in printed.output


def test_only_a_manager_can_apply_a_fix_from_the_digest_and_it_is_audited_like_the_homes(make_bot) -> None:
    bot = make_bot(digest_channel=DIGEST)
    bot.slack.handlers["/api/conversations.info"] = slack_ok({"channel": {"id": SUPPORT, "name": "support"}})
    vote_not_helpful(bot, at=time.time() - 3600)
    posted = post_scheduled_digest(bot)

    # Agents read the digest channel too: each button, pressed by one, is refused where only they see it.
    for n, action in enumerate(FIXES, start=1):
        press_in_channel(bot, AGENTS[0], button(posted, action), "response/agent")
        reply = bot.slack.wait_for("/response/agent", n)[-1].body
        assert (reply["text"], reply["response_type"], reply["replace_original"]) == (REFUSED_TEXT, "ephemeral", False)
    bot.settle()
    assert bot.store.workspace_settings(TEAM).mutes == frozenset() and bot.store.workspace_settings(TEAM).allows == ()
    assert bot.store.settings_audit() == [] and not bot.slack.calls_to("/api/views.open")  # no modal to open
    refused = [row for row in bot.store.audit_log() if row["action"] == "settings_refused"]
    assert [(row["actor"], json.loads(row["details"])["what"]) for row in refused] == [
        (AGENTS[0], "fix allow"),
        (AGENTS[0], "fix mute"),
        (AGENTS[0], "fix mute"),
    ]

    # A manager mutes the rule in #support from the digest: the Home's confirmation and audit row.
    press_in_channel(bot, MANAGER, button(posted, ACTION_FIX_MUTE_CHANNEL), "response/manager")
    assert f"Muted `calm-down` in <#{SUPPORT}>" in texts(opened(bot, 1))
    (row,) = bot.store.settings_audit()
    assert (row["actor"], row["action"], row["team"], json.loads(row["after"])) == (
        MANAGER,
        "mute",
        TEAM,
        {"rule": "calm-down", "channel": SUPPORT},
    )
    bot.settle()
    assert not bot.slack.calls_to("/response/manager")  # a manager's press changes nothing in the channel

    # Allow this phrase: the Home's modal, prefilled from the redacted excerpt, saved by the manager.
    press_in_channel(bot, MANAGER, button(posted, ACTION_FIX_ALLOW), "response/manager")
    modal = opened(bot, 2)
    assert (
        next(b for b in modal["blocks"] if b.get("block_id") == "allow_phrase")["element"]["initial_value"]
        == "Calm down"
    )
    answer = submit(bot, MANAGER, modal, {"allow_phrase": "calm down, it has only been"})
    assert "Allowed “calm down, it has only been” for `calm-down`" in texts(answer["view"])
    assert [(r["actor"], r["action"]) for r in bot.store.settings_audit()] == [(MANAGER, "allow"), (MANAGER, "mute")]

    # Muted in #support, the fix takes effect there; the next digest offers only what is left.
    bot.event(message(CALM, user="UAG1", channel=SUPPORT, ts=f"{time.time():.6f}"))
    bot.settle()
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == len(AGENTS)
    later = post_scheduled_digest(bot)
    assert [action for action, _, _ in fix_buttons(later)] == [ACTION_FIX_MUTE_EVERYWHERE, ACTION_FIX_ALLOW]


def test_a_digest_without_rules_to_fix_has_no_fix_buttons(make_bot) -> None:
    bot = make_bot(digest_channel=DIGEST)
    bot.event(message(CALM, user="UAG1", channel=SUPPORT, ts=f"{time.time():.6f}"))
    bot.slack.wait_for("/api/chat.postEphemeral")
    bot.settle()
    posted = post_scheduled_digest(bot)
    assert fix_buttons(posted) == [] and "One-click fixes" not in posted["text"]
