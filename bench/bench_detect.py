"""Benchmark: detect() on short and realistic Slack corpora against a naive keyword regex.

Run: python bench/bench_detect.py [--messages N] [--seed S] [--rounds R]

Prints, from one run with interleaved rounds (the best round counts: noise on a shared
machine only ever adds time; times are this process's CPU time, so other jobs on the
machine slow the wall clock, not the figures; bench/ab.py runs this side by side for two
source trees):
- messages/s of detect() and of a single case-insensitive regex of ~65 keywords (the obvious
  "bad word filter") on bench's own 75-character corpus and on the realistic corpus the
  product is measured on (bench/make_throughput_corpus.py, median ~130 characters);
- detect() with the rule set repeated 10 times (renamed ids), on the realistic corpus, once
  as plain copies and once with no compiled pattern shared between the copies;
- cost per character of 100 to 40,000-character ordinary and harsh messages, against the
  per-character cost of a typical (realistic-corpus) message, and a hostile 40,000-character
  message built to hurt.
Targets: realistic detect >= 2x the naive regex; 40,000 characters <= 3x the typical cost per
character and < 10 ms; 10x the rules <= 2x the time.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import long_message, realistic_corpus, short_corpus
from bot.coaching.detect import detect
from bot.coaching.rules import RuleSet, default_rules

# fmt: off
NAIVE_TERMS = [
    "idiot", "id10t", "moron", "stupid", "dumb", "clueless", "pebkac", "pebcak", "picnic", "layer 8",
    "code 18", "luser", "rtfm", "user error", "wetware", "karen", "brain dead", "imbecile", "halfwit",
    "as i said", "as i already said", "like i said", "i told you", "as previously stated", "per my last",
    "calm down", "relax", "you're wrong", "you are wrong", "incorrect", "obviously", "clearly",
    "impossible", "no way", "did you even", "not that hard", "no offense", "for the last time",
    "not our fault", "your fault", "you should have", "why didn't you", "you must have", "you broke",
    "your problem", "on you", "not responsible", "not liable", "user error", "you didn't read",
    "nothing we can do", "nothing i can do", "our policy", "company policy", "policy is policy",
    "rules are rules", "not my job", "not my department", "not my problem", "pay grade",
    "i don't know", "idk", "dunno", "take it up with", "it is what it is", "out of our hands",
]
# fmt: on
SIZES = (100, 1_000, 10_000, 40_000)


def hostile_message() -> str:
    """40,000 characters built to hurt: backtracking bait, invisible floods, fullwidth text."""
    parts = [
        "as " * 2000,
        "\u200b" * 4000,
        "ＹＯＵ ＳＨＯＵＬＤ ＨＡＶＥ " * 300,
        "you " * 1500,
        "p e b k a " * 500,
        "<" * 2000 + "&gt;" * 500,
        "'" * 1000 + '"' * 1000,
    ]
    text = "".join(parts)
    return (text * 2)[:40_000]


def repeated(rules: RuleSet, times: int, distinct: bool = False) -> RuleSet:
    """The rule set ``times`` over, ids renamed: what a much larger rule base costs.

    ``distinct`` also gives every copy its own compiled patterns (a no-op group appended),
    so nothing is shared between copies: the honest stand-in for ten times as many
    different rules.
    """
    copies = []
    for k in range(times):
        for rule in rules.rules:
            patterns = rule.patterns
            if distinct and k:
                patterns = tuple(re.compile(p.pattern + "(?:)" * k, p.flags) for p in patterns)
            copies.append(dataclasses.replace(rule, id=f"{rule.id}-x{k}", patterns=patterns))
    return RuleSet.build(copies, rules.categories)


def timed(func: Callable[[str], object], messages: list[str]) -> tuple[float, int]:
    started = time.process_time()
    flagged = sum(1 for message in messages if func(message))
    return time.process_time() - started, flagged


def report(label: str, rounds: list[float], count: int, flagged: int) -> float:
    best = min(rounds)
    rate = count / best
    print(
        f"  {label:40} {rate:10,.0f} msg/s   best {best:5.2f} s, median {statistics.median(rounds):5.2f} s"
        f"   flagged {flagged:,}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per contender (best counts)")
    args = parser.parse_args()

    rules = default_rules()
    rules10 = repeated(rules, 10)
    distinct10 = repeated(rules, 10, distinct=True)
    short = short_corpus(args.messages, args.seed)
    real = realistic_corpus(args.messages, args.seed)
    naive = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in NAIVE_TERMS) + r")\b", re.IGNORECASE)
    chars = sum(map(len, real))
    print(
        f"{args.messages:,} messages per corpus (short: mean {sum(map(len, short)) / len(short):.0f} chars; "
        f"realistic: mean {chars / len(real):.0f}, median {sorted(map(len, real))[len(real) // 2]}), "
        f"{len(rules.rules)} rules, {len(NAIVE_TERMS)} naive terms, {args.rounds} interleaved rounds"
    )
    detect("warm-up", rules)
    detect("warm-up", rules10)
    detect("warm-up", distinct10)
    contenders: dict[str, tuple[Callable[[str], object], list[str]]] = {
        "short: detect()": (lambda m: detect(m, rules).flagged, short),
        "short: naive regex": (naive.search, short),
        "realistic: detect()": (lambda m: detect(m, rules).flagged, real),
        "realistic: naive regex": (naive.search, real),
        "realistic: detect(), 10x rules": (lambda m: detect(m, rules10).flagged, real),
        "realistic: detect(), 10x distinct rules": (lambda m: detect(m, distinct10).flagged, real),
    }
    rounds: dict[str, list[float]] = {label: [] for label in contenders}
    flagged: dict[str, int] = {}
    for _ in range(args.rounds):  # interleaved, so a noisy moment hurts all alike
        for label, (func, messages) in contenders.items():
            elapsed, flagged[label] = timed(func, messages)
            rounds[label].append(elapsed)
    rate = {label: report(label, rounds[label], args.messages, flagged[label]) for label in contenders}
    print(f"short:     detect / naive = {rate['short: detect()'] / rate['short: naive regex']:.2f}x")
    print(
        f"realistic: detect / naive = {rate['realistic: detect()'] / rate['realistic: naive regex']:.2f}x"
        " (target >= 2x)"
    )
    print(
        f"10x rules: time x{rate['realistic: detect()'] / rate['realistic: detect(), 10x rules']:.2f}, "
        f"no patterns shared x{rate['realistic: detect()'] / rate['realistic: detect(), 10x distinct rules']:.2f}"
        " (target <= 2x)"
    )

    typical_ns = min(rounds["realistic: detect()"]) / chars * 1e9
    print(f"per character (typical = realistic corpus, {typical_ns:.0f} ns/char):")
    long_texts = {(kind, size): long_message(size, kind, args.seed) for kind in ("ordinary", "harsh") for size in SIZES}
    best = dict.fromkeys(long_texts, float("inf"))
    findings = {}
    for _ in range(args.rounds + 2):  # interleaved too: a noisy stretch hits every size alike
        for key, text in long_texts.items():
            reps = max(3, 200_000 // len(text))
            started = time.process_time()
            for _ in range(reps):
                analysis = detect(text, rules)
            best[key] = min(best[key], (time.process_time() - started) / reps)
            findings[key] = len(analysis.findings)
    for kind in ("ordinary", "harsh"):
        first = best[(kind, SIZES[0])] / len(long_texts[(kind, SIZES[0])]) * 1e9
        for size in SIZES:
            seconds = best[(kind, size)]
            per_char = seconds / len(long_texts[(kind, size)]) * 1e9
            print(
                f"  {kind:8} {size:6,} chars: {seconds * 1000:8.3f} ms, {per_char:6.0f} ns/char "
                f"= {per_char / typical_ns:4.1f}x typical, {per_char / first:4.1f}x its 100-char cost, "
                f"{findings[(kind, size)]} findings"
            )
    text = hostile_message()
    timings = []
    for _ in range(5):
        started = time.process_time()
        detect(text, rules)
        timings.append((time.process_time() - started) * 1000)
    print(f"hostile 40,000-char message: best {min(timings):.1f} ms, worst {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
