"""Issue 13, point 1: nothing from Slack or an export can make the bot ping, mention or link.

Hostile text goes through every surface over signed HTTP; every ``text`` the bot sends to
the fake Slack must show it literally (escaped), with only the bot's own id references left.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from bot.coaching.coach import Coach
from bot.ingest.export import open_export
from bot.ingest.scan import scan_export
from bot.review.scheduler import Scheduler
from bot.slack.digest_post import post_digest
from tests.slack.conftest import BOT_USER, MANAGER, TEAM, Bot, message

HOSTILE = "As I already said <!channel> <!here> <@U0EVIL> <https://x|y> & co, you should have read the guide."
ESCAPED = "&lt;!channel&gt;"


def texts(value: Any) -> list[str]:
    """Every string the payload would show: values of ``text`` keys, at any depth."""
    if isinstance(value, str):
        try:
            return texts(json.loads(value)) if value[:1] in "[{" else []
        except json.JSONDecodeError:
            return []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                found.append(item)
            else:
                found += texts(item)
    elif isinstance(value, list):
        for item in value:
            found += texts(item)
    return found


def assert_inert(body: dict[str, Any], allowed: tuple[str, ...] = ()) -> str:
    """No Slack control sequence but the allowed id references; every & is an entity."""
    shown = texts(body)
    assert shown, f"nothing shown in {body}"
    joined = "\n".join(shown)
    rest = joined
    for ref in allowed:
        rest = rest.replace(ref, "")
    assert "<" not in rest, rest  # a bare ">" is our own blockquote markup
    assert not re.search(r"&(?!amp;|lt;|gt;)", rest), rest
    return joined


def _digest(bot: Bot) -> str:
    bot.store.set_meta("digest_last_sent", "0")
    scheduler = Scheduler(
        bot.deps.settings, bot.store, lambda channel, digest: post_digest(bot.deps.client, channel, digest)
    )
    assert "digest" in scheduler.tick()
    body = bot.slack.wait_for("/api/chat.postMessage")[-1].body
    return json.dumps({"text": body["text"], "blocks": body["blocks"]}, ensure_ascii=False)  # fallback and blocks


def test_hostile_text_is_shown_literally_on_every_surface(make_bot) -> None:
    bot = make_bot(digest_channel="CDIGEST")
    response = f"{bot.slack.url}response/cmd"
    # Live nudge, fallback text and blocks.
    bot.event(message(HOSTILE, user="UAGENT"))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral")[0].body
    assert ESCAPED in assert_inert(nudge)
    # /coach <draft>, the shortcut, a DM and a mention.
    bot.command(HOSTILE)
    bot.interaction(
        {
            "type": "message_action",
            "callback_id": "coach_this_reply",
            "trigger_id": "t",
            "user": {"id": "U1"},
            "team": {"id": TEAM},
            "channel": {"id": "C1"},
            "response_url": response,
            "message": {"type": "message", "user": "U2", "text": HOSTILE, "ts": "1.0"},
        }
    )
    for reply in bot.slack.wait_for("/response/cmd", 2)[:2]:
        assert ESCAPED in assert_inert(reply.body)
    bot.event(message(HOSTILE, channel="D1", channel_type="im"))
    assert ESCAPED in assert_inert(bot.slack.wait_for("/api/chat.postMessage")[0].body)
    bot.event(
        {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": f"{time.time():.6f}",
            "text": f"<@{BOT_USER}> {HOSTILE}",
        }
    )
    assert ESCAPED in assert_inert(bot.slack.wait_for("/api/chat.postEphemeral", 2)[1].body)
    # Forged votes naming a hostile rule (three reach the advice threshold).
    flag_id = bot.store.flags()[0].id
    for voter in ("UV1", "UV2", "UV3"):
        bot.interaction(
            {
                "type": "block_actions",
                "user": {"id": voter},
                "team": {"id": TEAM},
                "trigger_id": "t",
                "response_url": response,
                "container": {"type": "message"},
                "actions": [
                    {
                        "action_id": "coach_not_helpful",
                        "type": "button",
                        "value": json.dumps({"f": flag_id, "r": ["<!channel> <https://evil|gift> &"]}),
                    }
                ],
            }
        )
    bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": "UAGENT"},
            "team": {"id": TEAM},
            "trigger_id": "t",
            "response_url": response,
            "container": {"type": "message"},
            "actions": [
                {
                    "action_id": "coach_why",
                    "type": "button",
                    "value": json.dumps({"f": flag_id, "r": ["<!channel>", "you-should-have"]}),
                }
            ],
        }
    )
    assert_inert(bot.slack.wait_for("/api/views.open")[0].body)
    # Reports: /coach me, /coach report, a bad period echoed back, App Home.
    seen = len(bot.slack.calls_to("/response/cmd"))
    bot.command("me", user="UAGENT")
    bot.command("report 7d", user=MANAGER)
    bot.command("report <!channel>&", user=MANAGER)
    replies = bot.slack.wait_for("/response/cmd", seen + 3)[seen:]
    assert len(replies) == 3
    for reply in replies:
        assert_inert(reply.body, allowed=("<@UAGENT>", "<#C1>"))
    assert ESCAPED in json.dumps(replies[1].body)  # the top phrase, shown literally
    # App Home (the manager's with its Settings section) and /coach settings, a hostile setting in the store.
    bot.store.allow_phrase("<!channel> & co", team=TEAM, actor="cli:<!here>")
    bot.event({"type": "app_home_opened", "user": MANAGER, "tab": "home", "channel": "D1"})
    bot.event({"type": "app_home_opened", "user": "UAGENT", "tab": "home", "channel": "D2"})
    for call in bot.slack.wait_for("/api/views.publish", 2):
        assert ESCAPED in assert_inert(call.body, allowed=("<@UAGENT>", "<#C1>", f"<@{MANAGER}>", "<#CDIGEST>"))
    bot.command("settings", user="UAGENT")
    assert ESCAPED in assert_inert(bot.slack.wait_for("/response/cmd", seen + 4)[-1].body)
    # The weekly digest, posted through the real client.
    digest = _digest(bot)
    assert ESCAPED in digest
    assert_inert({"text": digest}, allowed=("<#C1>",))


def test_digest_and_reports_after_scanning_a_hostile_export(make_bot, tmp_path: Path) -> None:
    bot = make_bot(digest_channel="CDIGEST")
    root = tmp_path / "export"
    (root / "support").mkdir(parents=True)
    (root / "channels.json").write_text(json.dumps([{"id": "C1> <!here> <#C2", "name": "support"}]))
    agent = "U1> <!channel> <@U2"
    (root / "users.json").write_text(json.dumps([{"id": agent, "real_name": "Eve <!everyone> & co"}]))
    day = [{"type": "message", "user": agent, "team": TEAM, "text": "another PEBKAC lol", "ts": f"{time.time():.6f}"}]
    (root / "support" / f"{time.strftime('%Y-%m-%d')}.json").write_text(json.dumps(day))
    with open_export(root) as export:
        assert scan_export(export, Coach(), bot.store).added == 1
    digest = _digest(bot)
    assert "#support" in assert_inert({"text": digest})
    bot.command("report 7d", user=MANAGER)
    report = assert_inert(bot.slack.wait_for("/response/cmd")[0].body)
    assert "#support" in report and "Eve &lt;!everyone&gt; &amp; co" in report
    bot.event({"type": "app_home_opened", "user": MANAGER, "tab": "home", "channel": "D1"})
    assert "#support" in assert_inert(
        bot.slack.wait_for("/api/views.publish")[0].body, allowed=(f"<@{MANAGER}>", "<#CDIGEST>")
    )
