"""Which anchors, needles and pattern literals let clean realistic messages through the prefilter.

Run: python bench/anchor_report.py [--messages N]

For each rule: the share of clean messages (make_throughput_corpus.py, no bad phrase) that
make it a candidate, the anchors responsible, and the share on which one of its patterns
actually runs (a literal of it occurs too). Anchors that pass many clean messages are the
ones to make more specific in prompts/rules/*.toml.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import make_throughput_corpus as throughput
from bot.coaching.compact import compact
from bot.coaching.prefilter import compact_spans, leet_fold
from bot.coaching.rules import default_rules
from bot.coaching.text import normalize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    rules = default_rules()
    rng = random.Random(7)
    clean = [normalize(throughput.make(rng, 0.0)[0]).text for _ in range(args.messages)]
    candidate, runs, anchors_by_rule = Counter(), Counter(), {r.id: Counter() for r in rules.rules}
    any_candidate = any_run = 0
    for text in clean:
        hit_rules: set[str] = set()
        for end, (length, written, _literal) in rules.prefilter.iter(leet_fold(text)) if rules.prefilter else ():
            start = end - length + 1
            for anchor, wordlike, indices in written:
                if not text.startswith(anchor, start) or (
                    wordlike and start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")
                ):
                    continue
                for index in indices:
                    rule = rules.rules[index]
                    hit_rules.add(rule.id)
                    anchors_by_rule[rule.id][anchor] += 1
        folded = compact(text)
        raw = [(end - length + 1, end + 1, indices) for end, (length, _w, indices, _k) in rules.needles.iter(folded)]
        for (start, _end), (c_start, c_end, indices) in zip(
            compact_spans(text, [r[:2] for r in raw]), raw, strict=True
        ):
            if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
                for index in indices:
                    hit_rules.add(rules.rules[index].id)
                    anchors_by_rule[rules.rules[index].id]["needle " + folded[c_start:c_end]] += 1
        candidate.update(hit_rules)
        running = {rule.id for rule, _windows in rules.scan(text)}
        runs.update(running)
        any_candidate += bool(hit_rules)
        any_run += bool(running)
    n = len(clean)
    print(
        f"{n:,} clean realistic messages: {any_candidate / n:.1%} make some rule a candidate, "
        f"{any_run / n:.1%} run some pattern"
    )
    print(f"{'rule':24} {'candidate':>9} {'runs':>7}  anchors passing most clean messages")
    for rule_id, count in candidate.most_common(args.top):
        worst = ", ".join(f"{a!r} {c / n:.1%}" for a, c in anchors_by_rule[rule_id].most_common(5))
        print(f"{rule_id:24} {count / n:9.1%} {runs[rule_id] / n:7.1%}  {worst}")


if __name__ == "__main__":
    main()
