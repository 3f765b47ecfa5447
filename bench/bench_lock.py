"""Lock benchmark: another process holds SQLite's exclusive lock for 30 s while harsh messages arrive.

The bot runs as in production (`support-coach run --http`, default settings: 10 s busy
timeout, retries for 120 s) against a local fake Slack Web API. While a second process holds
``BEGIN EXCLUSIVE`` on COACH_DB, signed harsh events arrive spread over the lock. Prints how
many flags and nudges were lost or duplicated, the ack latency, what /healthz said during the
lock, and how long after the lock every flag was stored and nudged.
Target: 0 flags lost, 0 nudges lost or duplicated, acks < 1 s, /healthz 503 during the lock.

Run: python bench/bench_lock.py [--lock 30] [--events 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from tests.fakes import Call, FakeServer  # noqa: E402

SECRET = "8f742231b10e8888abcd99aaa85a5f0e"
HARSH = "Hi Sam, as I already said, you should have read the setup guide."
LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", time.time(), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=float, default=30.0, help="seconds the other process holds the lock")
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    verifier = SignatureVerifier(SECRET)
    nudged: list[tuple[str, float]] = []

    def ephemeral(call: Call) -> tuple[int, dict[str, str], dict[str, object]]:
        nudged.append((str(call.body.get("user")), time.time()))
        return 200, {}, {"ok": True, "message_ts": "1.1"}

    with tempfile.TemporaryDirectory() as tmp, FakeServer() as slack:
        slack.handlers["/api/auth.test"] = lambda c: (
            200,
            {},
            {"ok": True, "user_id": "UBOT", "team_id": "T1", "bot_id": "B1", "url": "https://bench.slack.com/"},
        )
        slack.handlers["/api/chat.postEphemeral"] = ephemeral
        db = Path(tmp) / "bench.db"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
        env.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "COACH_NUDGE_COOLDOWN": "0",
                "SLACK_API_URL": slack.url + "api/",
                "COACH_DB": str(db),
            }
        )
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until_healthy(port, bot)
            locker = subprocess.Popen(
                [sys.executable, "-c", LOCKER, str(db), str(args.lock)], stdout=subprocess.PIPE, text=True
            )
            assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
            locked_at = time.time()
            acks: list[float] = []
            health: list[int] = []
            spacing = args.lock * 0.8 / max(args.events - 1, 1)
            for i in range(args.events):
                acks.append(post_event(port, verifier, f"U{i:04d}", f"{1_762_000_000 + i}.000100"))
                health.append(get_status(port, "/healthz"))
                time.sleep(spacing)
            word, stamp = locker.stdout.readline().split()
            assert word == "released"
            released_at = float(stamp)  # the other process's own clock reading at COMMIT
            locker.wait(timeout=30)
            deadline = time.time() + 150
            while len(nudged) < args.events and time.time() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)  # room for any duplicate
            drained = (max(at for _, at in nudged) - released_at) if nudged else float("nan")
            healthy_after = get_status(port, "/healthz")
        finally:
            bot.terminate()
            _, log = bot.communicate(timeout=30)
        conn = sqlite3.connect(db)
        flags = conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
        sent = conn.execute("SELECT COUNT(*) FROM nudges WHERE status = 'sent'").fetchone()[0]
        conn.close()
        users = [user for user, _ in nudged]
        print(
            f"another process held the exclusive lock for {released_at - locked_at:.1f} s; "
            f"{args.events} harsh events arrived during it"
        )
        print(
            f"acks: max {max(acks) * 1000:.0f} ms (target < 1 s); /healthz during the lock: "
            f"{sorted(set(health))} (503 expected), after: {healthy_after}"
        )
        print(f"flags stored: {flags} of {args.events}, lost: {args.events - flags} (target 0)")
        print(
            f"nudges sent: {len(set(users))}, lost: {args.events - len(set(users))}, "
            f"duplicated: {len(users) - len(set(users))}, recorded as sent: {sent} (target 0 lost, 0 duplicated)"
        )
        print(f"every flag stored and nudged {drained:.1f} s after the lock was released")
        retry_lines = [line for line in log.splitlines() if "spool" in line or "lost" in line or "again" in line]
        for line in retry_lines[-3:]:
            print("log:", line.split(": ", 1)[-1][:160])


def post_event(port: int, verifier: SignatureVerifier, user: str, ts: str) -> float:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": f"Ev{ts}",
            "event": {
                "type": "message",
                "channel": "C1",
                "channel_type": "channel",
                "user": user,
                "text": HARSH,
                "ts": ts,
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.monotonic()
    conn.request("POST", "/slack/events", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        print(f"unexpected status {response.status}", file=sys.stderr)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(port: int, bot: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            raise SystemExit("the bot exited before it was ready")
        try:
            if get_status(port, "/healthz") == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the bot did not become healthy in time")


def get_status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


if __name__ == "__main__":
    main()
