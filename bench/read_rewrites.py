"""Print (or write) the rule suggestions for held-out flagged messages, for a human to read.

The scorer's counters (``support-coach eval --rewrites``) miss what a reader sees: a harsh
sentence kept while a neutral one went, a next step about the wrong thing, a broken splice.
This prints N flagged messages of a split with their suggestion, picked at random (seeded),
or writes every one as JSONL ({"id", "text", "kind", "suggestion"}) so two trees can be
compared message by message:

    PYTHONPATH=. python bench/read_rewrites.py --count 60 --seed 1
    PYTHONPATH=. python bench/read_rewrites.py --all --out /tmp/suggestions.jsonl --jobs 2

It runs with whatever ``bot`` is on PYTHONPATH, so the same script reads another checkout.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from multiprocessing import Pool

from bot.coaching.detect import detect
from bot.coaching.model import default_model, tokens_of
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import default_rules
from bot.coaching.text import normalize
from bot.dataset import labelled


def _one(item: tuple[str, str]) -> dict[str, object]:
    item_id, text = item
    rules = default_rules()
    analysis = detect(text, rules)
    row: dict[str, object] = {"id": item_id, "text": text, "kind": None, "suggestion": None}
    if not analysis.flagged:
        return row
    suggestion = rewrite(text, analysis, rules)
    if suggestion is not None:
        row["kind"], row["suggestion"] = suggestion.kind, suggestion.text
    return row


def _sentence_scores(text: str) -> list[tuple[float, str]]:
    from bot.coaching.harsh import sentences

    model = default_model()
    return [(model.flag_score(tokens_of(normalize(s).text)), s) for s in sentences(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="holdout", choices=("train", "holdout", "all"))
    parser.add_argument("--count", type=int, default=60, help="how many to print (ignored with --all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--all", action="store_true", help="every flagged message, not a sample")
    parser.add_argument("--out", help="write JSONL here instead of printing")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--scores", action="store_true", help="print the model's score of each sentence")
    args = parser.parse_args(argv)

    import bot

    print(f"bot from {bot.__file__}", file=sys.stderr)
    examples = [(e.id, e.text) for e in labelled(args.split) if e.flag]
    if not args.all:
        examples = random.Random(args.seed).sample(examples, min(len(examples), args.count * 2))
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            rows = pool.map(_one, examples, chunksize=16)
    else:
        rows = [_one(item) for item in examples]
    rows = [row for row in rows if row["suggestion"] is not None]
    if not args.all:
        rows = rows[: args.count]
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{len(rows)} suggestions written to {args.out}", file=sys.stderr)
        return 0
    for number, row in enumerate(rows, 1):
        print(f"[{number}] {row['id']} ({row['kind']})")
        print(f"  IN : {row['text']}")
        print(f"  OUT: {row['suggestion']}")
        if args.scores:
            for value, sentence in _sentence_scores(str(row["suggestion"])):
                print(f"       {value:.2f}  {sentence}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
