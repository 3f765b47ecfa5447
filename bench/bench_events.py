"""Event benchmark: the real app in HTTP mode (waitress) against a local fake Slack Web API.

300 signed message events from 20 concurrent connections, 10% harsh. Prints p50/p99 ack
latency, p50/p99 delay from sending an event to its chat.postEphemeral arriving, and the
count of lost or duplicated nudges. Targets (2 cores): ack p99 < 100 ms, nudge p99 < 250 ms,
zero lost or duplicated nudges. All traffic stays on 127.0.0.1.

The bot runs as its own process (`support-coach run --http`, as in production); the load
generator and the fake Slack API share this one, so neither steals the bot's interpreter.

``--settings both`` (issue 14) runs it with no workspace settings and with a realistic set
(mutes, allow list, custom terms, channels, thresholds, options, paused agents) that changes
no outcome on this corpus, alternating for ``--rounds``, and prints them side by side: the
bot process's CPU time per event, its mean detect time from /metrics, ack and nudge latency,
and, measured in this process without HTTP, the message path itself (the settings cache,
the coach with the team's rule set, the settings applied) against the coach alone.

Run: python bench/bench_events.py [--events 300] [--concurrency 20] [--settings off|on|both] [--rounds 3]
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import CLEAN, HARSH  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.coaching.coach import Coach  # noqa: E402
from bot.workspace import WorkspaceSettings  # noqa: E402
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
    parser.add_argument(
        "--settings",
        choices=("off", "on", "both"),
        default="off",
        help="workspace settings in the bot's database (both: side by side)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs of each setting, alternating")
    args = parser.parse_args()
    received: multiprocessing.Queue = multiprocessing.Queue()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    slack_process = multiprocessing.Process(target=fake_slack, args=(ready, received), daemon=True)
    slack_process.start()
    slack_url = ready.get(timeout=30)
    modes = ["off", "on"] if args.settings == "both" else [args.settings]
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for number in range(args.rounds):
        for mode in modes if number % 2 == 0 else modes[::-1]:  # alternate which goes first: no order effect
            print(f"--- settings {mode}")
            results[mode].append(run_once(args, slack_url, received, settings=mode == "on"))
    if args.settings == "both":
        side_by_side(results, args)
        with tempfile.TemporaryDirectory() as tmp:
            bench_settings(Path(tmp) / "path.db")
            texts = [text for _u, _h, text, _t in make_events(args)]
            path = in_process_path(Coach(), texts, Path(tmp) / "path.db")
        print(
            f"{'in-process message path (CPU µs/message)':44} {path['off']:9.2f} {path['on']:9.2f} "
            f"{(path['on'] - path['off']) / path['off']:+8.1%}"
        )
        print(
            f"{'  against the coach alone, no settings object':44} {path['coach']:9.2f} {path['on']:9.2f} "
            f"{(path['on'] - path['coach']) / path['coach']:+8.1%}"
        )
        print("target: settings cost the message path < 5%")
    slack_process.terminate()


def make_events(args: argparse.Namespace) -> list[tuple[str, bool, str, str]]:
    """The run's messages: (user, harsh, text, ts), the same every run."""
    rng = random.Random(3)
    events = []
    for i in range(args.events):
        harsh = i % round(1 / args.harsh) == 0
        text = rng.choice(HARSH if harsh else CLEAN).format(
            name="Sam", company="Acme", n=rng.randrange(10**5), small=rng.randrange(40), tiny=rng.randrange(9)
        )
        events.append((f"U{i:05d}", harsh, text, f"{1_760_000_000 + i}.000100"))
    return events


BENCH_CHANNEL = "C0BENCH"


def bench_settings(db_path: Path) -> None:
    """A realistic set of workspace settings that changes no outcome on this corpus (so both runs
    flag and nudge the same messages): mutes elsewhere, allowed phrases and custom terms the corpus
    does not use, thresholds that keep every severity here, channels, options and paused agents."""
    from bot.store import Store
    from bot.workspace import CustomTerm

    store = Store(db_path)
    team, who = "T1", "UMANAGER"
    for rule, channel in (
        ("calm-down", "C0OTHER1"),
        ("pebkac", "C0OTHER2"),
        ("as-i-said", "C0OTHER3"),
        ("learned-blame", "C0OTHER1"),
        ("llm-judge", ""),
    ):
        store.mute_rule(rule, channel, team=team, actor=who)
    for phrase, pattern in (
        ("layer nine", False),
        ("rtfm bot", False),
        ("as per the sla", False),
        ("kill the job", False),
        ("dumb terminal", False),
        (r"ticket\s+#\d{7}x", True),
        (r"nuk(e|ed) the cache", True),
        ("blame the cache", False),
    ):
        store.allow_phrase(phrase, pattern, team=team, actor=who)
    for phrase, category in (
        ("ticket monkey", "disparaging"),
        ("karen mode", "disparaging"),
        ("not my department", "dismissive"),
    ):
        store.put_term(
            CustomTerm(f"custom-{phrase.replace(' ', '-')}", phrase, category, "high", "Name the request instead."),
            team=team,
            actor=who,
        )
    store.set_channel_mode(BENCH_CHANNEL, "watch", team=team, actor=who)
    store.set_channel_mode("C0OTHER9", "ignore", team=team, actor=who)
    store.set_threshold("low", team=team, actor=who)
    store.set_threshold("high", "C0OTHER2", team=team, actor=who)
    store.set_option("managers", [who, "UBOSS"], team=team, actor=who)
    store.set_option("digest_channel", "C0DIGEST", team=team, actor=who)
    store.set_option("agent_pause", True, team=team, actor=who)
    for n in range(20):
        store.set_low_pause(team, f"UP{n:04d}", True)
    store.close()


def run_once(
    args: argparse.Namespace, slack_url: str, received: multiprocessing.Queue, settings: bool
) -> dict[str, float]:
    verifier = SignatureVerifier(SECRET)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        db_path = Path(tmp) / "bench.db"
        if settings:
            bench_settings(db_path)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
        env.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "COACH_NUDGE_COOLDOWN": "0",
                # the bot's own latency is measured here; pacing at Slack's rate has bench_http_hardening
                "COACH_NUDGE_RATE": "1000000",
                "COACH_NUDGE_BURST": "1000000",
                "SLACK_API_URL": slack_url + "api/",
                "COACH_DB": str(db_path),
            }
        )
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_healthy(port, bot)
        coach = Coach()
        events = make_events(args)
        workspace = _workspace(db_path) if settings else None
        expected = {user for user, _harsh, text, _ in events if coach.analyse(text, workspace, BENCH_CHANNEL).flagged}
        cpu_before = process_cpu(bot.pid)
        sent_at: dict[str, float] = {}
        ack_ms: list[float] = []
        local = threading.local()

        def send(event: tuple[str, bool, str, str]) -> None:
            user, _harsh, text, ts = event
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T1",
                    "event_id": f"Ev{ts}",
                    "event": {
                        "type": "message",
                        "channel": BENCH_CHANNEL,
                        "channel_type": "channel",
                        "user": user,
                        "text": text,
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
        print(
            f"ack latency: p50 {statistics.median(ack_ms):.1f} ms, p99 {percentile(ack_ms, 99):.1f} ms "
            f"(target p99 < 100 ms)"
        )
        if nudge_ms:
            print(
                f"event -> chat.postEphemeral: p50 {statistics.median(nudge_ms):.1f} ms, "
                f"p99 {percentile(nudge_ms, 99):.1f} ms (target p99 < 250 ms)"
            )
        print(f"nudges lost: {lost}, duplicated: {duplicated} (target 0 and 0)")
        cpu = process_cpu(bot.pid) - cpu_before  # includes the second of waiting for duplicates: idle
        detect, within = detect_figures(port)
        print(
            f"bot CPU per event: {cpu / args.events * 1000:.2f} ms; detect mean {detect * 1e6:.0f} µs, "
            f"{within:.1%} within 1 ms"
        )
        bot.terminate()
        bot.wait(timeout=10)
        return {
            "ack_p50": statistics.median(ack_ms),
            "ack_p99": percentile(ack_ms, 99),
            "nudge_p50": statistics.median(nudge_ms) if nudge_ms else 0.0,
            "nudge_p99": percentile(nudge_ms, 99) if nudge_ms else 0.0,
            "cpu_ms": cpu / args.events * 1000,
            "detect_us": detect * 1e6,
            "detect_1ms": within * 100,
            "flagged": len(expected),
            "lost": lost,
            "duplicated": duplicated,
        }


def _workspace(db_path: Path) -> WorkspaceSettings:
    from bot.store import Store

    store = Store(db_path)
    try:
        return store.workspace_settings("T1")
    finally:
        store.close()


def in_process_path(coach: Coach, texts: list[str], db_path: Path, passes: int = 21) -> dict[str, float]:
    """CPU µs per message of the live message path's own work, without HTTP.

    "on": what the listener does with the team's settings: the settings cache read twice
    (channel check, then the analysis), the coach with the team's rule set, the settings
    applied. "off": the same with no settings stored (an empty settings object: the bot's path
    when nothing is set). "coach": the coach alone, no settings object at all. Passes over all
    the messages alternate between the variants (the order rotating), and the median pass of
    each is kept: a busy machine slows all three alike. (Timing each message under each variant
    in turn would not do: "on" uses its own rule set, and switching rule sets every message
    costs processor caches what a bot, which uses one, never pays.)
    """
    from bot.store import Store
    from bot.workspace import SettingsCache, WorkspaceSettings

    store = Store(db_path)
    on_cache = SettingsCache(store.workspace_settings)
    off_cache = SettingsCache(lambda _team: WorkspaceSettings())
    on_cache.get("T1").ruleset(coach.rules)  # the bot builds it before its first message (create_app)

    def with_cache(cache: SettingsCache) -> Callable[[str], None]:
        def run(text: str) -> None:  # what bot/slack/listeners/messages.py does before storing a flag
            workspace = cache.get("T1")
            if workspace.watches(BENCH_CHANNEL):
                coach.analyse(text, workspace, BENCH_CHANNEL)

        return run

    variants = {"on": with_cache(on_cache), "off": with_cache(off_cache), "coach": coach.analyse}
    names = list(variants)
    passes_us: dict[str, list[float]] = {name: [] for name in names}
    for number in range(passes):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            run = variants[name]
            started = time.process_time()
            for text in texts:
                run(text)
            passes_us[name].append((time.process_time() - started) / len(texts) * 1e6)
    store.close()
    return {name: statistics.median(values) for name, values in passes_us.items()}


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def detect_figures(port: int) -> tuple[float, float]:
    """From the bot's /metrics: the mean of coach_detect_seconds (wall time, so a few stalls of
    the shared interpreter move it a lot) and the share of messages analysed within 1 ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(
            ("coach_detect_seconds_sum", "coach_detect_seconds_count", 'coach_detect_seconds_bucket{le="0.001"}')
        ):
            values[line.rsplit(" ", 1)[0]] = float(line.split()[-1])
    count = values.get("coach_detect_seconds_count", 0.0)
    if not count:
        return 0.0, 0.0
    return values["coach_detect_seconds_sum"] / count, values['coach_detect_seconds_bucket{le="0.001"}'] / count


def side_by_side(results: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> None:
    """Medians over the rounds, settings off and on, and what the settings cost."""
    print(
        f"\nsettings off vs on: {args.events} events, {args.concurrency} connections, "
        f"median of {args.rounds} round(s) each"
    )
    rows = (
        ("bot CPU per event (ms)", "cpu_ms"),
        ("detect mean, wall time in the bot (µs)", "detect_us"),
        ("detect within 1 ms (% of messages)", "detect_1ms"),
        ("ack p50 (ms)", "ack_p50"),
        ("ack p99 (ms)", "ack_p99"),
        ("nudge p50 (ms)", "nudge_p50"),
        ("nudge p99 (ms)", "nudge_p99"),
    )
    print(f"{'':44} {'off':>9} {'on':>9} {'change':>8}")
    for label, key in rows:
        off = statistics.median(r[key] for r in results["off"])
        on = statistics.median(r[key] for r in results["on"])
        change = f"{(on - off) / off:+.1%}" if off else "n/a"
        print(f"{label:44} {off:9.2f} {on:9.2f} {change:>8}")
    print(
        "bot CPU per event by round (ms): "
        + "; ".join(f"{mode} " + ", ".join(f"{r['cpu_ms']:.2f}" for r in runs) for mode, runs in results.items())
    )
    flagged = {mode: {r["flagged"] for r in runs} for mode, runs in results.items()}
    print(f"flagged per run: off {sorted(flagged['off'])}, on {sorted(flagged['on'])} (the same: no outcome changed)")


def fake_slack(ready: multiprocessing.Queue, received: multiprocessing.Queue) -> None:
    """Slack's Web API in its own process, as the real one is: it reports when each nudge arrives."""

    def ephemeral(call: Call) -> tuple[int, dict[str, str], dict[str, object]]:
        received.put((call.body.get("user"), time.time()))
        return 200, {}, {"ok": True, "message_ts": "1.1"}

    with FakeServer() as slack:
        slack.handlers["/api/auth.test"] = lambda c: (
            200,
            {},
            {"ok": True, "user_id": "UBOT", "team_id": "T1", "bot_id": "B1", "url": "https://bench.slack.com/"},
        )
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
