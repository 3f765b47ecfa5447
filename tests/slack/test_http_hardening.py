"""Issue 13, points 2, 4 and 8 (unmatched interactivity): HTTP mode against hostile traffic.

Everything runs against the real waitress server and the real Bolt app; timings are left to
bench/bench_http_hardening.py, the timeouts here are only generous functional bounds.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.fakes import FakeServer
from tests.slack.conftest import SECRET, TEAM, Bot, message

HARSH = "Hi Sam, as I already said, you should have read the setup guide."


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
    assert "Traceback" not in caplog.text


@contextmanager
def idle_sockets(port: int, count: int, drip: int = 0) -> Iterator[list[socket.socket]]:
    """``count`` connections that never send a byte, ``drip`` that send half a request."""
    opened: list[socket.socket] = []
    try:
        for i in range(count + drip):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i >= count:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


def healthz(port: int, timeout: float = 10.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/healthz")
    status = conn.getresponse().status
    conn.close()
    return status


# --- point 4: no 500 and no traceback before (or after) the signature check ------------------

UNSIGNED_BODIES = [
    (b"[1]", "application/json"),
    (b"null", "application/json"),
    (b'"x"', "application/json"),
    (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "application/json"),
    (b"\xff\xfe{}", "application/json"),
]
SIGNED_BODIES = UNSIGNED_BODIES[:-1]  # the test client signs text; a non-UTF-8 body is only sent unsigned


@pytest.mark.parametrize(("body", "content_type"), UNSIGNED_BODIES)
def test_badly_signed_odd_bodies_get_401_without_a_traceback(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    status, _, _ = bot.request(body, content_type, signature="v0=" + "0" * 64)
    assert status == 401
    no_tracebacks(caplog)


@pytest.mark.parametrize(("body", "content_type"), SIGNED_BODIES)
def test_signed_bodies_that_are_not_objects_get_400_without_a_traceback(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    status, _, _ = bot.request(body, content_type)
    assert status == 400
    no_tracebacks(caplog)


def test_non_numeric_timestamp_is_401(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "event": message(HARSH)}).encode()
    for stamp in ("abc", "", "12.5", "1e9", "-5", str(int(time.time())) + "x"):
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        status, _, _ = bot.request(
            body, "application/json", headers={"X-Slack-Request-Timestamp": stamp}, signature=signature
        )
        assert status == 401, stamp
    no_tracebacks(caplog)
    assert bot.store.flags() == []


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": TEAM}, "actions": []},
        {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": TEAM}, "actions": [1]},
        {"type": "block_actions", "user": ["U1"], "team": {"id": TEAM}, "actions": [{"action_id": "coach_helpful"}]},
        {"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "x"}},
        {"type": "event_callback", "team_id": TEAM, "event": "message"},
        {"type": "event_callback", "team_id": TEAM, "event": {"type": "message", "message": 5}},
        {"type": "event_callback", "team_id": TEAM, "authorizations": [1], "event": {"type": "message"}},
    ],
)
def test_signed_payloads_of_odd_shape_are_answered_without_a_traceback(
    bot: Bot, caplog: pytest.LogCaptureFixture, payload: dict
) -> None:
    caplog.set_level(logging.INFO)
    if payload["type"] == "event_callback":
        status, _, _ = bot.request(json.dumps(payload).encode(), "application/json")
    else:
        status, _, _ = bot.interaction(payload)
    assert status in (200, 400, 401)
    bot.settle()  # listeners run after the ack: let them finish, or fail if they would
    no_tracebacks(caplog)
    status, _, _ = bot.event(message(HARSH))  # and the app still works
    assert status == 200 and bot.slack.wait_for("/api/chat.postEphemeral")


# --- point 8: unmatched interactivity gets an ack, not Bolt's 404 ---------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {
            "type": "view_submission",
            "user": {"id": "U1"},
            "team": {"id": TEAM},
            "trigger_id": "t",
            "view": {"id": "V1", "type": "modal", "callback_id": "some_old_modal", "state": {"values": {}}},
        },
        {
            "type": "view_closed",
            "user": {"id": "U1"},
            "team": {"id": TEAM},
            "view": {"id": "V1", "type": "modal", "callback_id": "coach_why_modal"},
        },
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "team": {"id": TEAM},
            "trigger_id": "t",
            "actions": [{"action_id": "an_unknown_button", "type": "button", "value": "x"}],
        },
        {
            "type": "shortcut",
            "callback_id": "an_unknown_shortcut",
            "user": {"id": "U1"},
            "team": {"id": TEAM},
            "trigger_id": "t",
        },
    ],
)
def test_unmatched_interactivity_is_acknowledged(bot: Bot, caplog: pytest.LogCaptureFixture, payload: dict) -> None:
    caplog.set_level(logging.INFO)
    status, body, _ = bot.interaction(payload)
    assert status == 200, body
    no_tracebacks(caplog)


# --- point 2: a few sockets cannot take HTTP mode offline ------------------------------------


def test_oversized_bodies_get_413_before_they_are_sent(bot: Bot) -> None:
    for length in (2_000_000, 1_048_577):
        with socket.create_connection(("127.0.0.1", bot.port), timeout=10) as sock:
            sock.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % length
            )  # the body never comes
            assert sock.recv(64).startswith(b"HTTP/1.1 413"), length
    status, _, _ = bot.event(message(HARSH))
    assert status == 200


def test_150_idle_connections_leave_healthz_and_events_answering(bot: Bot) -> None:
    with idle_sockets(bot.port, 150, drip=10):
        time.sleep(0.3)  # let waitress accept them all
        assert healthz(bot.port) == 200
        status, _, _ = bot.event(message(HARSH, user="UIDLE"))
        assert status == 200
        assert [c.body["user"] for c in bot.slack.wait_for("/api/chat.postEphemeral")] == ["UIDLE"]


def test_limits_are_settable_and_silent_connections_are_closed(make_bot) -> None:
    bot = make_bot(http_connection_limit=20, http_channel_timeout=1, http_cleanup_interval=1)
    adj = bot.server.server.adj
    assert (adj.connection_limit, adj.channel_timeout, adj.cleanup_interval) == (20, 1, 1)
    with idle_sockets(bot.port, 25):  # more than the limit: only closing idle ones frees a slot
        assert healthz(bot.port, timeout=15) == 200


def test_default_limits_are_chosen_for_a_proxy(bot: Bot) -> None:
    adj = bot.server.server.adj
    assert adj.connection_limit >= 1000 and adj.channel_timeout <= 30 and adj.cleanup_interval <= 10
    assert adj.max_request_body_size <= 1_048_577


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_http_listens_on_localhost_by_default(slack: FakeServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    env.update(
        {
            "SLACK_API_URL": slack.url + "api/",
            "COACH_DB": str(tmp_path / "run.db"),
            "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
            "SLACK_SIGNING_SECRET": SECRET,
        }
    )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                assert healthz(port, timeout=2) == 200
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "server did not start"
                time.sleep(0.05)
        listening = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert f"HTTP on 127.0.0.1:{port}" in output
    if listening.strip():  # ss is there: the socket itself is bound to loopback only
        assert f"127.0.0.1:{port}" in listening and f"0.0.0.0:{port}" not in listening
