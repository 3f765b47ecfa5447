"""The real Bolt app over real HTTP (waitress), its WebClient pointed at a local fake Slack."""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.slack.server import HttpServer
from bot.store import Store
from tests.fakes import Call, FakeServer

SECRET = "8f742231b10e8888abcd99aaa85a5f0e"
TOKEN = "xoxb-1111-2222-testtoken"
BOT_USER = "UBOT"
TEAM = "T1"
MANAGER = "UMANAGER"


def slack_ok(extra: dict[str, Any] | None = None):
    def reply(call: Call):
        return 200, {}, {"ok": True, **(extra or {})}

    return reply


@dataclass
class Bot:
    url: str
    port: int
    slack: FakeServer
    store: Store
    deps: Deps
    server: HttpServer

    def request(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> tuple[int, bytes, float]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature or SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            **(headers or {}),
        }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        started = time.monotonic()
        conn.request("POST", "/slack/events", body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.monotonic() - started
        conn.close()
        return response.status, data, elapsed

    def event(
        self, event: dict[str, Any], event_id: str = "", headers: dict[str, str] | None = None, **kwargs: Any
    ) -> tuple[int, bytes, float]:
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            "event": event,
        }
        return self.request(json.dumps(body).encode(), "application/json", headers, **kwargs)

    def form(self, fields: dict[str, str]) -> tuple[int, bytes, float]:
        return self.request(urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def command(self, text: str, user: str = "U1") -> tuple[int, bytes, float]:
        return self.form(
            {
                "command": "/coach",
                "text": text,
                "user_id": user,
                "team_id": TEAM,
                "channel_id": "C1",
                "response_url": f"{self.slack.url}response/cmd",
                "trigger_id": "t1",
            }
        )

    def interaction(self, payload: dict[str, Any]) -> tuple[int, bytes, float]:
        return self.form({"payload": json.dumps(payload)})

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until everything the requests so far set off is done: the listeners (they run
        after the ack), the flag writes, then the Slack calls and their callbacks. Twice, since
        a late flag write can queue a call. A test that checks nothing happened waits for this,
        not for a guessed number of seconds."""
        for _ in range(2):
            assert self.deps.listeners is not None and self.deps.listeners.join(timeout), "listeners still busy"
            assert self.deps.writer is None or self.deps.writer.join(timeout), "flag writes still queued"
            assert self.deps.outbox.join(timeout), "Slack calls still queued"

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()


def message(text: str, user: str = "U1", channel: str = "C1", ts: str | None = None, **extra: Any) -> dict:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts or f"{time.time():.6f}",
        "channel_type": "channel",
        **extra,
    }


@pytest.fixture
def slack() -> Iterator[FakeServer]:
    with FakeServer() as server:
        server.handlers["/api/auth.test"] = slack_ok(
            {
                "user_id": BOT_USER,
                "bot_id": "BBOT",
                "team_id": TEAM,
                "user": "support-coach",
                "url": "https://t1.slack.com/",
            }
        )
        server.handlers["/api/chat.postEphemeral"] = slack_ok({"message_ts": "1.1"})
        server.handlers["/api/chat.postMessage"] = slack_ok({"ts": "2.2", "channel": "C1"})
        server.handlers["/api/chat.getPermalink"] = slack_ok({"permalink": "https://t1.slack.com/archives/C1/p1"})
        yield server


@pytest.fixture
def make_bot(slack: FakeServer, tmp_path: Path):
    made: list[Bot] = []

    def build(**overrides: Any) -> Bot:
        options: dict[str, Any] = {
            "slack_bot_token": TOKEN,
            "slack_signing_secret": SECRET,
            "slack_api_url": slack.url + "api/",
            "db_path": tmp_path / "coach.db",
            "managers": frozenset({MANAGER}),
            "nudge_cooldown": 0,
        }
        settings = Settings(**{**options, **overrides})
        store = Store(settings.db_path)
        app, deps = create_app(settings, store, Coach())
        server = HttpServer(app, deps, host="127.0.0.1", port=0).start()
        bot = Bot(f"http://127.0.0.1:{server.port}", server.port, slack, store, deps, server)
        made.append(bot)
        return bot

    yield build
    for bot in made:
        bot.server.stop()
        bot.deps.outbox.close()
        bot.store.close()


@pytest.fixture
def bot(make_bot) -> Bot:
    return make_bot()
