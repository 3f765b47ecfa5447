"""Corpora the detect benchmarks and consistency check share, generated in memory.

``realistic_corpus`` is the generator the product is measured on
(``bench/make_throughput_corpus.py``: ~130-character median, Slack markup, common support
words); ``short_corpus`` is bench_detect's original 75-character corpus, kept because it is
what earlier figures were quoted on; ``long_message`` builds 100 to 40,000-character
ordinary or harsh messages for the per-character cost.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_throughput_corpus as throughput

NAMES = ["Odette", "Raj", "Mei", "Tomás", "Ines", "Kwame", "Priya", "Lars", "Aoife", "Yusuf", "Beatrix"]
COMPANIES = ["Tillman Sports", "Orchard Dental", "Wynn & Co", "Brightwater", "Fenwick Legal", "Larkspur Vets"]
CLEAN = [
    "Hi {name}, thanks for reaching out! I've refunded order #{n} and you'll see it in 3-5 days.",
    "Hi {name}, your replacement ships today with tracking: <https://track.example.com/{n}|{n}>",
    "queue's at {small}, chat at {tiny}, all good 👍",
    "<@U0{n}> can you take the {company} ticket? I'm in a call till 3",
    "Thanks {name}, I've escalated this to our billing team, they'll reply by 4pm.",
    "Hi {name}, I'm sorry about the confusion with the invoice. I've voided the duplicate.",
    "ENG says the fix for the sync bug ships Thursday, I'll update the {small} affected tickets",
    "Hi {name}, could you share a screenshot of the error? Then I can dig in.",
    "anyone know if we have a macro for lost gift cards?",
    "Hi {name}, great question! You can change your plan under Settings → Billing.",
    "Handover: nothing urgent, {tiny} tickets waiting on customer replies",
    "The import endpoint returns `422` with `type: user_error` if a column is missing.",
    "Hi {name}, the courier tried to deliver at 10:14 but couldn't access the building.",
    "{company} renewed for 2 years 🎉 shoutout to <@U0{n}>",
    "> it still doesn't work\nHi {name}, sorry! I've reset the cache on our side, please try again.",
    "Hi {name}, I've added your colleague as an admin. They'll get an invite shortly.",
    "lunch order closing in 10, add yours to the thread 🌯",
    "Our first-response time is {small} minutes today 🚀 nice work everyone",
    "Hi {name}, your warranty is valid until March. I'll arrange the repair pickup now.",
    "Customer on #{n} wants someone in AEST, can APAC pick it up tomorrow?",
]
HARSH = [
    "Hi {name}, as I already said, the return label is in your confirmation email.",
    "PEBKAC again at {company}, caps lock was on",
    "Hi {name}, you should have read the sizing chart before ordering.",
    "calm down, it has been forty minutes",
    "That's company policy, I won't make an exception.",
    "another I-D-1-0-T from {company} lol",
    "Not my problem, ask the shop you bought it from.",
    "Did you even look at the tracking link?",
    "the guy from {company} is a complete moron",
    "layer 8 issue on the {company} account",
]


def short_corpus(count: int, seed: int = 7, harsh_share: float = 0.03) -> list[str]:
    """bench_detect's own corpus: ~75-character messages, ~3% harsh."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        template = rng.choice(HARSH) if rng.random() < harsh_share else rng.choice(CLEAN)
        messages.append(
            template.format(
                name=rng.choice(NAMES),
                company=rng.choice(COMPANIES),
                n=rng.randint(10000, 99999),
                small=rng.randint(5, 40),
                tiny=rng.randint(1, 9),
            )
        )
    return messages


def realistic_corpus(count: int, seed: int = 7, bad_rate: float = 0.03) -> list[str]:
    """The product's throughput corpus (make_throughput_corpus.py), generated in memory."""
    rng = random.Random(seed)
    return [throughput.make(rng, bad_rate)[0] for _ in range(count)]


def long_message(size: int, kind: str = "ordinary", seed: int = 7) -> str:
    """One message of about ``size`` characters: support sentences, or ("harsh") every
    other sentence a harsh phrase, the densest a real message plausibly gets."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        if kind == "harsh" and len(parts) % 2:
            phrase = rng.choice(throughput.BAD)[0]
            sentence = phrase[0].upper() + phrase[1:] + rng.choice([".", "!", " -", ","])
        else:
            sentence = throughput.fill(rng, rng.choice(throughput.TEMPLATES))
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[:size]
