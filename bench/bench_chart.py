"""Chart benchmark: the 90-day chart over 1,000,000 flags, from the database to the PNG.

Run: python bench/bench_chart.py [--flags 1000000] [--db PATH] [--tz America/New_York]
Target: the 90-day chart (report and PNG) in < 1 s over 1M flags. Prints, per zone, the
report (rollups), the PNG rendering and the two together; matplotlib's import, paid once
per process, is printed apart. Needs the [charts] extra.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import generated_flags

from bot.review.reports import build_report
from bot.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="an existing bench database, or where to write one")
    parser.add_argument("--tz", action="append", default=None, help="zones to time (default: UTC and New York)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    zones = args.tz or ["UTC", "America/New_York"]
    started = time.perf_counter()
    from bot.review.charts import render_png, require  # the [charts] extra

    require()  # imports matplotlib: what is timed here

    print(f"importing matplotlib: {time.perf_counter() - started:.2f} s (once per process)")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or str(Path(tmp) / "chart.db")
        store = Store(path)
        now = time.time()
        if not store.db.execute("SELECT COUNT(*) FROM flags").fetchone()[0]:
            t0 = time.perf_counter()
            store.add_flags(generated_flags(args.flags, now), batch=10_000)
            print(f"inserted {args.flags:,} flags over 120 days in {time.perf_counter() - t0:.0f} s")
        render_png(build_report(store, 7, now=now))  # fonts and caches warm, as in a running bot
        for tz in zones:
            reports, renders, both = [], [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                report = build_report(store, 90, now=now, tz=tz)
                t1 = time.perf_counter()
                png = render_png(report)
                t2 = time.perf_counter()
                reports.append(t1 - t0)
                renders.append(t2 - t1)
                both.append(t2 - t0)
            print(
                f"90-day chart, {tz}: {report.total:,} flags, {len(png):,} byte PNG; report median "
                f"{statistics.median(reports) * 1000:.0f} ms, PNG median {statistics.median(renders) * 1000:.0f} ms,"
                f" together median {statistics.median(both) * 1000:.0f} ms, worst {max(both) * 1000:.0f} ms "
                "(target < 1000 ms)"
            )
        store.close()


if __name__ == "__main__":
    main()
