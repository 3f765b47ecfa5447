"""HTTP mode under hostile load: idle sockets, a flood of signed events, and pacing.

The bot runs as its own process (`support-coach run --http`) against a local fake Slack Web
API. 150 idle connections and 10 half-sent requests are opened first; then a flood of signed
message events (2,000 at concurrency 50, 10% harsh) while a prober asks GET /healthz and
sends one signed event on a fresh connection every 200 ms. Prints the prober's latencies
(target: every answer < 1 s), the flood's ack latency, and what the outbox reports about
pacing (nudges delayed or dropped for rate at COACH_NUDGE_RATE). All traffic stays on
127.0.0.1.

Run: python bench/bench_http_hardening.py [--events 2000] [--concurrency 50] [--idle 150]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
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

from bench_events import SECRET, fake_slack, free_port, percentile, wait_until_healthy  # noqa: E402
from corpus import CLEAN, HARSH  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402


def signed_event(verifier: SignatureVerifier, user: str, text: str, ts: str) -> tuple[bytes, dict[str, str]]:
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
                "text": text,
                "ts": ts,
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    return body, {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
    }


def timed(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--idle", type=int, default=150)
    parser.add_argument("--rate", type=int, default=100, help="COACH_NUDGE_RATE for the bot (a minute)")
    args = parser.parse_args()
    verifier = SignatureVerifier(SECRET)
    received: multiprocessing.Queue = multiprocessing.Queue()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    slack_process = multiprocessing.Process(target=fake_slack, args=(ready, received), daemon=True)
    slack_process.start()
    slack_url = ready.get(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
        env.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "COACH_NUDGE_COOLDOWN": "0",
                "COACH_NUDGE_RATE": str(args.rate),
                "SLACK_API_URL": slack_url + "api/",
                "COACH_DB": str(Path(tmp) / "bench.db"),
            }
        )
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--http", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_healthy(port, bot)
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(args.idle)]
        for _ in range(10):
            drip = socket.create_connection(("127.0.0.1", port), timeout=5)
            drip.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
            idle.append(drip)
        time.sleep(0.5)

        stop = threading.Event()
        probes: dict[str, list[float]] = {"healthz": [], "event": []}
        failures: list[str] = []

        def probe() -> None:
            n = 0
            while not stop.is_set():
                status, seconds = timed(port, "GET", "/healthz")
                probes["healthz"].append(seconds)
                if status != 200:
                    failures.append(f"healthz {status}")
                body, headers = signed_event(
                    verifier, f"UPROBE{n}", "Your refund is on its way, Sam.", f"{1_770_000_000 + n}.000200"
                )
                status, seconds = timed(port, "POST", "/slack/events", body, headers)
                probes["event"].append(seconds)
                if status != 200:
                    failures.append(f"event {status}")
                n += 1
                stop.wait(0.2)

        local = threading.local()
        ack: list[float] = []

        def send(i: int) -> None:
            harsh = i % 10 == 0
            text = (HARSH if harsh else CLEAN)[i % 7].format(name="Sam", company="Acme", n=i, small=i % 40, tiny=i % 9)
            body, headers = signed_event(verifier, f"U{i:05d}", text, f"{1_760_000_000 + i}.000100")
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.monotonic()
            conn.request("POST", "/slack/events", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ack.append(time.monotonic() - started)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        started = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(send, range(args.events)))
        wall = time.monotonic() - started
        time.sleep(1.0)
        stop.set()
        prober.join(timeout=30)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        outbox = json.loads(conn.getresponse().read()).get("outbox", {})
        for sock in idle:
            sock.close()
        print(
            f"{args.idle} idle + 10 half-sent connections; {args.events} events at concurrency "
            f"{args.concurrency}, wall {wall:.2f} s"
        )
        for name, values in probes.items():
            if values:
                print(
                    f"probe {name}: {len(values)} answered, p50 {statistics.median(values) * 1000:.0f} ms, "
                    f"max {max(values) * 1000:.0f} ms (target < 1000 ms)"
                )
        print(f"flood ack: p50 {statistics.median(ack) * 1000:.0f} ms, p99 {percentile(ack, 99) * 1000:.0f} ms")
        print(f"probe failures: {len(failures)} {failures[:5]}")
        print(
            f"pacing at {args.rate}/min: sent {outbox.get('sent', 0)}, delayed {outbox.get('delayed:rate', 0)}, "
            f"dropped {outbox.get('dropped:rate', 0)} (while the flood lasted)"
        )
        bot.terminate()
        bot.wait(timeout=10)
    slack_process.terminate()


if __name__ == "__main__":
    main()
