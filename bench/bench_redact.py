"""Benchmark: redact() per message at 100, 2,000 and 40,000 characters, and hostile inputs.

Run: python bench/bench_redact.py [--rounds R]

Redaction runs only on flagged messages (and on the excerpt's window, not the whole text), so
it is not on the hot path; this shows it stays linear. Prints µs per message for the realistic
corpus of bench/make_throughput_corpus.py, for support chatter where every sentence holds
something to redact (100 / 2,000 / 40,000 characters), the same with 500 known names, and the time of
40,000-character messages built to make a backtracking pattern go quadratic (long runs of one
character class, separators every other character, greeting floods). Target: every hostile
message under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import realistic_corpus
from bot.redact import KnownNames, excerpt, redact

SENTENCES = [
    "Hi Tomasz Nowak, as I already said the refund went to DE89 3704 0044 0532 0130 00 yesterday.",
    "Customer at 221B Baker Street says cvv 123 was rejected, call +44 20 7946 0958.",
    "Ticket #48213 and INC-20931 are the same bug, fixed in 2.14.3, refund $1,299.00 on 2026-11-03.",
    "Logins from 192.168.10.24 and 2001:db8::7:1 look odd; SSN 123-45-6789 was pasted, please delete.",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl in the log.",
    "Thanks, Priya. Maria said the export of 12.5% of the rows failed at 10:30:15 UTC.",
    "You should have read the manual, the model SM-G991B is not supported, order ORD-2026-004812.",
    "mail jane.doe@example.com or BSN 123456782, NIE X1234567L, codice RSSMRA85T10A562S.",
]


def message(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = rng.choice(SENTENCES)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[:size]


def hostile() -> dict[str, str]:
    n = 40_000
    return {
        "one letter": "a" * n,
        "one digit": "1" * n,
        "digit space": "1 " * (n // 2),
        "letter hyphen": "a-" * (n // 2),
        "capital words": "Aa " * (n // 3),
        "greeting flood": "Hi " * (n // 3),
        "greeting names": "Hi Anna Bea Cleo " * (n // 17),
        "dotted digits": "1.1." * (n // 4),
        "colons": "1:" * (n // 2),
        "at signs": "a@" * (n // 2),
        "dots before @": "a." * (n // 2) + "@",
        "eyJ run": "eyJ" + "A" * (n - 3),
        "number street words": "12 Aa " * (n // 6),
        "base64 run": "Ab1+" * (n // 4),
        "IBAN bait": "DE89 " * (n // 5),
        "straße bait": "Aaaastraße " * (n // 11),
    }


def best_of(fn: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(16)
    names = KnownNames(
        f"{first} {last}"
        for first, last in zip(
            (f"Name{i:03d}" for i in range(500)), (f"Family{i:03d}" for i in range(500)), strict=True
        )
    )
    names = names.with_names(["Maria Lopez", "Priya Nair"])
    print("redact(), best of", args.rounds, "rounds")
    corpus = realistic_corpus(2000)
    typical = best_of(lambda: [redact(t) for t in corpus], args.rounds) / len(corpus)
    windows = best_of(lambda: [excerpt(t, 0, 20, known_names=names) for t in corpus], args.rounds) / len(corpus)
    print(
        f"  realistic corpus (median ~130 chars): {typical * 1e6:,.0f} µs/message; "
        f"excerpt() with 502 known names: {windows * 1e6:,.0f} µs"
    )
    for size in (100, 2_000, 40_000):
        count = max(1, 200_000 // size)
        texts = [message(rng, size) for _ in range(count)]
        plain = best_of(lambda texts=texts: [redact(t) for t in texts], args.rounds) / count
        named = best_of(lambda texts=texts: [redact(t, names) for t in texts], args.rounds) / count
        print(f"  {size:>6,} chars: {plain * 1e6:>10,.0f} µs/message   with 502 known names: {named * 1e6:>10,.0f} µs")
    print("hostile 40,000-character messages (target < 50 ms each)")
    worst = 0.0
    for label, text in hostile().items():
        seconds = best_of(lambda text=text: redact(text, names), max(1, args.rounds // 2))
        worst = max(worst, seconds)
        print(f"  {label:<22} {seconds * 1e3:>8.1f} ms")
    print(f"worst hostile: {worst * 1e3:.1f} ms ({'ok' if worst < 0.05 else 'OVER TARGET'})")


if __name__ == "__main__":
    main()
