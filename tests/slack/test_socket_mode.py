"""Socket Mode end to end: the real `support-coach run` process, Slack faked on 127.0.0.1.

The Web API (auth.test, apps.connections.open, chat.postEphemeral, response_url) is the
HTTP fake; the websocket that apps.connections.open hands out is a real websocket server
speaking Slack's envelope protocol. Nothing of ours is mocked.
"""

from __future__ import annotations

import json
import os
import socket as socket_module
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import FakeServer, FakeSocketMode
from tests.slack.conftest import BOT_USER, TEAM, TOKEN, slack_ok

APP_TOKEN = "xapp-1-A1-1234-socketmode"
HARSH = "As I already said, you should have read the docs before opening a ticket."


@pytest.fixture
def socket_slack(slack: FakeServer) -> Iterator[tuple[FakeServer, FakeSocketMode]]:
    with FakeSocketMode() as socket:
        slack.handlers["/api/apps.connections.open"] = slack_ok({"url": socket.url})
        yield slack, socket


def _env(slack: FakeServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    env.update(
        {
            "SLACK_API_URL": slack.url + "api/",
            "COACH_DB": str(tmp_path / "socket.db"),
            "SLACK_BOT_TOKEN": TOKEN,
            "COACH_NUDGE_COOLDOWN": "0",
            **extra,
        }
    )
    return env


@pytest.fixture
def metrics_port() -> int:
    return _free_port()


@pytest.fixture
def running_bot(socket_slack, tmp_path: Path, metrics_port: int) -> Iterator[tuple[FakeServer, FakeSocketMode, Path]]:
    slack, socket = socket_slack
    env = _env(slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN, COACH_METRICS_PORT=str(metrics_port))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        if not socket.wait_connected(timeout=30):
            proc.terminate()
            pytest.fail(f"the bot never opened the websocket:\n{proc.communicate(timeout=10)[0]}")
        yield slack, socket, tmp_path / "socket.db"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
        assert "Traceback" not in output, output
        assert HARSH not in output and TOKEN not in output and APP_TOKEN not in output  # nothing private logged


def _event(text: str, user: str, ts: str, event_id: str) -> dict:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        "event": {"type": "message", "channel": "C1", "channel_type": "channel", "user": user, "text": text, "ts": ts},
    }


def _wait_for_metric(port: int, line: str, timeout: float = 10.0) -> str:
    """Scrape the bot's metrics until ``line`` shows and no listener is busy: how a test knows the
    other process has finished with an event, instead of sleeping and hoping."""
    deadline, text = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
        if line in text.splitlines() and "coach_listeners_busy 0.0" in text.splitlines():
            return text
        time.sleep(0.02)
    raise AssertionError(f"{line!r} never appeared in the metrics:\n{text}")


def _flags(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT agent, ts FROM flags ORDER BY ts").fetchall()


def test_socket_mode_connects_with_the_app_token(running_bot) -> None:
    slack, socket, _db = running_bot
    opened = slack.calls_to("/api/apps.connections.open")
    assert opened and opened[0].headers["authorization"] == f"Bearer {APP_TOKEN}"  # not the bot token
    assert socket.paths == ["/link/?ticket=test-ticket"]
    assert slack.calls_to("/api/auth.test")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_harsh_message_is_acked_nudged_privately_and_stored_once(running_bot, metrics_port: int) -> None:
    slack, socket, db = running_bot
    socket.push("events_api", _event(HARSH, "UAGENT", "1760000000.000100", "Ev1"), "env-1")
    assert socket.wait_for_ack("env-1") == {"envelope_id": "env-1"}
    nudge = slack.wait_for("/api/chat.postEphemeral")[0].body
    assert nudge["user"] == "UAGENT" and nudge["channel"] == "C1"
    assert "already said" in str(nudge["blocks"]).lower()
    # Slack redelivers an unacknowledged envelope with retry_attempt set: no second nudge or flag.
    socket.push("events_api", _event(HARSH, "UAGENT", "1760000000.000100", "Ev1"), "env-2", retry_attempt=1)
    assert socket.wait_for_ack("env-2") == {"envelope_id": "env-2"}
    _wait_for_metric(metrics_port, 'coach_events_ignored_total{reason="duplicate"} 1.0')  # the retry: handled
    assert len(slack.calls_to("/api/chat.postEphemeral")) == 1
    assert _flags(db) == [("UAGENT", "1760000000.000100")]


def test_clean_message_is_acked_and_gets_silence(running_bot, metrics_port: int) -> None:
    slack, socket, db = running_bot
    socket.push(
        "events_api",
        _event("Thanks for waiting! The fix is live now.", "UAGENT", "1760000001.000100", "Ev2"),
        "env-clean",
    )
    assert socket.wait_for_ack("env-clean") == {"envelope_id": "env-clean"}
    _wait_for_metric(metrics_port, "coach_detect_seconds_count 1.0")  # analysed: nothing comes after
    assert slack.calls_to("/api/chat.postEphemeral") == [] and _flags(db) == []


def test_slash_command_over_the_socket_answers_through_response_url(running_bot) -> None:
    slack, socket, _db = running_bot
    slack.handlers["/response/cmd"] = slack_ok()
    socket.push(
        "slash_commands",
        {
            "command": "/coach",
            "text": HARSH,
            "user_id": "UAGENT",
            "team_id": TEAM,
            "channel_id": "C9",
            "response_url": f"{slack.url}response/cmd",
            "trigger_id": "t1",
        },
        "env-cmd",
    )
    ack = socket.wait_for_ack("env-cmd")
    assert ack is not None and ack["envelope_id"] == "env-cmd"
    answer = slack.wait_for("/response/cmd")[0].body
    assert answer["response_type"] == "ephemeral"  # the draft's author only
    spotted, rewrite = answer["text"].split("Spotted:")[1], answer["text"].split("Try instead:")[1]
    assert "already said" in spotted.lower() and "blame" in spotted
    assert "already said" not in rewrite.lower() and "should have" not in rewrite.lower()


def test_reconnects_when_slack_recycles_the_connection(running_bot) -> None:
    slack, socket, db = running_bot
    socket.disconnect()
    assert socket.wait_connected(count=2, timeout=30), "the bot did not reconnect"
    assert len(slack.calls_to("/api/apps.connections.open")) >= 2  # a fresh URL for the new connection
    socket.push("events_api", _event(HARSH, "UAFTER", "1760000002.000100", "Ev3"), "env-after")
    assert socket.wait_for_ack("env-after") == {"envelope_id": "env-after"}
    assert slack.wait_for("/api/chat.postEphemeral")[0].body["user"] == "UAFTER"
    assert _flags(db) == [("UAFTER", "1760000002.000100")]


def test_run_without_the_app_token_names_it_in_one_line(socket_slack, tmp_path: Path) -> None:
    slack, _socket = socket_slack
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=_env(slack, tmp_path, SLACK_APP_TOKEN="xoxb-wrong"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0] and "xapp-" in lines[0], bad.stderr


def _free_port() -> int:
    with socket_module.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_socket_mode_serves_metrics_on_its_own_port_and_logs_json(socket_slack, tmp_path: Path) -> None:
    """No HTTP server in Socket Mode: COACH_METRICS_PORT is how Prometheus scrapes it."""
    slack, socket = socket_slack
    port = _free_port()
    env = _env(slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN, COACH_METRICS_PORT=str(port), COACH_LOG_FORMAT="json")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert socket.wait_connected(timeout=30), "the bot never opened the websocket"
        socket.push("events_api", _event(HARSH, "UMETRIC", "1760000003.000100", "Ev4"), "env-metrics")
        assert socket.wait_for_ack("env-metrics") == {"envelope_id": "env-metrics"}
        slack.wait_for("/api/chat.postEphemeral")
        text = _wait_for_metric(port, "coach_nudges_sent_total 1.0")
        assert 'coach_events_received_total{kind="event"} 1.0' in text
        assert 'coach_events_acked_total{kind="event"} 1.0' in text
        assert "coach_nudges_sent_total 1.0" in text and 'coach_flags_total{severity="' in text
        assert "UMETRIC" not in text and "already said" not in text
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    logged = [line for line in output.splitlines() if not line.startswith("support-coach:")]
    assert logged, output
    entries = [json.loads(line) for line in logged]  # every log line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    assert f"support-coach: metrics on 127.0.0.1:{port}" in output
    assert "Traceback" not in output and HARSH not in output and TOKEN not in output and APP_TOKEN not in output
