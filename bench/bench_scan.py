"""Scan benchmark: a generated Slack export of 1,000,000 messages, scanned end to end.

Reads the day files, coaches every message, stores the flags in SQLite: messages/s on one
core. Target: >= 20,000 messages/s (under a minute for a million).

Run: python bench/bench_scan.py [--messages 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import short_corpus as corpus

from bot.coaching.coach import Coach
from bot.ingest.export import SAMPLE_EXPORT, open_export
from bot.ingest.scan import scan_export
from bot.store import Store

PER_DAY = 200


def message_pool(kind: str, seed: int) -> list[str]:
    """Texts to draw from. "sample": the bundled sample team's messages, dense in near-misses
    and slips (about 8% flagged, a quarter near-misses). "mixed" (default): 85% routine support
    traffic from bench_detect's generator (3% harsh) and 15% sample messages."""
    with open_export(SAMPLE_EXPORT) as export:
        sample = [m.text for m in export.messages()]
    if kind == "sample":
        return sample
    routine = corpus(20_000, seed)
    return routine + sample * max(1, round(len(routine) * 0.15 / 0.85 / len(sample)))


def generate(root: Path, count: int, pool_kind: str = "mixed", seed: int = 1) -> None:
    rng = random.Random(seed)
    pool = message_pool(pool_kind, seed)
    channels = [f"support-{i:02d}" for i in range(20)]
    (root / "channels.json").write_text(json.dumps([{"id": f"C{i:05d}", "name": n} for i, n in enumerate(channels)]))
    (root / "users.json").write_text(json.dumps([{"id": f"U{i:04d}", "real_name": f"Agent {i}"} for i in range(80)]))
    written, day = 0, 0
    start = 1_700_000_000
    while written < count:
        for channel in channels:
            folder = root / channel
            folder.mkdir(exist_ok=True)
            n = min(PER_DAY, count - written)
            if n <= 0:
                break
            base = start + day * 86400
            messages = [
                {
                    "type": "message",
                    "user": f"U{rng.randrange(80):04d}",
                    "text": rng.choice(pool).replace("#4", f"#{rng.randrange(10**6)}"),
                    "ts": f"{base + k * 400 + rng.random():.6f}",
                }
                for k in range(n)
            ]
            (folder / f"{day:05d}.json").write_text(json.dumps(messages))
            written += n
        day += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument(
        "--pool", choices=["mixed", "sample"], default="mixed", help=(message_pool.__doc__ or "").replace("%", "%%")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "export"
        root.mkdir()
        t0 = time.perf_counter()
        generate(root, args.messages, args.pool)
        print(f"generated {args.messages:,} messages in {time.perf_counter() - t0:.1f} s")
        store = Store(Path(tmp) / "scan.db")
        coach = Coach()
        started = time.perf_counter()
        with open_export(root) as export:
            result = scan_export(export, coach, store)
        elapsed = time.perf_counter() - started
        print(f"{result.summary()} ({result.flagged / max(result.messages, 1):.1%} flagged, pool {args.pool})")
        print(
            f"scan end to end: {elapsed:.1f} s, {result.messages / elapsed:,.0f} messages/s "
            f"(target >= 20,000 on one core)"
        )
        again_started = time.perf_counter()
        with open_export(root) as export:
            again = scan_export(export, coach, store)
        print(f"re-scan: {again.added} added (expected 0) in {time.perf_counter() - again_started:.1f} s")
        store.close()


if __name__ == "__main__":
    main()
