"""Consistency check: detect()'s full output on the labelled data and bench corpora, saved or compared.

Run: python bench/consistency.py save FILE   (before a change)
     python bench/consistency.py compare FILE (after it; exit 1 on any difference)

Speed work must not change what the engine finds; this compares, with the bundled learned
model and with rules only, every finding (rule, category, extra categories, severity, span,
matched text), every message verdict (categories, severity, addressed) and the learned
stage's flag probability (exact float) over data/*.jsonl, the realistic throughput corpus
(the consistency seed and the 50k-message bench seed), the short bench corpus, long and
hostile messages, and splices of short ones. The snapshot fixes the rules and model as they
were when it was saved: compare against a tree with the same prompts/.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_detect import hostile_message
from bench.corpus import long_message, realistic_corpus, short_corpus
from bot.detect import detect
from bot.model import default_model
from bot.models import Analysis
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
    texts += realistic_corpus(50_000, seed=7)  # what bench_detect.py times
    texts += short_corpus(5_000, seed=5)
    rng = random.Random(3)
    for size in (100, 1_000, 10_000, 40_000):
        for kind in ("ordinary", "harsh"):
            texts.append(long_message(size, kind, seed=rng.randint(0, 999)))
            texts.append(long_message(size, kind, seed=7))  # bench_detect.py's long messages
    texts.append(hostile_message())
    # Splices of harsh phrases into one another, with odd separators, to stress windows.
    pool = [t for t in texts if len(t) < 300]
    for _ in range(3_000):
        texts.append(rng.choice(["", " ", "\n", ", ", "... "]).join(rng.sample(pool, rng.randint(2, 6))))
    return texts


def _record(analysis: Analysis) -> list:
    """Everything detect() decided about one message, JSON-ready (the score as repr: exact)."""
    return [
        [[f.rule, f.category, list(f.extra_categories), f.severity, f.start, f.end, f.match]
         for f in analysis.findings],
        list(analysis.categories), analysis.severity, analysis.addressed_to_customer,
        None if analysis.model_score is None else repr(analysis.model_score),
    ]


def snapshot() -> list[list]:
    """Per message: the full output with the bundled model, then with rules only."""
    rules = default_rules()
    model = default_model()
    return [[_record(detect(text, rules, model=model)), _record(detect(text, rules, model=None))]
            for text in messages()]


def main() -> int:
    mode, path = sys.argv[1], Path(sys.argv[2])
    current = snapshot()
    if mode == "save":
        path.write_text(json.dumps(current), encoding="utf-8")
        print(f"saved {len(current):,} results, {sum(bool(r[0][0]) for r in current):,} with findings, "
              f"{sum(bool(r[0][0]) != bool(r[1][0]) for r in current):,} flagged by the learned stage alone")
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
