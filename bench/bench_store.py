"""Store benchmark: insert 1,000,000 flags in batches, then time the 7-day and 90-day reports
(and their list of every agent's coaching outcomes).

Run: python bench/bench_store.py [--flags 1000000] [--db PATH]
Targets: >= 20,000 flags/s inserted in batches; a 90-day report over 1M flags in < 500 ms.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.models import Flag
from bot.review.reports import agent_outcomes, build_report
from bot.store import Store

CATEGORY_SETS = [
    ("disparaging",),
    ("blame",),
    ("argumentative",),
    ("dismissive",),
    ("blame", "argumentative"),
    ("blame", "dismissive"),
    ("disparaging", "argumentative"),
]
RULES = [
    "pebkac",
    "id10t",
    "layer-8",
    "should-have",
    "not-our-fault",
    "as-i-said",
    "calm-down",
    "obviously",
    "nothing-we-can-do",
    "our-policy",
    "not-my-job",
    "rtfm",
    "idiot",
    "you-must-have",
    "per-my-last",
]
TOPICS = [
    "password reset",
    "signing in",
    "billing and invoices",
    "orders and delivery",
    "",
    "",
    "setup and installation",
]


def generated_flags(count: int, now: float, days: int = 120, seed: int = 7) -> Iterator[Flag]:
    rng = random.Random(seed)
    step = days * 86400 / count
    for i in range(count):
        created = now - days * 86400 + i * step
        channel = rng.randrange(12)
        agent = rng.randrange(60)
        rule = rng.choice(RULES)
        yield Flag(
            team="T1",
            channel=f"C{channel:04d}",
            channel_name=f"support-{channel}",
            ts=f"{created:.6f}",
            agent=f"U{agent:05d}",
            agent_name=f"agent{agent}",
            categories=rng.choice(CATEGORY_SETS),
            rules=(rule,),
            severity=rng.choice(("low", "medium", "medium", "high")),
            excerpt="…as I already said, the [email] account needs a reset…",
            phrase=rule.replace("-", " "),
            topic=rng.choice(TOPICS),
            status=rng.choice(("open", "open", "open", "edited")),
            created_at=created,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="database file (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or str(Path(tmp) / "bench.db")
        store = Store(path)
        now = time.time()
        started = time.perf_counter()
        added = store.add_flags(generated_flags(args.flags, now), batch=10_000)
        elapsed = time.perf_counter() - started
        print(f"inserted {added:,} flags in {elapsed:.1f} s: {added / elapsed:,.0f} flags/s (target >= 20,000)")
        dup_started = time.perf_counter()
        again = store.add_flags(itertools.islice(generated_flags(args.flags, now), 20_000))
        dup_seconds = time.perf_counter() - dup_started
        print(f"re-inserting 20,000 stored flags added {again} (expected 0) in {dup_seconds:.2f} s")
        for days in (7, 90):
            timings = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                report = build_report(store, days, now=now, manager=True)
                timings.append((time.perf_counter() - t0) * 1000)
            print(
                f"{days}-day report over {report.total:,} flags: median {statistics.median(timings):.0f} ms, "
                f"best {min(timings):.0f} ms" + ("  (target < 500 ms)" if days == 90 else "")
            )
            timings = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                listed = agent_outcomes(store, report)
                timings.append((time.perf_counter() - t0) * 1000)
            print(
                f"  every agent's coaching outcomes ({len(listed)} agents, /coach report and the table): "
                f"median {statistics.median(timings):.0f} ms"
            )
        store.close()


if __name__ == "__main__":
    main()
