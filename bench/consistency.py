"""Consistency check: detect()'s findings on the labelled data and bench corpora, saved or compared.

Run: python bench/consistency.py save FILE   (before a change)
     python bench/consistency.py compare FILE (after it; exit 1 on any difference)

Speed work must not change what the engine finds; this compares every finding (rule, span,
severity) and every message verdict over data/*.jsonl, the realistic throughput corpus,
the bench corpus and long messages.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import long_message, realistic_corpus, short_corpus
from bot.detect import detect
from bot.rules import default_rules

ROOT = Path(__file__).resolve().parents[1]


def messages() -> list[str]:
    """Every text the check covers, in a fixed order."""
    texts: list[str] = []
    for path in sorted((ROOT / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    texts += realistic_corpus(30_000, seed=11)
    texts += short_corpus(5_000, seed=5)
    rng = random.Random(3)
    for size in (100, 1_000, 10_000, 40_000):
        for kind in ("ordinary", "harsh"):
            texts.append(long_message(size, kind, seed=rng.randint(0, 999)))
    # Splices of harsh phrases into one another, with odd separators, to stress windows.
    pool = [t for t in texts if len(t) < 300]
    for _ in range(3_000):
        texts.append(rng.choice(["", " ", "\n", ", ", "... "]).join(rng.sample(pool, rng.randint(2, 6))))
    return texts


def snapshot() -> list[list]:
    rules = default_rules()
    out = []
    for text in messages():
        analysis = detect(text, rules)
        out.append([
            [[f.rule, f.start, f.end, f.severity] for f in analysis.findings],
            list(analysis.categories), analysis.severity, analysis.addressed_to_customer,
        ])
    return out


def main() -> int:
    mode, path = sys.argv[1], Path(sys.argv[2])
    current = snapshot()
    if mode == "save":
        path.write_text(json.dumps(current), encoding="utf-8")
        print(f"saved {len(current):,} results, {sum(bool(r[0]) for r in current):,} with findings")
        return 0
    saved = json.loads(path.read_text(encoding="utf-8"))
    texts = messages()
    differ = [i for i, (a, b) in enumerate(zip(saved, current, strict=True)) if a != b]
    for i in differ[:20]:
        print(f"#{i} {texts[i][:160]!r}\n  before {saved[i]}\n  after  {current[i]}")
    print(f"{len(current):,} messages, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
