"""/coach, the nudge buttons, the message shortcut and App Home, over signed HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.fakes import FakeServer
from tests.slack.conftest import MANAGER, SECRET, TEAM, Bot, message, slack_ok

HARSH = "Hi Sam, as I already said, you should have read the setup guide."


def responses(bot: Bot, count: int = 1) -> list[dict]:
    return [c.body for c in bot.slack.wait_for("/response/cmd", count)]


def test_coach_draft_is_rewritten_privately_and_not_stored(bot: Bot) -> None:
    status, _, elapsed = bot.command("That's not our fault, the courier lost it.")
    assert status == 200 and elapsed < 1.0
    reply = responses(bot)[0]
    assert reply["response_type"] == "ephemeral"
    assert "not our fault" in reply["text"] and "Try instead" in reply["text"]
    assert bot.store.flags() == []


def test_coach_help_and_clean_draft(bot: Bot) -> None:
    bot.command("help")
    bot.command("Your refund is on its way, anything else I can do?")
    texts = [r["text"] for r in responses(bot, 2)]  # two commands answered in parallel: any order
    assert sum("/coach <your draft>" in t for t in texts) == 1
    assert sum("reads well" in t for t in texts) == 1


def test_report_is_for_managers_only(bot: Bot) -> None:
    bot.event(message(HARSH, user="UAGENT"))
    bot.slack.wait_for("/api/chat.postEphemeral")
    bot.command("report 7d", user="UAGENT")
    refusal = responses(bot)[0]
    assert "for the managers" in refusal["text"] and "UAGENT" not in json.dumps(refusal)
    bot.command("report 7d <#C1|support>", user=MANAGER)
    report = responses(bot, 2)[1]
    assert "1 flagged messages" in report["text"]
    assert "<@UAGENT>" in json.dumps(report["blocks"])
    assert bot.store.audit_log()[0]["actor"] == MANAGER
    bot.command("report whenever", user=MANAGER)
    assert "not understood" in responses(bot, 3)[2]["text"]


def test_coach_me_shows_only_my_record(bot: Bot) -> None:
    bot.event(message(HARSH, user="UAGENT"))
    bot.event(message("calm down, it's been an hour", user="UOTHER"))
    bot.slack.wait_for("/api/chat.postEphemeral", 2)
    bot.command("me", user="UAGENT")
    mine = responses(bot)[0]
    assert "Your coaching record" in mine["text"] and "1 flagged" in mine["text"]
    assert "UOTHER" not in json.dumps(mine)


def _nudge_action(bot: Bot, action_id: str, user: str = "U1") -> dict:
    bot.event(message(HARSH, user=user))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral")[-1].body
    button = next(
        e for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": TEAM},
        "trigger_id": "trig-1",
        "response_url": f"{bot.slack.url}response/cmd",
        "container": {"type": "message"},
        "actions": [{"action_id": action_id, "value": button["value"], "type": "button"}],
    }
    status, _, elapsed = bot.interaction(payload)
    assert status == 200 and elapsed < 1.0
    return button


def test_helpful_and_not_helpful_are_recorded(bot: Bot) -> None:
    _nudge_action(bot, "coach_not_helpful")
    reply = responses(bot)[0]
    assert reply["replace_original"] in (True, "true")
    rows = bot.store.db.execute("SELECT verdict, rule FROM feedback ORDER BY rule").fetchall()
    assert {r[0] for r in rows} == {"not_helpful"} and len(rows) == 2
    assert all(r[1] for r in rows)


def test_why_opens_a_modal(bot: Bot) -> None:
    _nudge_action(bot, "coach_why")
    call = bot.slack.wait_for("/api/views.open")[0]
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])
    assert call.body["trigger_id"] == "trig-1" and view["type"] == "modal"
    assert any("blame" in json.dumps(b).lower() or "solution" in json.dumps(b).lower() for b in view["blocks"])


def test_without_coach_managers_workspace_admins_see_the_report(make_bot) -> None:
    bot = make_bot(managers=frozenset())
    people = {"UOWNER": {"is_owner": True, "is_admin": True}, "UAGENT": {"is_admin": False}}
    bot.slack.handlers["/api/users.info"] = lambda call: (
        200,
        {},
        {"ok": True, "user": {"id": call.body["user"], **people[call.body["user"]]}},
    )
    bot.event(message(HARSH, user="UAGENT"))
    bot.slack.wait_for("/api/chat.postEphemeral")
    bot.command("report 7d", user="UAGENT")
    assert "for the managers" in responses(bot)[0]["text"]
    bot.command("report 7d", user="UOWNER")
    assert "<@UAGENT>" in json.dumps(responses(bot, 2)[1]["blocks"])
    bot.command("report 30d", user="UOWNER")
    responses(bot, 3)
    asked = [c.body["user"] for c in bot.slack.calls_to("/api/users.info")]
    assert sorted(asked) == ["UAGENT", "UOWNER"]  # each asked once, then cached


def test_when_slack_cannot_say_who_is_admin_nobody_sees_the_team(make_bot) -> None:
    bot = make_bot(managers=frozenset())
    bot.slack.handlers["/api/users.info"] = lambda call: (200, {}, {"ok": False, "error": "missing_scope"})
    bot.command("report 7d", user="UOWNER")
    assert "for the managers" in responses(bot)[0]["text"]


def test_snooze_silences_nudges_until_the_agents_local_midnight(bot: Bot) -> None:
    offset = -8 * 3600  # San Francisco in winter
    bot.slack.handlers["/api/users.info"] = slack_ok({"user": {"id": "USNOOZE", "tz_offset": offset}})
    _nudge_action(bot, "coach_snooze", user="USNOOZE")
    assert responses(bot)[0]["text"].startswith("Nudges snoozed for today.")
    assert bot.slack.calls_to("/api/users.info")[0].body["user"] == "USNOOZE"
    until = bot.store.db.execute("SELECT until FROM snoozes WHERE user = 'USNOOZE'").fetchone()[0]
    assert (until + offset) % 86_400 == 0 and 0 < until - time.time() <= 86_400  # next local midnight
    bot.event(message("calm down please", user="USNOOZE"))
    bot.settle()
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 1
    assert ("skipped", "snoozed") in bot.store.db.execute("SELECT status, reason FROM nudges").fetchall()
    assert len(bot.store.flags()) == 2  # still counted in team totals


def test_snooze_falls_back_to_utc_midnight_when_slack_cannot_tell_the_time_zone(bot: Bot) -> None:
    bot.slack.handlers["/api/users.info"] = lambda call: (200, {}, {"ok": False, "error": "missing_scope"})
    _nudge_action(bot, "coach_snooze", user="UNOTZ")
    assert "until midnight UTC" in responses(bot)[0]["text"]
    until = bot.store.db.execute("SELECT until FROM snoozes WHERE user = 'UNOTZ'").fetchone()[0]
    assert until % 86_400 == 0 and 0 < until - time.time() <= 86_400


def test_cooldown_stops_nagging(make_bot) -> None:
    bot = make_bot(nudge_cooldown=600)
    bot.event(message(HARSH, user="UQUICK"))
    bot.slack.wait_for("/api/chat.postEphemeral")
    bot.deps.outbox.join()
    bot.event(message("calm down please", user="UQUICK"))
    bot.settle()
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 1


def test_cooldown_holds_for_messages_posted_together(make_bot) -> None:
    """Both arrive before the first nudge is out: the second must still wait its turn."""
    bot = make_bot(nudge_cooldown=600)
    slow = threading.Event()
    bot.slack.handlers["/api/chat.postEphemeral"] = lambda call: (slow.wait(0.5), (200, {}, {"ok": True}))[1]
    with ThreadPoolExecutor(3) as pool:
        list(
            pool.map(
                lambda text: bot.event(message(text, user="UFAST")),
                [HARSH, "calm down please", "That's not our fault."],
            )
        )
    bot.settle()
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 1
    rows = bot.store.db.execute("SELECT status, reason FROM nudges ORDER BY id").fetchall()
    assert sorted(rows) == [("sent", ""), ("skipped", "cooldown"), ("skipped", "cooldown")]


def test_failed_nudge_is_counted_and_starts_no_cooldown(make_bot) -> None:
    bot = make_bot(nudge_cooldown=600)
    bot.slack.handlers["/api/chat.postEphemeral"] = lambda call: (200, {}, {"ok": False, "error": "channel_not_found"})
    bot.event(message(HARSH, user="ULOST"))
    bot.slack.wait_for("/api/chat.postEphemeral")
    bot.deps.outbox.join()
    bot.event(message("calm down please", user="ULOST"))
    bot.slack.wait_for("/api/chat.postEphemeral", 2)
    bot.deps.outbox.join()
    rows = bot.store.db.execute("SELECT status, reason FROM nudges ORDER BY id").fetchall()
    assert rows == [("failed", "channel_not_found"), ("failed", "channel_not_found")]


def test_message_shortcut_coaches_any_message(bot: Bot) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "coach_this_reply",
        "trigger_id": "t",
        "user": {"id": "U1"},
        "team": {"id": TEAM},
        "channel": {"id": "C1"},
        "response_url": f"{bot.slack.url}response/cmd",
        "message": {"type": "message", "user": "U2", "text": "Not my department, talk to billing.", "ts": "1.0"},
    }
    status, _, _ = bot.interaction(payload)
    assert status == 200
    reply = responses(bot)[0]
    assert reply["response_type"] == "ephemeral" and "Not my department" in reply["text"]
    assert bot.store.flags() == []


def test_home_tab_for_manager_and_agent(bot: Bot) -> None:
    bot.event(message(HARSH, user="UAGENT"))
    bot.slack.wait_for("/api/chat.postEphemeral")
    bot.event({"type": "app_home_opened", "user": MANAGER, "tab": "home", "channel": "D1"})
    bot.event({"type": "app_home_opened", "user": "UAGENT", "tab": "home", "channel": "D2"})
    calls = bot.slack.wait_for("/api/views.publish", 2)
    by_user = {c.body["user_id"]: c.body["view"] for c in calls}
    manager_view = json.dumps(by_user[MANAGER])
    # The agent is one to pick for a drill-down, not a row of a leaderboard.
    assert "Team dashboard" in manager_view and '"value": "UAGENT"' in manager_view and "By agent" not in manager_view
    agent_view = json.dumps(by_user["UAGENT"])
    assert "Your coaching record" in agent_view and "How we talk to customers" in agent_view
    assert len(by_user["UAGENT"]["blocks"]) <= 100


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_http_command_serves_and_reports_missing_tokens(slack: FakeServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    env.update({"SLACK_API_URL": slack.url + "api/", "COACH_DB": str(tmp_path / "run.db")})
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--http"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "Error: SLACK_BOT_TOKEN is not set: it needs the bot token from OAuth & Permissions (see .env.example)"
    )
    port = _free_port()
    env.update({"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": SECRET})
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        import http.client

        deadline = time.time() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "server did not start"
                time.sleep(0.05)
        assert response.status == 200
        assert slack.calls_to("/api/auth.test")  # the app checked its token against SLACK_API_URL
    finally:
        proc.terminate()
        proc.wait(timeout=10)
