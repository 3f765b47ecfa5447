"""Regenerate bot/sample_export/: a fictional support team's Slack export, two weeks long.

Deterministic (seeded), so the committed files only change when this script does. Most
messages are professional; a realistic share put customers down, blame, argue or brush
them off; and plenty are near-misses the coach must leave alone.

Run: python scripts/make_sample_export.py
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "sample_export"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
DAYS = 14
TEAM = "T0SAMPLE1"

USERS = {
    "U01MARIA": "Maria Lopez",
    "U02DEV": "Dev Patel",
    "U03SAM": "Sam O'Neill",
    "U04PRIYA": "Priya Nair",
    "U05TOM": "Tom Becker",
    "U06AIKO": "Aiko Tanaka",
    "U07JONAS": "Jonas Weber",
}
CHANNELS = {"support-frontline": "C01FRONT", "support-billing": "C02BILL", "support-escalations": "C03ESC"}
# Who tends to write where, and how often each agent slips (a realistic spread, not a sermon).
HABITS = {
    "U01MARIA": 0.04,
    "U02DEV": 0.25,
    "U03SAM": 0.12,
    "U04PRIYA": 0.05,
    "U05TOM": 0.30,
    "U06AIKO": 0.02,
    "U07JONAS": 0.10,
}
CUSTOMERS = [
    "Raj",
    "Odette",
    "Mr. Alvarez",
    "Chen",
    "Fatima",
    "Greg",
    "Lena",
    "Tomasz",
    "Nia",
    "Oskar",
    "Beatriz",
    "Mrs. Kowalski",
    "Hamid",
    "Yuki",
]
ORDER = ["A-10442", "A-10871", "B-22019", "B-23310", "C-40012", "A-11950"]

PROFESSIONAL = [
    "Hi {c}, thanks for your patience. I've reset the password link; it's valid for 24 hours.",
    "Hi {c}, I'm sorry the parcel is late. Order {o} left our warehouse yesterday, here's the tracking: <https://track.example.com/{o}|track {o}>",
    "sending: \"Hi {c}, I've refunded the duplicate charge on invoice {n}. You'll see it in 3-5 business days.\"",
    "Hi {c}, good catch: that is a bug on our side. I've logged it and credited your account for the month.",
    "Hi {c}, I understand how frustrating this is. Let me check with billing and get back to you by 3pm.",
    "Hi {c}, the export button moved to Settings → Data in the last update. I'll send you a short video.",
    "Hi {c}, I can't refund after 60 days, but I can offer a credit or move the licence to your new account. Which would help more?",
    "Hi {c}, thanks for the screenshots, they made this quick. The sync is running again on your workspace.",
    "Hi {c}, I don't know offhand, but I'll check with the payments team and reply within the hour.",
    "Hi {c}, you should have received a confirmation email at 10:14. If it isn't there, I'll resend it now.",
    "Hi {c}, as you already mentioned, the app crashes on start. Could you send me the version number from Settings → About?",
    "Hi {c}, that's our fault, sorry. The invoice template had the wrong VAT number; a corrected one is attached.",
    "Hi {c}, not your fault at all: the reset email was stuck in our queue. It's on its way now.",
    "Hi {c}, happy to help. Order {o} is being re-shipped with express delivery at no cost.",
    "Hi {c}, I've escalated this to our engineers and will update you tomorrow morning either way.",
    "Hi {c}, here's how to set up SSO step by step: <https://help.example.com/sso|SSO guide>. Shall I join a call?",
]
INTERNAL_CLEAN = [
    "Anyone else seeing the billing API time out? Three tickets in ten minutes.",
    "Taking lunch, back in 30. <@U06AIKO> has my queue.",
    "FYI the status page is updated for the EU outage.",
    "Can someone with admin rights re-send an invite for ticket #{n}?",
    "Macro for the new refund policy is live, thanks <@U04PRIYA>!",
    "Customer in ticket #{n} is really patient, lovely person. Sorted their import in one go.",
    "Heads up: the reset emails are delayed about 15 min, infra is on it.",
    "I'll take the escalations queue this afternoon.",
    "Not my area, pinging <@U07JONAS> from infra for the customer on #{n}.",
    "Three customers today couldn't find the new export menu. Worth a docs fix?",
    "My bad, user error on my side: I applied the coupon to the wrong account. Fixed now.",
    "Good morning team! Queue is at 14, mostly password resets.",
]
NEAR_MISS = [
    "Gateway returned code 18 on the payment for order {o}, retrying with the backup processor.",
    "Layer 7 load balancer is dropping websocket connections again, infra ticket filed.",
    "Karen Mbeki from finance approved the refund for order {o}.",
    "Team picnic is on Friday! Bring snacks 🧺",
    "For new hires: we never call customers PEBKAC or ID10T, even as a joke. Say what confused them instead.",
    'Customer wrote: "you people are idiots and your app is garbage". Replied calmly with the fix and a credit.',
    "The log shows `error: user_error (code 40)` from the SDK, not something the customer did.",
    "It's not a PEBKAC, the installer really is broken on macOS 15.",
    "Obviously we hold ourselves to the 4-hour SLA, so I've asked for help on the backlog.",
    "As a quick reminder, the holiday schedule is pinned in this channel.",
    "Shipment to Moroni (Comoros) is delayed by customs, I've told the customer and offered a refund.",
    "The picnic table order for the Oslo store shipped today.",
    "Told the customer there's no need to apologise, they did nothing wrong, and sent the incident link.",
    "Grammar nazi moment: it's 'log in' as a verb, 'login' as a noun, in the macros.",
]
HARSH = [
    "another PEBKAC in #{n}, guy couldn't find the power button lol",
    "ID10T error again, she forgot her password for the third time this week",
    "classic layer 8 problem, the customer never read the setup guide",
    "Hi {c}, as I already said, the refund takes 5 days. Please stop asking.",
    "Hi {c}, you should have read the sizing chart before ordering.",
    "Hi {c}, that's not our fault, the courier lost it. Take it up with them.",
    "Hi {c}, calm down, it's only been an hour.",
    "Hi {c}, there's nothing we can do. It is what it is.",
    'sending: "Hi {c}, you must have clicked the wrong button, it works fine on our end."',
    "Hi {c}, that's our policy. Rules are rules.",
    "Hi {c}, obviously the export is in Settings. It's not that hard.",
    "Hi {c}, per my last email, the invoice {n} is correct.",
    "this one is a total moron, asked me how to paste a link",
    "RTFM, seriously. It's on page one of the manual.",
    "Hi {c}, did you even read the email we sent?",
    "Not my department, talk to billing.",
    "Hi {c}, if you had followed the instructions this wouldn't have happened.",
    "PICNIC again. Problem in chair, not in computer.",
    "Hi {c}, you're wrong, we never charged you twice.",
    "can't fix stupid 🤷 customer #{n} wants a refund for their own typo",
]


def message(rng: random.Random, user: str, when: datetime, text: str, **extra: object) -> dict[str, object]:
    ts = f"{when.timestamp():.6f}"
    return {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM,
        "user_profile": {"real_name": USERS[user]},
        **extra,
    }


def fill(rng: random.Random, template: str) -> str:
    return template.format(c=rng.choice(CUSTOMERS), o=rng.choice(ORDER), n=rng.randint(40000, 49999))


def build(rng: random.Random) -> dict[str, dict[str, list[dict[str, object]]]]:
    days: dict[str, dict[str, list[dict[str, object]]]] = {name: {} for name in CHANNELS}
    for day in range(DAYS):
        date = START + timedelta(days=day)
        if date.weekday() >= 5 and rng.random() < 0.7:
            continue  # quiet weekends
        for channel in CHANNELS:
            count = rng.randint(6, 12)
            when = date
            for _ in range(count):
                when += timedelta(minutes=rng.randint(3, 50), seconds=rng.randint(0, 59))
                user = rng.choice(list(USERS))
                roll = rng.random()
                if roll < HABITS[user]:
                    text = fill(rng, rng.choice(HARSH))
                elif roll < HABITS[user] + 0.18:
                    text = fill(rng, rng.choice(NEAR_MISS))
                elif roll < HABITS[user] + 0.45:
                    text = fill(rng, rng.choice(INTERNAL_CLEAN))
                else:
                    text = fill(rng, rng.choice(PROFESSIONAL))
                entry = message(rng, user, when, text)
                bucket = days[channel].setdefault(date.strftime("%Y-%m-%d"), [])
                if bucket and rng.random() < 0.15:  # a thread reply to an earlier message
                    parent = rng.choice(bucket)
                    entry["thread_ts"] = parent.get("thread_ts", parent["ts"])
                bucket.append(entry)
            if rng.random() < 0.3:
                bucket = days[channel].setdefault(date.strftime("%Y-%m-%d"), [])
                bucket.append(
                    {
                        "type": "message",
                        "subtype": "bot_message",
                        "bot_id": "B0HELPDESK",
                        "text": f'New ticket #{rng.randint(40000, 49999)} from a customer: "you guys are morons"',
                        "ts": f"{(when + timedelta(minutes=1)).timestamp():.6f}",
                    }
                )
    first = f"{START.strftime('%Y-%m-%d')}"
    days["support-escalations"].setdefault(first, []).insert(
        0,
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U07JONAS",
            "text": "<@U07JONAS> has joined the channel",
            "ts": f"{(START - timedelta(minutes=5)).timestamp():.6f}",
        },
    )
    return days


def main() -> None:
    rng = random.Random(20261102)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    created = int(START.timestamp()) - 86400 * 200
    (OUT / "channels.json").write_text(
        json.dumps(
            [
                {
                    "id": cid,
                    "name": name,
                    "created": created,
                    "creator": "U06AIKO",
                    "is_archived": False,
                    "members": list(USERS),
                    "purpose": {"value": f"Customer support: {name.split('-')[1]}"},
                }
                for name, cid in CHANNELS.items()
            ],
            indent=1,
        ),
        encoding="utf-8",
    )
    (OUT / "users.json").write_text(
        json.dumps(
            [
                {
                    "id": uid,
                    "team_id": TEAM,
                    "name": name.split()[0].lower(),
                    "real_name": name,
                    "is_bot": False,
                    "profile": {"real_name": name, "display_name": name.split()[0]},
                }
                for uid, name in USERS.items()
            ]
            + [
                {
                    "id": "U0HELPBOT",
                    "team_id": TEAM,
                    "name": "helpdesk",
                    "is_bot": True,
                    "profile": {"real_name": "Helpdesk"},
                }
            ],
            indent=1,
        ),
        encoding="utf-8",
    )
    total = 0
    for channel, days in build(rng).items():
        folder = OUT / channel
        folder.mkdir()
        for date, messages in sorted(days.items()):
            messages.sort(key=lambda m: float(str(m["ts"])))
            (folder / f"{date}.json").write_text(json.dumps(messages, indent=1, ensure_ascii=False), encoding="utf-8")
            total += len(messages)
    print(f"wrote {total} messages to {OUT}")


if __name__ == "__main__":
    main()
