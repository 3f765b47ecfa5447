"""Event benchmark: the real app in HTTP mode (waitress) against a local fake Slack Web API.

300 signed message events from 20 concurrent connections, 10% harsh. Prints p50/p99 ack
latency, p50/p99 delay from sending an event to its chat.postEphemeral arriving, and the
count of lost or duplicated nudges. Targets (2 cores): ack p99 < 100 ms, nudge p99 < 250 ms,
zero lost or duplicated nudges. All traffic stays on 127.0.0.1.

The bot runs as its own process (`support-coach run --http`, as in production); the load
generator and the fake Slack API share this one, so neither steals the bot's interpreter.

Run: python bench/bench_events.py [--events 300] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import CLEAN, HARSH  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.coach import Coach  # noqa: E402
from tests.fakes import Call, FakeServer  # noqa: E402

SECRET = "8f742231b10e8888abcd99aaa85a5f0e"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--harsh", type=float, default=0.10)
    args = parser.parse_args()
    rng = random.Random(3)
    verifier = SignatureVerifier(SECRET)
    received: multiprocessing.Queue = multiprocessing.Queue()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    slack_process = multiprocessing.Process(target=fake_slack, args=(ready, received), daemon=True)
    slack_process.start()
    slack_url = ready.get(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
        env.update({"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "COACH_NUDGE_COOLDOWN": "0",
                    # the bot's own latency is measured here; pacing at Slack's rate has bench_http_hardening
                    "COACH_NUDGE_RATE": "1000000", "COACH_NUDGE_BURST": "1000000",
                    "SLACK_API_URL": slack_url + "api/", "COACH_DB": str(Path(tmp) / "bench.db")})
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        wait_until_healthy(port, bot)
        coach = Coach()
        events = []
        for i in range(args.events):
            harsh = i % round(1 / args.harsh) == 0
            text = rng.choice(HARSH if harsh else CLEAN).format(name="Sam", company="Acme", n=rng.randrange(10**5),
                                                                 small=rng.randrange(40), tiny=rng.randrange(9))
            events.append((f"U{i:05d}", harsh, text, f"{1_760_000_000 + i}.000100"))
        sent_at: dict[str, float] = {}
        ack_ms: list[float] = []
        local = threading.local()

        def send(event: tuple[str, bool, str, str]) -> None:
            user, _harsh, text, ts = event
            body = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": f"Ev{ts}",
                               "event": {"type": "message", "channel": "C1", "channel_type": "channel",
                                         "user": user, "text": text, "ts": ts}}).encode()
            stamp = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body)}
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            started = time.monotonic()
            sent_at[user] = time.time()
            conn.request("POST", "/slack/events", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ack_ms.append((time.monotonic() - started) * 1000)
            if response.status != 200:
                print(f"unexpected status {response.status}", file=sys.stderr)

        started = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(send, events))
        wall = time.monotonic() - started
        expected = {user for user, harsh, text, _ in events if coach.analyse(text).flagged}
        nudges: list[tuple[str, float]] = []
        deadline = time.monotonic() + 10
        while len(nudges) < len(expected) and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                nudges.append(received.get(timeout=0.2))
        time.sleep(1.0)  # room for any duplicate to show up
        while not received.empty():
            nudges.append(received.get())
        users = [user for user, _at in nudges]
        nudge_ms = [(at - sent_at[user]) * 1000 for user, at in nudges]
        lost = len(expected - set(users))
        duplicated = len(users) - len(set(users))
        print(f"{args.events} events, {args.concurrency} connections, {len(expected)} flagged, wall {wall:.2f} s")
        print(f"ack latency: p50 {statistics.median(ack_ms):.1f} ms, p99 {percentile(ack_ms, 99):.1f} ms "
              f"(target p99 < 100 ms)")
        if nudge_ms:
            print(f"event -> chat.postEphemeral: p50 {statistics.median(nudge_ms):.1f} ms, "
                  f"p99 {percentile(nudge_ms, 99):.1f} ms (target p99 < 250 ms)")
        print(f"nudges lost: {lost}, duplicated: {duplicated} (target 0 and 0)")
        bot.terminate()
        bot.wait(timeout=10)
    slack_process.terminate()


def fake_slack(ready: multiprocessing.Queue, received: multiprocessing.Queue) -> None:
    """Slack's Web API in its own process, as the real one is: it reports when each nudge arrives."""

    def ephemeral(call: Call) -> tuple[int, dict[str, str], dict[str, object]]:
        received.put((call.body.get("user"), time.time()))
        return 200, {}, {"ok": True, "message_ts": "1.1"}

    with FakeServer() as slack:
        slack.handlers["/api/auth.test"] = lambda c: (200, {}, {"ok": True, "user_id": "UBOT", "team_id": "T1",
                                                                 "bot_id": "B1", "url": "https://bench.slack.com/"})
        slack.handlers["/api/chat.postEphemeral"] = ephemeral
        ready.put(slack.url)
        threading.Event().wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(port: int, bot: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            raise SystemExit("the bot exited before it was ready")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the bot did not become healthy in time")


if __name__ == "__main__":
    main()
