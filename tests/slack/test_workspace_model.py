"""The bot loads the workspace's own model (train --with-feedback) when its file is there: the
real `support-coach run --http` process, a signed event, the fake Slack Web API.

The model here is made by hand to flag every message of two words or more as disparaging, so
that a message the bundled model leaves alone is nudged only if the workspace model is in use.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bot.coaching.coach import Coach
from bot.coaching.model import OUTPUTS, LearnedModel, save_model
from bot.feedback_training import workspace_model_path
from tests.fakes import FakeServer
from tests.slack.conftest import SECRET, TEAM

CLEAN = "Your refund went out this morning, it should land within two days."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(port: int, body: bytes) -> int:
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body),
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/slack/events", body=body, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_run_loads_the_workspace_model_next_to_the_database(slack: FakeServer, tmp_path: Path) -> None:
    assert not Coach().analyse(CLEAN).flagged  # the bundled model leaves it alone
    bias = tuple(8.0 if name in ("flag", "disparaging") else -8.0 for name in OUTPUTS)
    db = tmp_path / "coach.db"
    save_model(
        LearnedModel(
            weights={},
            bias=bias,
            thresholds={"flag": 0.5, "evidence": 0.1, "category": 0.7},
            meta={"trained_on": {"workspace_feedback": 1}},
        ),
        workspace_model_path(db),
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    env.update(
        {
            "SLACK_API_URL": slack.url + "api/",
            "COACH_DB": str(db),
            "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
            "SLACK_SIGNING_SECRET": SECRET,
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.05)
        event = {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "EvModel1",
            "event": {
                "type": "message",
                "channel": "C0MODEL",
                "channel_type": "channel",
                "user": "UAGENT",
                "text": CLEAN,
                "ts": "1762400000.000100",
            },
        }
        assert _post(port, json.dumps(event).encode()) == 200
        nudges = slack.wait_for("/api/chat.postEphemeral", 1, timeout=20)
        assert nudges and nudges[0].body["user"] == "UAGENT"
        actions = next(b for b in nudges[0].body["blocks"] if b["type"] == "actions")
        assert json.loads(actions["elements"][0]["value"])["r"] == ["learned-disparaging"]
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert f"learned stage from the workspace model {workspace_model_path(db)}" in output
