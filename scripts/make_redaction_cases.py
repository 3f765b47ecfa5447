"""Write tests/data/redaction_cases.jsonl: what redaction must remove, and what it must leave.

Run: python scripts/make_redaction_cases.py [--per-kind N] [--seed S] [--out PATH]

Each line is one case:
- {"kind": K, "text": ..., "gone": [...], "label": "[x]", "known_names": [...]}: every string in
  "gone" must be absent from redact(text, known_names) and "label" present;
- {"kind": "lookalike", "family": F, "text": ...}: redact(text) must return text unchanged
  (tickets, versions, amounts, dates, order ids, times, percentages, model numbers, greetings
  without a name, and numbers in prose that sit next to street-like words).

Values are valid where the kind has a checksum (IBAN mod 97, Luhn, the 11-test, DNI letters,
codice fiscale, INSEE key, Steuer-ID, PESEL), built from random parts, written in the formats
people type (grouped, compact, lower case, with a label or without) and set in varied support
chatter, so no two cases of a kind share a template and a value.
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "redaction_cases.jsonl"

# fmt: off
FIRST = ["Tomasz", "Priya", "Jo", "Anna", "José", "Zoë", "Łukasz", "Søren", "Aoife", "Chidi", "Mei", "Oluwaseun",
         "Dmitri", "Ingrid", "Mateo", "Fatima", "Hiroshi", "Siobhan", "Kwame", "Elif", "Linh", "Rafael",
         "Agnieszka", "Björn", "Camille", "Giulia", "Sven", "Yusuf", "Marta", "Jean-Luc", "Ana", "Noor", "Emeka",
         "Hana", "Lars", "Ravi", "Sofia", "Jakub", "Amara", "Teodor", "Ines", "Kofi", "Leila", "Niamh", "Pavel",
         "Rosa", "Tariq", "Ulla", "Wojciech", "Xiu", "Yara", "Zainab", "Andrés", "Bea", "Callum", "Dagny"]
# fmt: on
# fmt: off
LAST = ["Nowak", "Kowalska", "O'Brien", "McAllister", "Fernández", "Müller", "Rossi", "Dubois", "Okafor",
        "Nakamura", "Sharma", "Petrov", "Johansson", "García", "Haddad", "Kim", "Nguyen", "Silva", "Novák",
        "MacLeod", "Schmidt", "Moreau", "Lindqvist", "Adeyemi", "Tanaka", "Costa", "Ivanova", "Byrne",
        "Wiśniewski", "Papadopoulos", "Yılmaz", "Mensah", "Horvat", "Andersen", "Bianchi", "Ferreira"]
# fmt: on
PARTICLE_LAST = ["van der Berg", "de Jong", "van Dijk", "von Trapp", "da Silva", "di Stefano", "de la Cruz"]
HONORIFICS = ["Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Herr", "Frau", "Mme"]

# Support chatter around a value: the value's sentence is set between these.
BEFORE = [
    "",
    "",
    "",
    "FYI ",
    "Update: ",
    "(internal) ",
    "Escalating — ",
    "Per the thread, ",
    "Note for billing: ",
    "As I already said, ",
    "Customer wrote: ",
    "> ",
    "ok so ",
    "Heads up: ",
    "From the call: ",
    "Re-posting: ",
]
AFTER = [
    "",
    "",
    "",
    " Thanks!",
    " Can someone check?",
    " Please don't share this further.",
    " :eyes:",
    " I'll follow up tomorrow.",
    " (from the chat transcript)",
    " — see thread",
    " Any ideas?",
    " lol",
    " They are not happy.",
    " Closing this one.",
]


def wrap(rng: random.Random, sentence: str) -> str:
    return rng.choice(BEFORE) + sentence + rng.choice(AFTER)


# --- values --------------------------------------------------------------------------------


def luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, ch in enumerate(reversed(body)):
        d = int(ch)
        if index % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


IBAN_BBAN = {  # country: (length of the BBAN, letters at the start of it)
    "DE": (18, 0),
    "GB": (18, 4),
    "FR": (23, 0),
    "ES": (20, 0),
    "IT": (23, 1),
    "NL": (14, 4),
    "BE": (12, 0),
    "AT": (16, 0),
    "CH": (17, 0),
    "PL": (24, 0),
    "PT": (21, 0),
    "IE": (18, 4),
    "SE": (20, 0),
    "DK": (14, 0),
    "NO": (11, 0),
    "FI": (14, 0),
    "LU": (16, 0),
    "CZ": (20, 0),
    "HU": (24, 0),
    "RO": (20, 4),
    "GR": (23, 0),
    "HR": (17, 0),
    "SI": (15, 0),
    "SK": (20, 0),
    "LT": (16, 0),
    "LV": (17, 4),
    "EE": (16, 0),
    "MT": (27, 4),
}


def iban(rng: random.Random) -> str:
    country = rng.choice(sorted(IBAN_BBAN))
    length, letters = IBAN_BBAN[country]
    bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(letters))
    bban += "".join(rng.choice(string.digits) for _ in range(length - letters))
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def group4(value: str, sep: str = " ") -> str:
    return sep.join(value[i : i + 4] for i in range(0, len(value), 4))


def ssn(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def uk_ni(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(NI_FIRST) + rng.choice(NI_SECOND)
        if prefix not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
            return prefix + "".join(rng.choice(string.digits) for _ in range(6)) + rng.choice("ABCD")


def bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        last = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(rng: random.Random) -> str:
    number = rng.randint(1_000_000, 99_999_999)
    return f"{number:08d}{DNI_LETTERS[number % 23]}"


def nie(rng: random.Random) -> str:
    first = rng.choice("XYZ")
    number = rng.randint(0, 9_999_999)
    return f"{first}{number:07d}{DNI_LETTERS[int(str('XYZ'.index(first)) + f'{number:07d}') % 23]}"


# fmt: off
CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3,
                   6, 8, 12, 14, 16, 10, 22, 25, 24, 23), strict=True))
# fmt: on


def codice_fiscale(rng: random.Random) -> str:
    consonants = "BCDFGHJKLMNPQRSTVWXZ"
    body = "".join(rng.choice(consonants) for _ in range(3)) + "".join(
        rng.choice(consonants + "AEIOU") for _ in range(3)
    )
    body += f"{rng.randint(0, 99):02d}" + rng.choice("ABCDEHLMPRST")
    body += (
        f"{rng.randint(1, 28) + rng.choice((0, 40)):02d}" + rng.choice("ABCDEFGHILMZ") + f"{rng.randint(1, 999):03d}"
    )
    total = sum(CF_ODD[ch] if i % 2 == 0 else (int(ch) if ch.isdigit() else ord(ch) - 65) for i, ch in enumerate(body))
    return body + chr(65 + total % 26)


def insee(rng: random.Random) -> str:
    dept = rng.choice([f"{rng.randint(1, 95):02d}", "2A", "2B", f"{rng.randint(1, 95):02d}"])
    if dept == "20":
        dept = "21"
    first13 = (
        f"{rng.randint(1, 2)}{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{dept}"
        f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    )
    number = first13
    if dept in ("2A", "2B"):  # Corsica: the key is computed with 19 and 18 in place of 2A and 2B
        number = first13[:5] + ("19" if dept == "2A" else "18") + first13[7:]
    return f"{first13}{97 - int(number) % 97:02d}"


def steuer_id(rng: random.Random) -> str:
    while True:
        digits = rng.sample(string.digits, 9)
        digits.insert(rng.randint(0, 9), rng.choice(digits))
        if digits[0] == "0":
            continue
        product = 10
        for ch in digits:
            total = (int(ch) + product) % 10 or 10
            product = (total * 2) % 11
        check = 11 - product
        return "".join(digits) + str(0 if check == 10 else check)


def pesel(rng: random.Random) -> str:
    year = rng.randint(1950, 2012)
    month = rng.randint(1, 12) + (20 if year >= 2000 else 0)
    body = f"{year % 100:02d}{month:02d}{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    return body + str((10 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 10) % 10)


def ipv4(rng: random.Random) -> str:
    first = rng.choice([10, 172, 192, 203, 81, 145, 62, 100, 8, 34, 52, 185, 91, 213])
    return ".".join(str(x) for x in (first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)))


def ipv6(rng: random.Random) -> str:
    style = rng.randrange(5)
    groups = [rng.randint(0, 0xFFFF) for _ in range(8)]
    if style == 0:  # documentation prefix, compressed
        groups[:2] = [0x2001, 0xDB8]
        groups[2:5] = [0, 0, 0]
    elif style == 1:  # link-local
        groups[:4] = [0xFE80, 0, 0, 0]
    elif style == 2:
        groups[3:7] = [0, 0, 0, 0]
    address = ipaddress.IPv6Address(int("".join(f"{g:04x}" for g in groups), 16))
    if style == 3:
        return address.exploded.upper() if rng.random() < 0.5 else address.exploded
    if style == 4:
        return f"::ffff:{ipv4(rng)}"
    return address.compressed


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = {"alg": rng.choice(["HS256", "RS256", "ES256", "HS512"]), "typ": "JWT"}
    if rng.random() < 0.4:
        header["kid"] = "".join(rng.choice(string.hexdigits.lower()) for _ in range(8))
    payload = {"sub": str(rng.randint(10_000, 99_999_999)), "iat": rng.randint(1_700_000_000, 1_800_000_000)}
    if rng.random() < 0.5:
        payload["email"] = f"user{rng.randint(1, 999)}@example.com"
    if rng.random() < 0.5:
        payload["scope"] = rng.choice(["read", "read write", "admin"])
    signature = b64url(rng.randbytes(rng.choice([32, 48, 64])))
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode()), signature])


def opaque_token(rng: random.Random) -> str:
    style = rng.randrange(6)
    if style == 0:
        return rng.randbytes(rng.choice([16, 20, 32])).hex()
    if style == 1:
        return base64.b64encode(rng.randbytes(rng.choice([24, 32, 48]))).decode()
    if style == 2:
        return b64url(rng.randbytes(rng.choice([24, 32])))
    if style == 3:  # a UUID
        return str(__import__("uuid").UUID(bytes=rng.randbytes(16)))
    if style == 4:  # 20-31 characters of mixed case and digits
        length = rng.randint(20, 31)
        while True:
            value = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))
            if any(c.isdigit() for c in value) and any(c.isupper() for c in value) and any(c.islower() for c in value):
                return value
    return rng.randbytes(32).hex().upper()


def api_token(rng: random.Random) -> str:
    alnum = string.ascii_letters + string.digits
    style = rng.randrange(7)
    if style == 0:
        return f"xoxb-{rng.randint(10**9, 10**12)}-{rng.randint(10**9, 10**12)}-" + "".join(
            rng.choice(alnum) for _ in range(24)
        )
    if style == 1:
        return f"xoxp-{rng.randint(10**9, 10**12)}-" + "".join(rng.choice(alnum) for _ in range(20))
    if style == 2:
        return "ghp_" + "".join(rng.choice(alnum) for _ in range(36))
    if style == 3:
        return "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    if style == 4:
        return "glpat-" + "".join(rng.choice(alnum + "-_") for _ in range(20))
    if style == 5:
        return "sk_live_" + "".join(rng.choice(alnum) for _ in range(24))
    return f"xapp-1-A{rng.randint(10**8, 10**9)}-{rng.randint(10**12, 10**13)}-" + rng.randbytes(16).hex()


def email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    ascii_first = first.encode("ascii", "ignore").decode().lower() or "user"
    ascii_last = last.encode("ascii", "ignore").decode().lower().replace("'", "") or "name"
    local = rng.choice(
        [
            f"{ascii_first}.{ascii_last}",
            f"{ascii_first[0]}{ascii_last}",
            f"{ascii_first}+vip",
            f"{ascii_last}{rng.randint(1, 99)}",
            f"{ascii_first}_{ascii_last}",
            "billing",
            "ops-team",
        ]
    )
    domain = rng.choice(
        [
            "example.com",
            "mail.example.co.uk",
            "acme-corp.io",
            "posteo.de",
            "firma.pl",
            "uni-heidelberg.de",
            "gmail.com",
            "outlook.fr",
            "shop.example.org",
        ]
    )
    value = f"{local}@{domain}"
    return value.upper() if rng.random() < 0.08 else value


def phone(rng: random.Random) -> str:
    style = rng.randrange(9)
    d = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    if style == 0:
        return f"+44 20 {d(4)} {d(4)}"
    if style == 1:
        return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{d(4)}"
    if style == 2:
        return f"{rng.randint(201, 989)}-{rng.randint(200, 999)}-{d(4)}"
    if style == 3:
        return f"+1 {rng.randint(201, 989)} {rng.randint(200, 999)} {d(4)}"
    if style == 4:
        return f"+49 30 {d(8)}"
    if style == 5:
        return f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}"
    if style == 6:
        return f"06.{d(2)}.{d(2)}.{d(2)}.{d(2)}"
    if style == 7:
        return f"+48 {rng.randint(500, 899)} {d(3)} {d(3)}"
    return f"+3161{d(7)}"


def card(rng: random.Random) -> str:
    style = rng.randrange(5)
    if style == 0:
        return group4(luhn_complete(rng, "4", 16))
    if style == 1:
        return group4(luhn_complete(rng, rng.choice(["51", "52", "53", "54", "55"]), 16), "-")
    if style == 2:
        number = luhn_complete(rng, rng.choice(["34", "37"]), 15)
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    if style == 3:
        return luhn_complete(rng, "4", 16)
    return luhn_complete(rng, "6011", 16)


# --- cases ---------------------------------------------------------------------------------

Case = dict[str, object]


def positive(kind: str, text: str, gone: list[str], label: str, known: list[str] | None = None) -> Case:
    case: Case = {"kind": kind, "text": text, "gone": gone, "label": label}
    if known:
        case["known_names"] = known
    return case


def name_greeting(rng: random.Random) -> Case:
    first, last = rng.choice(FIRST), rng.choice(LAST + PARTICLE_LAST)
    style = rng.randrange(24)
    full = f"{first} {last}"
    one = rng.choice([first, full])
    forms = [
        (f"Hi {one}, thanks for waiting, the refund is on its way.", one),
        (f"Hello {one}! I've reset the account for you.", one),
        (f"Hey {first} - quick one: did the invoice arrive?", first),
        (f"Dear {rng.choice(HONORIFICS)} {last},\nas discussed, your order ships Friday.", last),
        (f"Good morning {one}, the outage is over.", one),
        (f"That should do it. Thanks, {one}", one),
        (f"Thank you {one}! Closing the ticket now.", one),
        (f"Let me know if it works. Cheers, {first}", first),
        (f"I'll check with the warehouse.\n\nBest,\n{one}", one),
        (f"Kind regards,\n{full}\nSupport team", full),
        (f"Regards, {one}", one),
        (f"Many thanks {first}.", first),
        (f"Sincerely,\n{full}", full),
        (f"hi {first}, as I already said, the export is weekly.", first),
        (f"Thx {first}, will do", first),
        (f"Morning, {first}! Did the reset link arrive?", first),
        (f"Sorry, {first}, that was our mistake.", first),
        (f"My name is {full} and I'll be handling your case.", full),
        (f"hello {one} — the card was declined twice", one),
        (f"Thanks {first}!! you're a star", first),
        (f"Cheers {first}, talk tomorrow", first),
        (f"Best regards, {full}", full),
        (f"Dear {full},\nWe are sorry for the delay.", full),
        (f"HI {first}, your parcel left the depot.", first),
    ]
    text, name = forms[style]
    gone = [part for part in name.split() if part[0].isupper() and len(part) > 1]
    return positive("name_greeting", wrap(rng, text), gone, "[name]")


def known_name(rng: random.Random) -> Case:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    display = rng.choice([first, f"{first} {last[0]}.", f"{first}.{last}".lower(), first])
    forms = [
        (f"Looping in {first} {last} from billing, they know the account.", [first, last]),
        (f"{first} said the export finished at noon.", [first]),
        (f"Can you ask {first}'s team about the refund?", [first]),
        (f"cc {first} {last} on the escalation", [first, last]),
        (f"The customer asked for {last} again, not for us.", [last]),
        (f"Handing over to {first}, back on Monday.", [first]),
        (f"thanks {first.lower()}, that fixed it", [first.lower()]),
        (f"As {first} {last} mentioned earlier, the plan renews monthly.", [first, last]),
        (f"I pinged {first} twice and {last} once.", [first, last]),
        (f"Per {first}: the warehouse is closed today.", [first]),
        (f"Reassigning from {last} to the night shift.", [last]),
        (f"{first} {last} will call the customer back.", [first, last]),
    ]
    text, gone = rng.choice(forms)
    return positive("known_name", wrap(rng, text), gone, "[name]", known=[f"{first} {last}", display])


def iban_case(rng: random.Random) -> Case:
    value = iban(rng)
    shown = rng.choice([group4(value), value, group4(value), value.lower(), group4(value, "-")])
    forms = [
        "Please refund to IBAN {v} by Friday.",
        "Account: {v}",
        "The customer's IBAN is {v}, bank says it bounced.",
        "iban {v}",
        "Refund goes to {v} (checked with the customer).",
        "IBAN: {v}\nBIC: later",
        "They sent {v} twice in the chat.",
        "wire to {v} OK",
        "Bankverbindung {v}, bitte prüfen.",
        "Their new account ({v}) is verified.",
    ]
    return positive("iban", wrap(rng, rng.choice(forms).format(v=shown)), [shown, shown[:4]], "[iban]")


def cvv_case(rng: random.Random) -> Case:
    code = "".join(rng.choice(string.digits) for _ in range(rng.choice([3, 3, 4])))
    forms = [
        "cvv {c}",
        "CVC: {c}",
        "security code {c}",
        "CVV2 is {c}",
        "the cvc was {c}",
        "card security code: {c}",
        "{c} is the CVV",
        "CVV#: {c}",
        "cvv={c}",
        "Security Code - {c}",
        "Card verification value {c}",
        "cvc2 {c}",
        "and the security code is {c}",
        "{c} is my cvc",
        "CVN {c}",
    ]
    sentence = rng.choice(
        [
            "The customer pasted their card details, {f}.",
            "{f} (please delete this)",
            "they wrote '{f}' in the chat",
            "Never ask for this: {f}",
            "{f}!",
            "Card ends well, {f}",
        ]
    )
    text = sentence.format(f=rng.choice(forms).format(c=code))
    return positive("cvv", wrap(rng, text), [code], "[cvv]")


def national(
    kind: str, make: Callable[[random.Random], str], formats: list[Callable[[str], str]], labels: list[str]
) -> Callable[[random.Random], Case]:
    def build(rng: random.Random) -> Case:
        value = rng.choice(formats)(make(rng))
        forms = [
            "My {l} is {v}, is that enough?",
            "{l}: {v}",
            "They sent their {l} ({v}) by mistake.",
            "{v} is the customer's {l}",
            "Customer gave {l} {v} over chat",
            "Please redact {v} from the ticket.",
            "{l} {v} — verified",
            "the form says {v}",
        ]
        text = rng.choice(forms).format(l=rng.choice(labels), v=value)
        return positive(kind, wrap(rng, text), [value], "[national-id]")

    return build


def _spaced(*cuts: int) -> Callable[[str], str]:
    def split(value: str) -> str:
        parts, last = [], 0
        for cut in (*cuts, len(value)):
            parts.append(value[last:cut])
            last = cut
        return " ".join(p for p in parts if p)

    return split


def _same(value: str) -> str:
    return value


def _dashed_ssn(value: str) -> str:
    return f"{value[:3]}-{value[3:5]}-{value[5:]}"


NATIONAL = {
    "us_ssn": national("us_ssn", ssn, [_dashed_ssn, _dashed_ssn, _spaced(3, 5)], ["SSN", "social security number"]),
    "uk_ni": national(
        "uk_ni",
        uk_ni,
        [_same, _spaced(2, 4, 6, 8), str.lower, _spaced(2, 8)],
        ["NI number", "National Insurance number", "NINO"],
    ),
    "nl_bsn": national(
        "nl_bsn", bsn, [_same, _same, lambda v: f"{v[:4]}.{v[4:6]}.{v[6:]}"], ["BSN", "burgerservicenummer"]
    ),
    "es_dni": national(
        "es_dni", dni, [_same, lambda v: f"{v[:8]}-{v[8]}", lambda v: f"{v[:8]} {v[8].lower()}"], ["DNI", "documento"]
    ),
    "es_nie": national("es_nie", nie, [_same, lambda v: f"{v[0]}-{v[1:8]}-{v[8]}", str.lower], ["NIE", "NIE number"]),
    "it_codice_fiscale": national(
        "it_codice_fiscale", codice_fiscale, [_same, _same, str.lower], ["codice fiscale", "CF", "tax code"]
    ),
    "fr_insee": national(
        "fr_insee", insee, [_same, _spaced(1, 3, 5, 7, 10, 13)], ["numéro de sécurité sociale", "NIR", "INSEE number"]
    ),
    "de_steuer_id": national("de_steuer_id", steuer_id, [_same, _spaced(2, 5, 8)], ["Steuer-ID", "IdNr", "tax id"]),
    "pl_pesel": national("pl_pesel", pesel, [_same], ["PESEL", "numer PESEL"]),
}


def ipv4_case(rng: random.Random) -> Case:
    value = ipv4(rng)
    shown = rng.choice(
        [value, value, f"{value}:{rng.choice([22, 443, 8080, 8443, 3389])}", f"{value}/{rng.randint(8, 32)}"]
    )
    forms = [
        "Logins came from {v} overnight.",
        "Their office IP is {v}",
        "blocked {v} after 40 failed attempts",
        "X-Forwarded-For: {v}",
        "ping {v} times out",
        "Allow-list {v} please",
        "(source {v})",
        "the customer's router is at {v}.",
        "Seen from IP={v}",
        "Connection refused by {v}",
    ]
    return positive("ipv4", wrap(rng, rng.choice(forms).format(v=shown)), [value], "[ip]")


def ipv6_case(rng: random.Random) -> Case:
    value = ipv6(rng)
    shown = rng.choice(
        [value, value, f"[{value}]:{rng.choice([443, 8080])}", f"{value}/64" if "::" in value else value]
    )
    forms = [
        "Logins came from {v} overnight.",
        "Their IPv6 is {v}",
        "blocked {v} after the spike",
        "client address {v}, see logs",
        "Allow-list {v} please",
        "(source {v})",
        "Seen at {v}: it failed",
        "Connection from {v} refused.",
    ]
    return positive("ipv6", wrap(rng, rng.choice(forms).format(v=shown)), [value], "[ip]")


# fmt: off
EN_STREET_NAMES = ["Baker", "Pennsylvania", "Elm", "Maple", "High", "Church", "Station", "Victoria", "King", "Queen",
                   "Oak", "Mill", "Park", "Ocean", "Sunset", "Market", "Union", "Harbour View", "Old Kent",
                   "St John's", "Mount Pleasant", "Lincoln", "Cedar", "Willow", "Green Lanes"]
# fmt: on
# fmt: off
EN_TYPES = ["Street", "St", "St.", "Avenue", "Ave", "Road", "Rd", "Lane", "Drive", "Boulevard", "Blvd", "Court",
            "Place", "Way", "Terrace", "Close", "Crescent", "Square", "Highway", "Parkway", "Grove", "Mews", "Row"]
# fmt: on


def address(rng: random.Random) -> Case:
    style = rng.randrange(6)
    number = str(rng.randint(1, 2500))
    if style in (0, 1):
        street = f"{rng.choice(EN_STREET_NAMES)} {rng.choice(EN_TYPES)}"
        value = f"{number}{rng.choice(['', '', 'B', 'a'])} {street}"
        if rng.random() < 0.3:
            value += rng.choice([" NW", ", Apt 4B", " Suite 200", ", Flat 3"])
        gone = [value.split(",")[0]]
    elif style == 2:
        value = (
            f"{number} {rng.choice(['elm', 'maple', 'high', 'church', 'station', 'baker'])} "
            f"{rng.choice(['street', 'road', 'avenue'])}"
        )
        gone = [value]
    elif style == 3:
        kind = rng.choice(["rue", "avenue", "boulevard", "place", "quai"])
        name = rng.choice(
            ["de la Paix", "Victor Hugo", "de Rivoli", "du Commerce", "Saint-Michel", "des Lilas", "d'Italie"]
        )
        value = f"{rng.randint(1, 120)}{rng.choice(['', ' bis'])} {kind} {name}"
        gone = [value]
    elif style == 4:
        street = rng.choice(
            [
                "Calle Mayor",
                "Via Roma",
                "ul. Długa",
                "Rua Augusta",
                "Calle de Alcalá",
                "Piazza Navona",
                "Avenida da Liberdade",
                "Corso Buenos Aires",
                "ul. Marszałkowska",
                "Via Garibaldi",
            ]
        )
        value = f"{street}{rng.choice([' ', ', '])}{rng.randint(1, 300)}"
        gone = [value]
    else:
        base = rng.choice(["Haupt", "Bahnhof", "Linden", "Garten", "Schiller", "Goethe", "Kalver", "Dorp", "Kerk"])
        suffix = rng.choice(["straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "straat", "laan"])
        value = rng.choice(
            [
                f"{base}{suffix}",
                f"Berliner {rng.choice(['Straße', 'Str.', 'Allee'])}",
                rng.choice(["Keizersgracht", "Prinsengracht", "Drottninggatan", "Herengracht"]),
            ]
        )
        value += f" {rng.randint(1, 250)}{rng.choice(['', '', 'a', 'b'])}"
        gone = [value]
    forms = [
        "Ship the replacement to {v}, the customer confirmed.",
        "New address: {v}",
        "they moved to {v} last month",
        "Delivery failed at {v}.",
        "Courier couldn't find {v} — call them?",
        "Billing address {v} doesn't match",
        "Return label for {v} sent",
        "{v} is on file, please update",
    ]
    return positive("address", wrap(rng, rng.choice(forms).format(v=value)), gone, "[address]")


def jwt_case(rng: random.Random) -> Case:
    value = jwt(rng)
    if rng.random() < 0.15:
        value = value.split(".")[0] + "." + value.split(".")[1]  # header and payload pasted without the signature
    forms = [
        "Authorization: Bearer {v}",
        "Their session cookie was {v} — revoke it.",
        "the app logged {v} in the console",
        "JWT {v}",
        "Here is what they pasted: {v}",
        "id_token={v}&state=xyz",
        "({v})",
    ]
    return positive("jwt", wrap(rng, rng.choice(forms).format(v=value)), [value[:20], value[-12:]], "[token]")


def token_case(rng: random.Random) -> Case:
    value = opaque_token(rng)
    forms = [
        "Their session id is {v}, please rotate.",
        "Webhook signing value {v}",
        "leaked in the chat: {v}",
        "Reset hash {v} expired",
        "curl -H 'X-Auth: {v}'",
        "License {v} was shared publicly",
        "checksum {v}",
        "They pasted {v} by mistake.",
    ]
    return positive("token", wrap(rng, rng.choice(forms).format(v=value)), [value], "[token]")


def api_token_case(rng: random.Random) -> Case:
    value = api_token(rng)
    forms = [
        "Someone pasted {v} in #general",
        "rotate {v} now",
        "Their bot uses {v}, revoke it.",
        "`{v}`",
        "env says {v}",
        "They shared the key {v} in the ticket.",
    ]
    return positive("api_token", wrap(rng, rng.choice(forms).format(v=value)), [value], "[token]")


def secret_case(rng: random.Random) -> Case:
    value = "".join(rng.choice(string.ascii_letters + string.digits + "!#%&*") for _ in range(rng.randint(6, 16)))
    key = rng.choice(["password", "Password", "passwd", "pwd", "secret", "api key", "API_KEY", "api-key", "passcode"])
    sep = rng.choice([": ", "=", " = ", ":"])
    forms = [
        "The customer wrote {k}{s}{v} in the chat.",
        "{k}{s}{v}",
        "login is admin, {k}{s}{v}",
        "Please never paste {k}{s}{v} here",
        "creds -> {k}{s}{v}",
    ]
    return positive("secret", wrap(rng, rng.choice(forms).format(k=key, s=sep, v=value)), [value], "[secret]")


def email_case(rng: random.Random) -> Case:
    value = email(rng)
    forms = [
        "Reply to {v} please.",
        "Customer: {v}",
        "Their account e-mail is {v}, not the billing one.",
        "<mailto:{v}|{v}> asked again",
        "forwarded from {v}",
        "cc: {v}",
        "({v})",
        "send it to <{v}>",
    ]
    return positive("email", wrap(rng, rng.choice(forms).format(v=value)), [value], "[email]")


def phone_case(rng: random.Random) -> Case:
    value = phone(rng)
    forms = [
        "Call them on {v} after 5.",
        "Phone: {v}",
        "their mobile is {v}",
        "Customer asked us to ring {v}",
        "tel {v} (whatsapp too)",
        "Reach them at {v}.",
        "number on file {v} is wrong",
    ]
    return positive("phone", wrap(rng, rng.choice(forms).format(v=value)), [value], "[phone]")


def card_case(rng: random.Random) -> Case:
    value = card(rng)
    forms = [
        "They typed their card, {v}, into the chat.",
        "Card: {v}",
        "charged {v} twice",
        "card number {v} expired",
        "Please delete: {v}",
        "the Visa {v} was declined",
        "({v})",
    ]
    return positive("card", wrap(rng, rng.choice(forms).format(v=value)), [value], "[card]")


# --- look-alikes -----------------------------------------------------------------------------


def lookalike(family: str, text: str) -> Case:
    return {"kind": "lookalike", "family": family, "text": text}


def ticket(rng: random.Random) -> str:
    value = rng.choice(
        [
            f"#{rng.randint(1000, 99999)}",
            f"INC-{rng.randint(10000, 99999)}",
            f"SUP-{rng.randint(100, 9999)}",
            f"CS-{rng.randint(10000, 999999)}",
            f"case {rng.randint(10000000, 99999999)}",
            f"ticket {rng.randint(100000000, 999999999)}",
            f"JIRA BILL-{rng.randint(10, 9999)}",
            f"incident {rng.randint(1000000000, 9999999999)}",
            f"ref {rng.randint(10**10, 10**11)}",
            f"INC{rng.randint(1000000, 9999999)}",
            f"#{rng.randint(100000, 999999)}",
        ]
    )
    return rng.choice(
        [
            "Your ticket {v} is now with tier 2.",
            "Merged {v} into the main thread.",
            "{v} was closed as a duplicate.",
            "See {v} for the history.",
            "Escalated as {v}, ETA Friday.",
            "linked to {v} — same root cause",
        ]
    ).format(v=value)


def version(rng: random.Random) -> str:
    value = rng.choice(
        [
            f"{rng.randint(1, 30)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}",
            f"v{rng.randint(1, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 99)}.{rng.randint(0, 9999)}",
            f"version {rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}",
            f"build {rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
            f"10.0.{rng.randint(10000, 26000)}.{rng.randint(100, 4000)}",
            f"{rng.randint(100, 130)}.0.{rng.randint(5000, 6999)}.{rng.randint(10, 200)}",
            f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 20)}-beta.{rng.randint(1, 9)}",
            f"iOS {rng.randint(14, 18)}.{rng.randint(0, 7)}.{rng.randint(1, 3)}",
        ]
    )
    return rng.choice(
        [
            "Please update to {v} and retry.",
            "Fixed in {v}.",
            "They are still on {v}, which is unsupported.",
            "The release notes for {v} mention it.",
            "Crash only happens on {v}",
        ]
    ).format(v=value)


def amount(rng: random.Random) -> str:
    value = rng.choice(
        [
            f"${rng.randint(1, 9)},{rng.randint(100, 999)}.{rng.randint(0, 99):02d}",
            f"€{rng.randint(10, 999)},{rng.randint(0, 99):02d}",
            f"£{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
            f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d} EUR",
            f"USD {rng.randint(1, 99)},{rng.randint(100, 999)},{rng.randint(100, 999)}.00",
            f"${rng.randint(100, 999)}",
            f"{rng.randint(1, 9)} {rng.randint(100, 999)},{rng.randint(0, 99):02d} zł",
            f"CHF {rng.randint(1, 9)}'{rng.randint(100, 999)}.{rng.randint(0, 99):02d}",
        ]
    )
    return rng.choice(
        [
            "We refunded {v} this morning.",
            "The invoice total is {v}.",
            "They were charged {v} twice.",
            "A credit of {v} is on the account.",
            "Plan costs {v} per seat",
        ]
    ).format(v=value)


def date(rng: random.Random) -> str:
    y, m, d = rng.randint(2019, 2027), rng.randint(1, 12), rng.randint(1, 28)
    value = rng.choice(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{d:02d}/{m:02d}/{y}",
            f"{m}/{d}/{y}",
            f"{d:02d}.{m:02d}.{y}",
            f"{y}{m:02d}{d:02d}",
            f"{y}-{m:02d}-{d:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            f"{d} Nov {y}",
            f"{y}/{m:02d}/{d:02d}",
        ]
    )
    return rng.choice(
        [
            "The renewal is on {v}.",
            "Logs from {v} show the failure.",
            "Refund issued {v}",
            "Contract ends {v}, remind them.",
            "Outage window: {v}",
        ]
    ).format(v=value)


def order_id(rng: random.Random) -> str:
    value = rng.choice(
        [f"ORD-{y}-{rng.randint(1, 999999):06d}" for y in (2025, 2026)]
        + [
            f"order #{rng.randint(100000, 9999999)}",
            f"PO-{rng.randint(10000, 99999)}",
            f"A{rng.randint(10000000, 99999999)}",
            f"SO{rng.randint(100000, 999999)}-{rng.randint(1, 9)}",
            f"order {rng.randint(10**9, 10**10)}",
            f"RMA {rng.randint(100000, 9999999)}",
            f"invoice INV-{rng.randint(2025, 2026)}-{rng.randint(1, 99999):05d}",
            f"shipment {rng.randint(10**11, 10**12)}",
        ]
    )
    return rng.choice(
        [
            "Checked {v}: it left the warehouse.",
            "{v} is still pending payment.",
            "Customer asked about {v} again.",
            "Cancelled {v} as requested.",
            "Replacement for {v} ships Monday.",
        ]
    ).format(v=value)


def time_of_day(rng: random.Random) -> str:
    value = rng.choice(
        [
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} pm",
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}",
            f"{rng.randint(0, 23):02d}h{rng.randint(0, 59):02d}",
            f"{rng.randint(1, 59)}:{rng.randint(0, 59):02d} min",
        ]
    )
    return rng.choice(
        [
            "The job failed at {v} UTC.",
            "Call booked for {v}.",
            "Uptime gap from {v} to noon",
            "They tried at {v} and again later.",
            "Timer shows {v}",
        ]
    ).format(v=value)


def percentage(rng: random.Random) -> str:
    value = rng.choice(
        [
            f"{rng.randint(0, 100)}%",
            f"{rng.randint(0, 99)}.{rng.randint(0, 9)}%",
            f"{rng.randint(1, 99)} %",
            f"{rng.randint(1, 99)},{rng.randint(0, 9)} %",
            f"99.{rng.randint(90, 999)}%",
            f"-{rng.randint(1, 40)}%",
        ]
    )
    return rng.choice(
        [
            "Error rate is {v} since the deploy.",
            "A {v} discount applies.",
            "Disk at {v}, clean up soon.",
            "Only {v} of users saw it.",
            "CSAT moved {v} this week",
        ]
    ).format(v=value)


def model_number(rng: random.Random) -> str:
    value = rng.choice(
        [
            "SM-G991B",
            "XPS 13 9310",
            "WH-1000XM5",
            "MX Master 3S",
            "A2338",
            "RT-AX86U",
            "DS920+",
            "iPhone 15 Pro",
            "ThinkPad T480s",
            "LaserJet Pro M404dn",
            "KD-55X85J",
            "EX-5000",
            "RTX 4090",
            "Pixel 8a",
            "Galaxy S24 Ultra",
            "QN90C",
            "EOS R6 Mark II",
            "HL-L2350DW",
            "Model 3",
            "ZV-1F",
            f"SN-{rng.randint(100000, 999999)}",
            f"X{rng.randint(100, 999)}-{rng.randint(10, 99)}",
        ]
    )
    return rng.choice(
        [
            "Their {v} won't pair after the update.",
            "We have the {v} in stock.",
            "Is the {v} covered?",
            "Firmware for the {v} is out.",
            "Replacement unit: {v}",
        ]
    ).format(v=value)


def greeting_without_name(rng: random.Random) -> str:
    return rng.choice(
        [
            "Hi all, the status page is green again.",
            "Thanks again for your patience!",
            "Hi team, standup moved.",
            "Dear Customer, your order has shipped.",
            "Hello there, how can I help?",
            "Thanks so much for the logs.",
            "Hey everyone, quick update on the outage.",
            "Thank you for waiting.",
            "Cheers for the heads up!",
            "Best of luck with the migration.",
            "Hi, I'm looking into it now.",
            "Thanks, I'll check.",
            "Good morning everyone!",
            "Sorry for the delay, we're on it.",
            "Hello Support, any news?",
            "Hey folks, the fix is live.",
            "Regards to the team",
            "Hi OK so the export is back",
            "Thanks for your patience, it's fixed.",
            "Dear Sir or Madam, please find attached.",
        ]
    )


def numbers_in_prose(rng: random.Random) -> str:
    return rng.choice(
        [
            "Step 2 in the Admin Guide covers it.",
            "We shipped 3 Apple Watch bands today.",
            "The Spring 2026 release adds exports.",
            "Sync 4 Google Drive folders max.",
            "Page 12 of the Setup Guide explains it.",
            "Only 2 Road Warrior plans left.",
            "They bought 5 Park Pass tickets.",
            "Chapter 7 Main Concepts is outdated.",
            "Route 66 Coffee asked for an invoice copy.",
            "Our 24 hour window starts now.",
            "Retry in 30 seconds.",
            "Add 2 more seats to the Team plan.",
            "Wave 3 rollout is done.",
            "Plan A costs less than Plan B.",
            "Upgrade 10 Business Starter licences.",
            "the 2 external hard drive backups failed",
            "5 users on the Pro Plus tier.",
            "Top 10 Questions about Billing",
            "The 3 Way Merge tool crashed.",
            "Room 101 is booked.",
        ]
    )


LOOKALIKES: dict[str, Callable[[random.Random], str]] = {
    "ticket": ticket,
    "version": version,
    "amount": amount,
    "date": date,
    "order_id": order_id,
    "time": time_of_day,
    "percentage": percentage,
    "model_number": model_number,
    "greeting_without_name": greeting_without_name,
    "numbers_in_prose": numbers_in_prose,
}

POSITIVES: dict[str, Callable[[random.Random], Case]] = {
    "name_greeting": name_greeting,
    "known_name": known_name,
    "iban": iban_case,
    "cvv": cvv_case,
    **NATIONAL,
    "ipv4": ipv4_case,
    "ipv6": ipv6_case,
    "address": address,
    "jwt": jwt_case,
    "token": token_case,
    "api_token": api_token_case,
    "secret": secret_case,
    "email": email_case,
    "phone": phone_case,
    "card": card_case,
}


def make_cases(per_kind: int, per_family: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for _kind, build in POSITIVES.items():
        seen: set[str] = set()
        while len(seen) < per_kind:
            case = build(rng)
            if case["text"] not in seen:
                seen.add(str(case["text"]))
                cases.append(case)
    for family, build in LOOKALIKES.items():
        seen = set()
        tries = 0
        while len(seen) < per_family and tries < per_family * 50:
            tries += 1
            text = wrap_lookalike(rng, build(rng))
            if text not in seen:
                seen.add(text)
                cases.append(lookalike(family, text))
    return cases


LOOKALIKE_BEFORE = ["", "", "FYI ", "Update: ", "(internal) ", "Per the thread, ", "ok so ", "Heads up: "]
LOOKALIKE_AFTER = ["", "", " Any ideas?", " :eyes:", " I'll follow up tomorrow.", " — see thread"]


def wrap_lookalike(rng: random.Random, sentence: str) -> str:
    return rng.choice(LOOKALIKE_BEFORE) + sentence + rng.choice(LOOKALIKE_AFTER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=110)
    parser.add_argument("--per-family", type=int, default=60)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    cases = make_cases(args.per_kind, args.per_family, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for case in cases:
        key = str(case["kind"]) if case["kind"] != "lookalike" else f"lookalike/{case['family']}"
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{len(cases)} cases -> {args.out}")
    for key, count in kinds.items():
        print(f"  {key}: {count}")


if __name__ == "__main__":
    main()
