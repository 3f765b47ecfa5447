"""Events over signed HTTP: nudges, silence, retries, bots, mentions, edits, limits."""

from __future__ import annotations

import logging
import time

import pytest

from tests.fakes import Call
from tests.slack.conftest import BOT_USER, TEAM, TOKEN, Bot, message

HARSH = "Hi Sam, as I already said, you should have read the setup guide."


def ephemerals(bot: Bot, count: int = 1, timeout: float = 3.0) -> list[Call]:
    bot.deps.outbox.join(timeout)
    return bot.slack.wait_for("/api/chat.postEphemeral", count, timeout)


def test_url_verification(bot: Bot) -> None:
    import json

    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    status, data, _ = bot.request(body, "application/json")
    assert status == 200 and b"abc123" in data


def test_harsh_message_gets_one_private_nudge(bot: Bot) -> None:
    status, _, elapsed = bot.event(message(HARSH, ts="1762000000.000100"))
    assert status == 200 and elapsed < 1.0
    calls = ephemerals(bot)
    assert len(calls) == 1
    body = calls[0].body
    assert body["user"] == "U1" and body["channel"] == "C1"
    assert calls[0].headers["authorization"] == f"Bearer {TOKEN}"
    actions = next(b for b in body["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "coach_helpful",
        "coach_not_helpful",
        "coach_why",
        "coach_snooze",
    ]
    assert "as I already said" in body["text"] and "Try instead" in body["text"]
    assert bot.slack.calls_to("/api/chat.postMessage") == []  # never public
    flag = bot.store.find_flag(TEAM, "C1", "1762000000.000100")
    assert flag is not None and set(flag.categories) == {"blame", "argumentative"}
    assert flag.permalink == "https://t1.slack.com/archives/C1/p1762000000000100"
    bot.deps.outbox.join()
    assert bot.store.db.execute("SELECT status FROM nudges").fetchall() == [("sent",)]


def test_clean_message_gets_silence(bot: Bot) -> None:
    status, _, _ = bot.event(message("Your refund is on its way, Sam. Anything else I can help with?"))
    assert status == 200
    bot.settle()
    assert bot.slack.calls_to("/api/chat.postEphemeral") == []
    assert bot.store.flags() == []


def test_retries_never_duplicate(bot: Bot) -> None:
    event = message(HARSH, ts="1762000001.000100")
    for retry in range(4):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, _, _ = bot.event(event, event_id="EvSAME", headers=headers)
        assert status == 200
    bot.settle()
    assert len(ephemerals(bot)) == 1
    assert len(bot.store.flags()) == 1


@pytest.mark.parametrize(
    "event",
    [
        message(HARSH, bot_id="B9"),
        message(HARSH, user=BOT_USER),
        {**message(HARSH), "subtype": "channel_join"},
        {**message(HARSH), "subtype": "bot_message", "bot_id": "B2"},
        {"type": "message", "subtype": "channel_topic", "channel": "C1", "ts": "1.2", "text": "idiot topic"},
    ],
)
def test_bots_self_and_system_messages_are_ignored(bot: Bot, event: dict) -> None:
    status, _, _ = bot.event(event)
    assert status == 200
    bot.settle()
    assert bot.slack.calls_to("/api/chat.postEphemeral") == []
    assert bot.store.flags() == []


def test_unwatched_channel_is_left_alone(make_bot) -> None:
    bot = make_bot(channels=frozenset({"CWATCH"}))
    bot.event(message(HARSH, channel="COTHER"))
    bot.event(message(HARSH, channel="CWATCH"))
    calls = ephemerals(bot)
    bot.settle()
    assert [c.body["channel"] for c in bot.slack.calls_to("/api/chat.postEphemeral")] == ["CWATCH"]
    assert len(calls) == 1


def test_mention_as_message_and_app_mention_is_answered_once(bot: Bot) -> None:
    text = f"<@{BOT_USER}> how does this sound: calm down, it has been forty minutes"
    ts = "1762000002.000100"
    bot.event(message(text, ts=ts), event_id="EvM1")
    bot.event({"type": "app_mention", "user": "U1", "channel": "C1", "text": text, "ts": ts}, event_id="EvM2")
    calls = ephemerals(bot)
    bot.settle()
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 1
    assert calls[0].body["user"] == "U1" and "calm down" in calls[0].body["text"]
    assert bot.store.flags() == []  # drafts sent to the bot are never stored


def test_mention_in_thread_coaches_the_parent(bot: Bot) -> None:
    bot.slack.handlers["/api/conversations.replies"] = lambda call: (
        200,
        {},
        {"ok": True, "messages": [{"text": "That's not our fault, talk to the courier.", "ts": "1.0"}]},
    )
    bot.event(
        {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "text": f"<@{BOT_USER}>",
            "ts": "1762000003.000200",
            "thread_ts": "1762000003.000100",
        }
    )
    calls = ephemerals(bot)
    assert "not our fault" in calls[0].body["text"]
    assert calls[0].body["thread_ts"] == "1762000003.000100"


def test_direct_message_gets_a_rewrite_and_is_not_stored(bot: Bot) -> None:
    bot.event({**message("Per my last email, the invoice is correct.", channel="D1"), "channel_type": "im"})
    calls = bot.slack.wait_for("/api/chat.postMessage")
    assert calls[0].body["channel"] == "D1" and "per my last" in calls[0].body["text"].lower()
    assert bot.store.flags() == []


def test_edit_into_clean_marks_the_nudge_as_worked_and_delete_clears_text(bot: Bot) -> None:
    ts = "1762000004.000100"
    bot.event(message(HARSH, ts=ts))
    ephemerals(bot)
    bot.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "hidden": True,
            "message": {"type": "message", "user": "U1", "text": "Hi Sam, here's the setup guide, page 4.", "ts": ts},
            "previous_message": {"ts": ts, "text": HARSH},
            "ts": "1762000005.0",
        }
    )
    deadline = time.time() + 3
    while bot.store.find_flag(TEAM, "C1", ts).status != "edited" and time.time() < deadline:
        time.sleep(0.05)
    assert bot.store.find_flag(TEAM, "C1", ts).status == "edited"
    bot.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C1",
            "deleted_ts": ts,
            "ts": "1762000006.0",
            "previous_message": {"ts": ts},
        }
    )
    while bot.store.find_flag(TEAM, "C1", ts).status != "deleted" and time.time() < deadline + 3:
        time.sleep(0.05)
    flag = bot.store.find_flag(TEAM, "C1", ts)
    assert flag.status == "deleted" and flag.excerpt == ""


def test_rate_limit_is_retried_without_starving_others(bot: Bot) -> None:
    attempts: list[float] = []

    def limited(call: Call):
        attempts.append(time.monotonic())
        if call.body.get("user") == "USLOW" and len([a for a in attempts]) == 1:
            return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
        return 200, {}, {"ok": True}

    bot.slack.handlers["/api/chat.postEphemeral"] = limited
    bot.event(message(HARSH, user="USLOW"))
    bot.slack.wait_for("/api/chat.postEphemeral")  # the slow one's first try is in (and limited)
    bot.event(message("calm down, it has been forty minutes", user="UFAST"))
    calls = bot.slack.wait_for("/api/chat.postEphemeral", 3, timeout=5)
    users = [c.body["user"] for c in calls]
    assert users == ["USLOW", "UFAST", "USLOW"]  # the fast one did not wait behind the sleeping retry
    assert calls[2].at - calls[0].at >= 0.9
    bot.deps.outbox.join()
    assert bot.deps.outbox.stats["rate_limited"] == 1


def test_user_not_in_channel_is_logged_once_and_counted(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    bot.slack.handlers["/api/chat.postEphemeral"] = lambda call: (
        200,
        {},
        {"ok": False, "error": "user_not_in_channel"},
    )
    caplog.set_level(logging.WARNING)
    bot.event(message(HARSH, user="U1"))
    bot.event(message(HARSH, user="U2"))
    bot.slack.wait_for("/api/chat.postEphemeral", 2)
    bot.settle()
    assert caplog.text.count("user_not_in_channel") == 1
    rows = bot.store.db.execute("SELECT status, reason FROM nudges").fetchall()
    assert rows == [("failed", "user_not_in_channel")] * 2
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 2  # never retried


def test_forged_and_stale_requests_get_401_and_leave_no_trace(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text = "SECRET-TEXT-8842 you should have read the docs"
    status, _, _ = bot.event(message(secret_text), signature="v0=" + "0" * 64)
    assert status == 401
    status, _, _ = bot.event(message(secret_text), timestamp=int(time.time()) - 600)
    assert status == 401
    bot.settle()
    assert bot.store.flags() == []
    assert bot.slack.calls_to("/api/chat.postEphemeral") == []
    assert "SECRET-TEXT-8842" not in caplog.text and TOKEN not in caplog.text
    assert "invalid or expired signature" in caplog.text


def test_message_text_and_token_never_reach_logs_in_normal_work(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bot.event(message("SECRET-TEXT-7731 you should have read the docs"))
    ephemerals(bot)
    assert "SECRET-TEXT-7731" not in caplog.text and TOKEN not in caplog.text


def test_huge_and_odd_messages_do_not_slow_others(bot: Bot) -> None:
    huge = ("as I already said " + "x" * 50 + " ") * 600
    huge = huge[:40_000]
    odd = "Ｃａｌｍ ｄｏｗｎ\u200b, \u202eyou should have\u00ad read 🙃 " + "\U0001f600" * 100
    status, _, elapsed = bot.event(message(huge))
    assert status == 200 and elapsed < 1.0
    status, _, elapsed = bot.event(message(odd, user="U2"))
    assert status == 200 and elapsed < 1.0
    started = time.monotonic()
    status, _, elapsed = bot.event(message(HARSH, user="U3"))
    assert status == 200 and elapsed < 0.5
    calls = bot.slack.wait_for("/api/chat.postEphemeral", 3)
    assert {c.body["user"] for c in calls} == {"U1", "U2", "U3"}
    assert time.monotonic() - started < 2.0
    assert all(len(f.excerpt) <= 280 for f in bot.store.flags())


def test_unknown_events_are_acknowledged(bot: Bot) -> None:
    status, _, _ = bot.event(
        {
            "type": "reaction_added",
            "user": "U1",
            "reaction": "tada",
            "item": {"type": "message", "channel": "C1", "ts": "1.0"},
        }
    )
    assert status == 200


def test_malformed_body_is_refused_cleanly(bot: Bot) -> None:
    status, _, _ = bot.request(b"{not json at all", "application/json")
    assert status in (200, 400, 404)
    status, _, _ = bot.form({"payload": "{broken"})
    assert status in (200, 400, 404)
    status, _, _ = bot.event(message(HARSH))  # and the app still works
    assert status == 200 and ephemerals(bot)


def test_bot_joining_a_channel_introduces_itself_once(bot: Bot) -> None:
    for _ in range(2):
        bot.event({"type": "member_joined_channel", "user": BOT_USER, "channel": "C7", "team": TEAM})
    calls = bot.slack.wait_for("/api/chat.postMessage")
    bot.settle()
    assert len(bot.slack.calls_to("/api/chat.postMessage")) == 1
    assert "private" in calls[0].body["text"] and calls[0].body["channel"] == "C7"


def test_uninstall_removes_the_workspace_data(bot: Bot) -> None:
    bot.event(message(HARSH))
    ephemerals(bot)
    assert bot.store.flags()
    bot.event({"type": "app_uninstalled"})
    deadline = time.time() + 3
    while bot.store.flags() and time.time() < deadline:
        time.sleep(0.05)
    assert bot.store.flags() == []


def test_healthz(bot: Bot) -> None:
    status, body = bot.get("/healthz")
    assert status == 200 and b'"ok": true' in body
    assert bot.get("/nope")[0] == 404
