#!/usr/bin/env python3
"""Write data/synthetic_clean.jsonl: ordinary, clean support messages for the learned stage.

The labelled files are small, and in them a greeting, "the setup guide" or "your invoice"
turns up in harsh replies more often than in clean ones, so a model trained on them alone
learns that "Hi Sam, here's the setup guide" is suspicious. These messages, written from
scratch for this purpose (no sentence comes from any data file or benchmark corpus), show it
the everyday language of good support: greetings, facts, neutral causes with a fix, policies
with an alternative, notes to colleagues. They are negatives only, never positives.

    python scripts/make_clean_replies.py [--n 3000] [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "synthetic_clean.jsonl"

# fmt: off
NAMES = ["Sam", "Aditi", "Jonah", "Marisol", "Tobias", "Wen", "Farah", "Lukas", "Imogen", "Kofi", "Beatriz",
         "Hamish", "Noor", "Pavel", "Yuki", "Ciaran", "Adaeze", "Mateo", "Greta", "Rohan", "Selin", "Owen"]
# fmt: on
# fmt: off
SURNAMES = ["Okafor", "Lindqvist", "Haddad", "Moreau", "Castellano", "Nakamura", "Brennan", "Volkov", "Mensah",
            "Dubois", "Achterberg", "Quintero", "Fairweather", "Szabo"]
# fmt: on
HONORIFICS = ["Mr.", "Mrs.", "Ms.", "Dr.", "Mr", "Mrs", "Ms"]
TEAMS = [
    "billing",
    "the shipping desk",
    "our engineers",
    "the accounts team",
    "tier 2",
    "the warehouse",
    "our payments partner",
    "the returns team",
    "product support",
    "the onboarding team",
]
THINGS = [
    "the setup guide",
    "your invoice",
    "the order confirmation",
    "the tracking link",
    "the export file",
    "the admin console",
    "your account settings",
    "the mobile app",
    "the billing page",
    "the password link",
    "the warranty card",
    "the sizing chart",
    "the release notes",
    "the integration page",
    "the receipt",
    "the calendar invite",
    "the checkout page",
    "the support article",
    "the firmware update",
    "the renewal notice",
    "the data import",
    "the API key",
    "the shipping label",
    "the user guide",
]
TIMES = [
    "today",
    "by 5pm",
    "tomorrow morning",
    "within the hour",
    "on Thursday",
    "this afternoon",
    "by the end of the day",
    "first thing Monday",
    "in about ten minutes",
    "before noon",
]
AMOUNTS = ["$12.40", "€85", "£19.99", "$240", "€7.50", "£120", "$3.99", "€1,200"]
CAUSES = [
    "the card on file expired last month",
    "the courier's depot was closed for the holiday",
    "a sync job on our side stalled overnight",
    "the bank flagged the payment for a routine check",
    "the file was larger than the 25 MB limit",
    "the licence renewed on a different plan",
    "the session timed out after 30 minutes",
    "the address had two house numbers in it",
    "the update was still rolling out to your region",
    "the browser blocked the pop-up window",
]
FIXES = [
    "I've sent a secure link so you can update it",
    "I've rebooked the delivery for {time}",
    "I've restarted it and your data is back",
    "I've asked them to release it {time}",
    "I've split it into two parts and re-sent them",
    "I've moved you back to your usual plan",
    "I've extended the session limit on your account",
    "I've corrected it and reprinted the label",
    "it should reach you {time}",
    "I've whitelisted the page so it opens normally now",
]
# Status updates are the commonest support message of all: what was looked at, what works again.
EVIDENCE = [
    "screenshots",
    "logs",
    "details",
    "photos",
    "screen recording",
    "HAR file",
    "error message",
    "order number",
    "steps to reproduce",
    "console output",
    "timestamps",
]
SERVICES = [
    "the sync",
    "the import",
    "the nightly export",
    "the dashboard",
    "the webhook",
    "SSO login",
    "the invoice run",
    "the backup",
    "the integration",
    "the calendar feed",
    "search",
    "the mobile app",
]
STATES = [
    "is running again",
    "is working again",
    "is back up",
    "is syncing normally again",
    "is healthy again",
    "runs on schedule again",
    "is fixed",
]
PLACES = ["workspace", "account", "project", "store", "site", "team space", "organisation", "dashboard"]
# Ordinary words and names that share letters with put-downs ("idiom", "dumbbell", "Scunthorpe"):
# the learned stage reads character grams, so it must see them in clean text too.
LOOKALIKE_PRODUCTS = [
    "dumbbell set",
    "dumbwaiter",
    "cocktail shaker",
    "pebble lamp",
    "cast-iron skillet",
    "dumpling steamer",
    "Scunthorpe depot",
    "Middlesex branch",
    "bassoon case",
    "Cretaceous fossil kit",
    "Essex warehouse",
]
LOOKALIKE_WORDS = [
    "idiom",
    "idiomatic phrase",
    "idiosyncratic wording",
    "stupendous",
    "moratorium",
    "assessment",
    "classic theme",
    "thickness setting",
    "density option",
    "cluedo edition",
]
LANGUAGES = ["French", "German", "Spanish", "Japanese", "Polish", "Portuguese", "Dutch", "Turkish"]
OPENERS = [
    "Hi {name}, ",
    "Hello {name}, ",
    "Hey {name}! ",
    "Dear {name}, ",
    "Good morning {name}, ",
    "Hi {name} — ",
    "Thanks {name}! ",
    "Hi there, ",
    "",
    "",
    "<@U0{uid}> ",
    "Hi {title} {surname}, ",
    "Dear {title} {surname}, ",
    "Good afternoon {title} {surname}, ",
    "Hello {title} {surname} — ",
]
CLOSERS = [
    "",
    "",
    " Thanks!",
    " Have a lovely day.",
    " Cheers!",
    "\nBest,\nSupport",
    " :slightly_smiling_face:",
    " 🙂",
    " Thanks for your patience.",
    "\n\nKind regards",
]
BODIES = [
    "here's {thing}: <https://help.example.com/{n}|page {small}>.",
    "{thing} is attached, page {small} covers the part you asked about.",
    "I've checked {thing} and everything looks right on our side. The change goes live {time}.",
    "the charge of {amount} is the annual renewal; I've emailed you the receipt.",
    "your refund of {amount} is on its way and should show {time}.",
    "the delay happened because {cause}. {fix}.",
    "that happened because {cause}, so {fix}.",
    "good question! You'll find it under Settings > Billing, and I'm happy to walk you through it.",
    "we can't change the plan mid-cycle, but I can add a credit of {amount} so you don't pay twice.",
    "refunds after 30 days aren't something we can do, but I can offer an exchange or store credit, whichever suits you.",
    "I don't know the answer offhand, so I've asked {team} and I'll reply {time}.",
    "I'm not sure yet, but {team} is looking at it and I'll update you {time}.",
    "thanks for the screenshot, that helps a lot. I've passed it to {team} and I'll follow up {time}.",
    "sorry about the mix-up with {thing}, that one's on us. I've fixed it and sent a fresh copy.",
    "you should receive {thing} {time}; if it doesn't arrive, just reply here and I'll resend it.",
    "you must have been waiting a while, sorry about that. {fix}.",
    "could you send me a screenshot of {thing} so I can check what you're seeing?",
    "could you try signing out and back in? If {thing} still looks wrong, I'll dig in straight away.",
    "I've updated {thing} with the new address and the order ships {time}.",
    "your ticket #{n} is now with {team}; they'll reply {time}.",
    "no problem at all, I've changed it for you and {thing} now shows the right date.",
    "as you mentioned, {thing} showed the old price. I've corrected it and refunded the difference of {amount}.",
    "as a quick reminder, the maintenance window is {time}, and I'll message you once it's done.",
    "the policy on returns is here: <https://example.com/returns|returns policy>. Happy to start one for you.",
    "I've reset the password link; it's valid for 24 hours.",
    "you're right, {thing} was wrong. Thanks for spotting it, it's fixed now.",
    "welcome aboard! {thing} has everything you need to get started, and I'm around if you get stuck.",
    "the issue was on our end: {cause}. {fix}.",
    # Owning our mistake and reassuring the customer are clean (the labelling guide says so).
    "that's our fault, sorry. {fix}.",
    "this one is our mistake, not yours: {cause}. {fix}.",
    "apologies, the error was on our side. {fix}.",
    "you did nothing wrong here, {cause}. {fix}.",
    "no need to apologise at all, it happens. {fix}.",
    "none of this is down to you; {cause}. {fix}.",
    "thanks for the details, they made this much quicker. {fix}.",
    "thank you for the photos, that helped. {fix}.",
    "thanks for the {evidence}, they pinpointed it. {service} {state} on your {place}.",
    "{service} {state} on your {place}; the {evidence} you sent made it easy to find.",
    "got it, the {evidence} showed what was wrong. {service} {state}.",
    "quick update: {service} {state} on your {place}, and I'll keep an eye on it {time}.",
    "the {evidence} helped a lot! {service} {state} on your {place}.",
    "{service} {state}. Thanks again for the {evidence}, it saved us a lot of back and forth.",
    "the {product} you asked about is back in stock and ships {time}.",
    "I've checked the {product} order and it leaves our warehouse {time}.",
    "the {word} in the {language} version was translated too literally; I've corrected it.",
]
NOTES = [
    "told the customer it was our fault and refunded {amount}; {team} is fixing the template.",
    "let the customer know they did nothing wrong and sent the incident link.",
    "can someone from {team} take #{n}? customer is waiting on {thing}.",
    "FYI {team} fixed the bug behind #{n}, I'll update the {small} linked tickets.",
    "handover: {small} open, two waiting on {team}, one waiting on the customer.",
    "heads up, {thing} moved to a new URL, macros updated.",
    "#{n}: {cause}. {fix}. closing once they confirm.",
    "anyone know if {thing} supports SSO? the customer on #{n} is asking.",
    "reminder that the knowledge-base review is {time} :calendar:",
    "<@U0{uid}> could you check my reply on #{n} before I send it?",
    "logged the {amount} refund on #{n}, customer was lovely about it.",
    "queue is at {small}, mostly questions about {thing}.",
    "the {word} came out oddly in the {language} release notes, asked {team} to reword it.",
    "#{n}: the {product} arrived dented, replacement ships {time}.",
    "anyone know the stock level for the {product}? customer on #{n} is asking.",
]


def fill(rng: random.Random, template: str) -> str:
    return template.format(
        name=rng.choice(NAMES),
        title=rng.choice(HONORIFICS),
        surname=rng.choice(SURNAMES),
        team=rng.choice(TEAMS),
        thing=rng.choice(THINGS),
        time=rng.choice(TIMES),
        amount=rng.choice(AMOUNTS),
        cause=rng.choice(CAUSES),
        fix=rng.choice(FIXES).format(time=rng.choice(TIMES)),
        n=rng.randint(10000, 99999),
        small=rng.randint(2, 40),
        uid=f"{rng.getrandbits(28):07X}",
        evidence=rng.choice(EVIDENCE),
        service=rng.choice(SERVICES),
        state=rng.choice(STATES),
        place=rng.choice(PLACES),
        product=rng.choice(LOOKALIKE_PRODUCTS),
        word=rng.choice(LOOKALIKE_WORDS),
        language=rng.choice(LANGUAGES),
    )


def message(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return fill(rng, rng.choice(NOTES))
    parts = [fill(rng, rng.choice(BODIES)) for _ in range(rng.choice((1, 1, 1, 2)))]
    opener = fill(rng, rng.choice(OPENERS))
    body = " ".join(part[0].upper() + part[1:] if i else part for i, part in enumerate(parts))
    if not opener or opener.endswith(("! ", "> ")):
        body = body[0].upper() + body[1:]
    return opener + body + rng.choice(CLOSERS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seen: set[str] = set()
    rows = []
    while len(rows) < args.n:
        text = message(rng)
        if text not in seen:
            seen.add(text)
            rows.append({"id": f"sc{len(rows) + 1:05d}", "text": text, "source": "scripts/make_clean_replies.py"})
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"wrote {len(rows)} clean messages to {OUT}")


if __name__ == "__main__":
    main()
