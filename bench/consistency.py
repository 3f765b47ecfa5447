"""Consistency check: detect()'s full output on the labelled data and bench corpora, saved or compared.

Run: python bench/consistency.py save FILE [--tree DIR]     (before a change)
     python bench/consistency.py compare FILE [--tree DIR]  (after it; exit 1 on any difference)

Speed work must not change what the engine finds; this compares, with the bundled learned
model and with rules only, every finding (rule, category, extra categories, severity, span,
matched text), every message verdict (categories, severity, addressed) and the learned
stage's flag probability (exact float) over data/*.jsonl, tests/data/*.jsonl, every rule
example and counter-example, the realistic throughput corpus (the consistency seed and the
50k-message bench seed), the short bench corpus, long and hostile messages, random strings
of tricky characters, and splices of short ones; and, on a sample, the same with the rule
set ten times over (distinct patterns, as bench_detect.py times it), so an engine change
that only shows with many rules is caught too.

``--tree DIR`` imports the engine (``bot``) from another source tree, say an untouched copy
of main, while the messages still come from this tree's bench/: a snapshot of the old engine
can then be taken after this script changed. The snapshot fixes the rules and model as they
were when it was saved: compare against a tree with the same prompts/.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
from pathlib import Path
from typing import Any  # the engine's types come from whichever tree --tree names

ROOT = Path(__file__).resolve().parents[1]
# fmt: off
TRICKY = ["\u200b", "\u00ad", "ＰＥＢＫＡＣ", "К", "а", "у", "<@U1>", "<#C1|ops>", "<https://x.io|x>", "&gt;",
          "&amp;", "```", "`", "'", '"', "> ", "\n", "_", "*", "™", "İ", "ﬁ", "🙃", "é", "ß", " ", ".", ",", "!", "?",
          "1", "0", "3", "@", "$", "-", "you", "your", "calm down", "as I said", "idiot", "layer 8", "p e b k a c"]
# fmt: on


def _engine(tree: str | None) -> tuple[Any, Any, Any, Path]:
    """Import bot (from ``tree`` when given) before anything else can import this tree's."""
    if tree:
        sys.path.insert(0, str(Path(tree).resolve()))
    detect = importlib.import_module("bot.coaching.detect").detect
    model = importlib.import_module("bot.coaching.model").default_model()
    rules = importlib.import_module("bot.coaching.rules").default_rules()
    where = Path(sys.modules["bot"].__file__).resolve().parents[1]
    sys.path.insert(0, str(ROOT))  # bench/ from this tree; bot is imported already
    return detect, model, rules, where


def _jsonl_texts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def messages(rules: Any) -> list[str]:
    """Every text the check covers, in a fixed order."""
    from bench.bench_detect import hostile_message
    from bench.corpus import long_message, realistic_corpus, short_corpus

    texts: list[str] = _jsonl_texts(ROOT / "data") + _jsonl_texts(ROOT / "tests" / "data")
    examples = [t for rule in rules.rules for t in (*rule.examples, *rule.counter_examples)]
    texts += examples
    texts += realistic_corpus(30_000, seed=11)
    texts += realistic_corpus(50_000, seed=7)  # what bench_detect.py times
    texts += short_corpus(5_000, seed=5)
    rng = random.Random(3)
    for size in (100, 1_000, 10_000, 40_000):
        for kind in ("ordinary", "harsh"):
            texts.append(long_message(size, kind, seed=rng.randint(0, 999)))
            texts.append(long_message(size, kind, seed=7))  # bench_detect.py's long messages
    texts.append(hostile_message())
    # Random strings of tricky characters and harsh words (normalisation, offsets, zones).
    for _ in range(5_000):
        pieces = [rng.choice(TRICKY) if rng.random() < 0.7 else rng.choice(examples) for _ in range(rng.randint(1, 30))]
        texts.append("".join(pieces))
    # Splices of harsh phrases into one another, with odd separators, to stress windows.
    pool = [t for t in texts if len(t) < 300]
    for _ in range(3_000):
        texts.append(rng.choice(["", " ", "\n", ", ", "... "]).join(rng.sample(pool, rng.randint(2, 6))))
    return texts


def _record(analysis: Any) -> list:
    """Everything detect() decided about one message, JSON-ready (the score as repr: exact)."""
    return [
        [
            [f.rule, f.category, list(f.extra_categories), f.severity, f.start, f.end, f.match, f.tip, f.principle]
            for f in analysis.findings
        ],
        list(analysis.categories),
        analysis.severity,
        analysis.addressed_to_customer,
        None if analysis.model_score is None else repr(analysis.model_score),
    ]


def snapshot(tree: str | None) -> tuple[list[str], list[list]]:
    """Per message: the full output with the bundled model, then with rules only; then, on
    every 10th message, the same with ten distinct copies of the rules."""
    detect, model, rules, where = _engine(tree)
    from bench.bench_detect import repeated

    print(f"engine from {where}", file=sys.stderr)
    texts = messages(rules)
    out = [[_record(detect(text, rules, model=model)), _record(detect(text, rules, model=None))] for text in texts]
    distinct10 = repeated(rules, 10, distinct=True)
    out += [
        [_record(detect(text, distinct10, model=model)), _record(detect(text, distinct10, model=None))]
        for text in texts[::10]
    ]
    return texts + texts[::10], out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("save", "compare"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--tree", help="import the engine from this source tree")
    args = parser.parse_args()
    texts, current = snapshot(args.tree)
    if args.mode == "save":
        args.path.write_text(json.dumps(current), encoding="utf-8")
        print(
            f"saved {len(current):,} results, {sum(bool(r[0][0]) for r in current):,} with findings, "
            f"{sum(bool(r[0][0]) != bool(r[1][0]) for r in current):,} flagged by the learned stage alone"
        )
        return 0
    saved = json.loads(args.path.read_text(encoding="utf-8"))
    if len(saved) != len(current):
        print(f"{len(saved):,} saved results, {len(current):,} now: not the same messages")
        return 1
    differ = [i for i, (a, b) in enumerate(zip(saved, current, strict=True)) if a != b]
    for i in differ[:20]:
        print(f"#{i} {texts[i][:160]!r}\n  before {saved[i]}\n  after  {current[i]}")
    findings = sum(len(r[0][0]) + len(r[1][0]) for r in current)
    print(
        f"{len(current):,} results ({findings:,} findings, {sum(r[0][4] is not None for r in current):,} "
        f"learned scores), {len(differ)} differ"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
