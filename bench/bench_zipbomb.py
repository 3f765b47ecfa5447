"""Zip bomb benchmark: `support-coach scan` on hostile and on large exports, with its peak memory.

1. A 10 MB zip whose one day file expands to about 10 GB (deflate at ~1000:1), default limits:
   refused, with a clear line, without unpacking it.
2. The same bomb with the ratio and size limits raised out of the way, so all of the day file
   really is inflated and parsed: streaming keeps memory flat.
3. A large real-looking day file (--day-mb, 100 MB of messages): streamed one message at a time.

Peak memory is the scan process's VmHWM (Linux). Target: every case below 100 MB.

Run: python bench/bench_zipbomb.py [--bomb-mb 10] [--day-mb 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from bot.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except Exception as exc:
    print(f"error: {exc}", file=sys.stderr)
finally:
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
    print("peak-kb", hwm.split()[1], file=sys.stderr)
"""

EXPORT_INDEX = {"channels.json": [{"id": "C9", "name": "support"}], "users.json": [{"id": "U1", "real_name": "Ada"}]}


def write_bomb(path: Path, compressed_mb: int) -> int:
    """A day file of JSON whitespace, written until the zip reaches ``compressed_mb``; its size."""
    chunk = b" " * (8 << 20)
    written = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in EXPORT_INDEX.items():
            zf.writestr(name, json.dumps(data))
        with zf.open("support/2026-01-01.json", "w", force_zip64=True) as member:
            member.write(b"[")
            while path.stat().st_size < compressed_mb << 20:
                member.write(chunk)
                written += len(chunk)
            member.write(b"]")
    return written


def write_day(path: Path, day_mb: int) -> int:
    """A zip with one large day file of ordinary messages (and a few harsh ones)."""
    texts = [
        "Thanks for waiting, Sam! The refund is on its way and should arrive in 3-5 days.",
        "I've reset the password; you'll get an e-mail with a link in a minute.",
        "Hi Sam, as I already said, you should have read the setup guide.",
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in EXPORT_INDEX.items():
            zf.writestr(name, json.dumps(data))
        with zf.open("support/2026-01-02.json", "w", force_zip64=True) as member:
            member.write(b"[")
            size, i = 0, 0
            while size < day_mb << 20:
                line = json.dumps(
                    {
                        "type": "message",
                        "user": "U1",
                        "ts": f"{1_767_000_000 + i}.000100",
                        "text": texts[2 if i % 50 == 0 else i % 2],
                        "client_msg_id": f"{i:032x}",
                        "blocks": [{"type": "rich_text", "elements": []}],
                    }
                ).encode()
                member.write((b"," if i else b"") + line)
                size += len(line) + 1
                i += 1
            member.write(b"]")
    return size


def scan(archive: Path, db: Path, *options: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "scan", str(archive), "--db", str(db), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    elapsed = time.perf_counter() - started
    peak = int(done.stderr.rsplit("peak-kb", 1)[1].split()[0]) // 1024
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line and not line.startswith("peak-kb")]
    return elapsed, peak, " | ".join(line.replace(str(archive), archive.name) for line in lines)[:400]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=10, help="compressed size of the bomb")
    parser.add_argument("--day-mb", type=int, default=100, help="size of case 3's day file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.zip"
        started = time.perf_counter()
        expanded = write_bomb(bomb, args.bomb_mb)
        print(
            f"bomb: {bomb.stat().st_size / 2**20:.1f} MB zip, day file {expanded / 2**30:.1f} GB "
            f"(ratio {expanded / bomb.stat().st_size:.0f}:1), built in {time.perf_counter() - started:.0f} s"
        )
        elapsed, peak, out = scan(bomb, Path(tmp) / "a.db")
        print(f"1. default limits: {elapsed:.1f} s, peak RSS {peak} MB (target < 100 MB)\n   {out}")
        elapsed, peak, out = scan(
            bomb,
            Path(tmp) / "b.db",
            "--max-ratio",
            "1000000000",
            "--max-member-mb",
            str(expanded // 2**20 + 1),
            "--max-total-mb",
            str(expanded),
        )
        print(
            f"2. limits raised, all {expanded / 2**30:.1f} GB inflated and parsed: {elapsed:.1f} s, "
            f"peak RSS {peak} MB (target < 100 MB)\n   {out}"
        )
        day = Path(tmp) / "day.zip"
        size = write_day(day, args.day_mb)
        elapsed, peak, out = scan(day, Path(tmp) / "c.db")
        print(
            f"3. one {size / 2**20:.0f} MB day file of messages ({day.stat().st_size / 2**20:.1f} MB zipped): "
            f"{elapsed:.1f} s, peak RSS {peak} MB (target < 100 MB)\n   {out}"
        )


if __name__ == "__main__":
    main()
