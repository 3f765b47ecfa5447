"""Keep a short, redacted excerpt of a flagged message: enough to coach from, nothing to leak.

Stored flags never hold whole messages. The excerpt is a window around the first finding, and
personal data and secrets are replaced by labels before anything reaches the database: names
after greetings and sign-offs and the workspace's own people (``known_names``), e-mail
addresses, phone numbers, card numbers and security codes, IBANs, national id numbers, IP
addresses, postal addresses, JWTs, API tokens and long opaque keys.

What to look for is data (prompts/redaction.toml: one table, each pattern with its label), so
a data-protection review reads one file, and a new pattern is a reviewed line plus test
cases. Checksums and other validators stay code here (CHECKS), named from the table: they
are what keeps ticket numbers, versions, amounts and dates out of the labels.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAX_EXCERPT = 280

PATTERNS_FILE = Path(__file__).resolve().parent / "prompts" / "redaction.toml"
if not PATTERNS_FILE.is_file():  # running from a source checkout rather than an installed wheel
    PATTERNS_FILE = Path(__file__).resolve().parent.parent / "prompts" / "redaction.toml"

NAME_LABEL = "[name]"

# Slack markup that names people or links: keep it readable without the raw IDs.
_SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)\|?([^>]*)>")
_WHITESPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
# A word that could be a name: letters first, then letters, digits, apostrophes, hyphens. The
# lookbehind fixes its start, so a long run is read once.
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
_NAMES_IN_A_ROW = re.compile(r"\[name\](?:[ \t]+\[name\])+")

# Capitalised words that follow a greeting without being a name ("Hi all", "Thanks again",
# "Dear Customer"), and common words that are also first names: a known name that is one of
# these only counts next to another part of a name ("Will Smith", not "Will you").
# fmt: off
_NOT_A_NAME = frozenset([
    "all", "everyone", "everybody", "anyone", "team", "teams", "folks", "guys", "gang", "people", "there", "here",
    "again", "so", "for", "and", "but", "or", "in", "on", "at", "to", "from", "with", "of", "by", "about", "i",
    "im", "i'm", "we", "you", "your", "yours", "they", "them", "it", "its", "this", "that", "these", "those",
    "please", "ok", "okay", "sure", "yes", "no", "yep", "nope", "sir", "sirs", "madam", "madame", "customer",
    "customers", "client", "clients", "support", "friend", "friends", "mate", "mates", "colleague", "colleagues",
    "world", "both", "again", "much", "very", "just", "let", "lot", "lots", "also", "as", "well", "if", "when",
    "what", "why", "how", "who", "which", "one", "two", "three", "a", "an", "the", "my", "our", "his", "her",
    "their", "me", "us", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "tomorrow", "tonight", "soon", "later", "morning", "afternoon", "evening", "night", "day", "week", "weekend",
    "month", "year", "regards", "best", "thanks", "thank", "cheers", "sincerely", "kind", "warm", "note", "hello",
    "hi", "hey", "dear", "good", "great", "happy", "new", "all-in-one", "admin", "admins", "manager", "managers",
    "billing", "sales", "ops", "engineering", "product", "devs", "it's", "that's", "there's", "here's", "mr", "mrs",
    "ms", "miss", "mx", "dr", "prof", "herr", "frau", "mme", "mlle", "sr", "sra", "pan", "pani"
])
# fmt: on
# fmt: off
_COMMON_WORD_NAMES = frozenset([
    "will", "may", "mark", "bill", "grace", "hope", "joy", "faith", "rose", "june", "april", "august", "summer",
    "sunny", "dev", "art", "rich", "frank", "jack", "sky", "amber", "pat", "chase", "drew", "hunter", "guy", "lane",
    "page", "ray", "cliff", "dawn", "penny", "ruby", "victor"
])
# fmt: on
# fmt: off
_PARTICLES = frozenset([
    "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "le", "la", "bin", "al", "ter", "ten",
    "dos", "das"
])
# fmt: on


class RedactionError(ValueError):
    """The pattern table is broken; the message names the pattern."""


# --- validators: each takes the matched text, answers how many characters of it to redact (0: none)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}


def iban_valid(compact: str) -> bool:
    """ISO 13616: the country's length and mod 97 == 1 over the rearranged number."""
    compact = compact.upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _check_iban(text: str, _names: frozenset[str]) -> int:
    # The pattern may run on into the next word ("... 0130 00 OK"): take the country's length.
    length = IBAN_LENGTHS.get(text[:2].upper())
    if length is None:
        return 0
    seen = 0
    for end, ch in enumerate(text, start=1):
        if ch.isalnum():
            seen += 1
            if seen == length:
                compact = "".join(c for c in text[:end] if c.isalnum())
                return end if iban_valid(compact) and (end == len(text) or not text[end].isalnum()) else 0
    return 0


# fmt: off
_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3,
                    6, 8, 12, 14, 16, 10, 22, 25, 24, 23), strict=True))
# fmt: on


def codice_fiscale_check(first15: str) -> str:
    """The Italian codice fiscale's check letter for its first 15 characters."""
    total = 0
    for index, ch in enumerate(first15.upper()):
        if index % 2 == 0:  # odd positions, counted from 1
            total += _CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - ord("A")
    return chr(ord("A") + total % 26)


def _check_codice_fiscale(text: str, _names: frozenset[str]) -> int:
    return len(text) if codice_fiscale_check(text[:15]) == text[15].upper() else 0


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _check_dni(text: str, _names: frozenset[str]) -> int:
    digits = _digits(text)
    return len(text) if DNI_LETTERS[int(digits) % 23] == text[-1].upper() else 0


def _check_nie(text: str, _names: frozenset[str]) -> int:
    number = str("XYZ".index(text[0].upper())) + _digits(text)
    return len(text) if DNI_LETTERS[int(number) % 23] == text[-1].upper() else 0


def insee_key(first13: str) -> int:
    """The French NIR's key: 97 - (number mod 97), Corsica's 2A and 2B read as 19 and 18."""
    corsica = {"2A": "19", "2B": "18"}.get(first13[5:7].upper())
    number = first13[:5] + corsica + first13[7:] if corsica else first13
    return 97 - int(number) % 97


def _check_insee(text: str, _names: frozenset[str]) -> int:
    compact = text.replace(" ", "")
    return len(text) if len(compact) == 15 and insee_key(compact[:13]) == int(compact[13:]) else 0


def bsn_valid(digits: str) -> bool:
    """The Dutch 11-test: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not zero)."""
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return len(digits) == 9 and total % 11 == 0 and total != 0


def _check_bsn(text: str, _names: frozenset[str]) -> int:
    return len(text) if bsn_valid(_digits(text)) else 0


def steuer_id_check_digit(first10: str) -> int:
    """ISO 7064 MOD 11,10, as the Bundeszentralamt für Steuern computes it."""
    product = 10
    for ch in first10:
        total = (int(ch) + product) % 10 or 10
        product = (total * 2) % 11
    check = 11 - product
    return 0 if check == 10 else check


def _check_steuer_id(text: str, _names: frozenset[str]) -> int:
    digits = _digits(text)
    counts = sorted((digits[:10].count(d) for d in set(digits[:10])), reverse=True)
    one_repeated = counts[0] in (2, 3) and all(c == 1 for c in counts[1:])
    return len(text) if one_repeated and steuer_id_check_digit(digits[:10]) == int(digits[10]) else 0


_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_check_digit(first10: str) -> int:
    return (10 - sum(int(d) * w for d, w in zip(first10, _PESEL_WEIGHTS, strict=True)) % 10) % 10


def _check_pesel(text: str, _names: frozenset[str]) -> int:
    month = int(text[2:4]) % 20
    day = int(text[4:6])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return 0
    return len(text) if pesel_check_digit(text[:10]) == int(text[10]) else 0


def _check_ipv4(text: str, _names: frozenset[str]) -> int:
    """Four numbers of 0-255 without leading zeros ("10.01.1.1" is not how anyone writes one)."""
    octets = text.split("/")[0].split(".")
    ok = all(o.isdigit() and int(o) <= 255 and (o == "0" or not o.startswith("0")) for o in octets)
    return len(text) if ok else 0


def _check_ipv6(text: str, _names: frozenset[str]) -> int:
    # The candidate may end on a sentence's colon ("at 2001:db8::1: it failed") or a bracket.
    for candidate in (text, text.rstrip(":"), text.rstrip(":]")):
        address = candidate.strip("[]").split("%")[0].split("/")[0]
        groups = [g for g in address.split(":") if g]
        if "::" not in address and len(groups) < 8:
            continue  # "10:30:15" is a time, not an address
        if len(groups) < 2 and not address.startswith("::ffff"):
            continue  # "a::b" in prose, "::" alone
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            continue
        return len(candidate)
    return 0


def _check_mixed(text: str, _names: frozenset[str]) -> int:
    has_digit = any(ch.isdigit() for ch in text)
    has_letter = any(ch.isalpha() for ch in text)
    return len(text) if has_digit and has_letter else 0


def _check_mixed_case(text: str, _names: frozenset[str]) -> int:
    kinds = (any(ch.isdigit() for ch in text), any(ch.isupper() for ch in text), any(ch.islower() for ch in text))
    return len(text) if all(kinds) else 0


def _name_like(word: str, names: frozenset[str]) -> bool:
    """A capitalised word that is not a common greeting follow-up, or a name the workspace knows."""
    folded = _bare(word)
    if folded in names:
        return True
    if len(word) < 2 or not word[0].isupper() or folded in _NOT_A_NAME:
        return False
    return word[1].islower() or (word[1] in "'’" and len(word) > 2 and word[2].isupper())


def _bare(word: str) -> str:
    """Casefolded, without a possessive: "Priya's" -> "priya"."""
    folded = word.casefold()
    for suffix in ("'s", "’s"):
        if folded.endswith(suffix):
            return folded[: -len(suffix)]
    return folded


def _check_person_name(text: str, names: frozenset[str]) -> int:
    """How much of "Tomasz Nowak your refund" is a name: capitalised words, particles between."""
    end = 0
    for word in _WORD.finditer(text):
        token = word.group()
        if token.casefold() in _PARTICLES:
            continue  # "van der" counts only when a name follows it
        if not _name_like(token, names):
            break
        end = word.end()
    return end


CHECKS: dict[str, Callable[[str, frozenset[str]], int]] = {
    "iban": _check_iban,
    "codice_fiscale": _check_codice_fiscale,
    "dni": _check_dni,
    "nie": _check_nie,
    "insee": _check_insee,
    "bsn": _check_bsn,
    "steuer_id": _check_steuer_id,
    "pesel": _check_pesel,
    "ipv4": _check_ipv4,
    "ipv6": _check_ipv6,
    "mixed": _check_mixed,
    "mixed_case": _check_mixed_case,
    "person_name": _check_person_name,
}


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One row of prompts/redaction.toml, compiled."""

    kind: str
    label: str
    regex: re.Pattern[str]
    check: Callable[[str, frozenset[str]], int] | None = None
    needs: tuple[str, ...] = ()
    not_after: re.Pattern[str] | None = None
    unless: tuple[str, ...] = ()
    needs_digit: bool = False


def load_patterns(path: Path | str | None = None) -> tuple[Pattern, ...]:
    """Read and compile the table; a broken row is a RedactionError naming it, at start-up."""
    path = Path(path) if path else PATTERNS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RedactionError(f"{path.name}: {exc}") from None
    lists = data.get("lists", {})
    patterns = []
    for index, row in enumerate(data.get("pattern", []), start=1):
        where = f"{path.name}: pattern #{index} ({row.get('kind', '?')})"
        kind, label, regex = row.get("kind"), row.get("label"), row.get("regex")
        if not all(isinstance(v, str) and v for v in (kind, label, regex)):
            raise RedactionError(f"{where}: needs 'kind', 'label' and 'regex'")
        unknown = set(row) - {"kind", "label", "regex", "check", "needs", "needs_digit", "not_after", "unless"}
        if unknown:
            raise RedactionError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise RedactionError(f"{where}: {exc}") from None
        check = row.get("check")
        if check is not None and check not in CHECKS:
            raise RedactionError(f"{where}: no check named {check!r} (known: {', '.join(sorted(CHECKS))})")
        words: list[str] = []
        for word in row.get("not_after", []):
            if word.startswith("@"):
                if word[1:] not in lists:
                    raise RedactionError(f"{where}: no list named {word[1:]!r} in [lists]")
                words.extend(lists[word[1:]])
            else:
                words.append(word)
        not_after = None
        if words:
            alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
            not_after = re.compile(rf"(?i)(?<![\w])(?:{alternatives})[\s:#.]{{0,3}}(?:no\.?\s*|number\s*)?\Z")
        patterns.append(
            Pattern(
                kind,
                label,
                compiled,
                CHECKS[check] if check else None,
                tuple(n.lower() for n in row.get("needs", [])),
                not_after,
                tuple(u.lower() for u in row.get("unless", [])),
                bool(row.get("needs_digit")),
            )
        )
    return tuple(patterns)


@lru_cache(maxsize=1)
def default_patterns() -> tuple[Pattern, ...]:
    return load_patterns()


# --- known names ---------------------------------------------------------------------------


class KnownNames:
    """The workspace's people (users.info, an export's users.json), ready to match.

    Built once and reused: a scan redacts thousands of excerpts against the same few thousand
    names, so each name is split and casefolded once. Every part of a name counts ("Maria
    Lopez" covers "Maria" and "Lopez"), except single letters.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        parts: set[str] = set()
        for name in names:
            for word in _WORD.findall(str(name or "")):
                if len(word) >= 2:
                    parts.add(_bare(word))
        self.parts = frozenset(parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    def with_names(self, names: Iterable[str]) -> KnownNames:
        """These names and a few more (the author of one message)."""
        extra = KnownNames(names)
        if extra.parts <= self.parts:
            return self  # the usual case: a scan's author is in users.json already
        merged = KnownNames()
        merged.parts = self.parts | extra.parts
        return merged


def _as_known(names: KnownNames | Iterable[str] | None) -> KnownNames:
    if isinstance(names, KnownNames):
        return names
    return KnownNames(names or ())


def _redact_known_names(text: str, parts: frozenset[str]) -> str:
    """Capitalised words that are known names; a common-word name only next to another name part."""
    words = [
        (m.start(), m.end(), m.group())
        for m in _WORD.finditer(text)
        if m.group()[0].isupper() and _bare(m.group()) in parts
    ]
    if not words:
        return text
    keep: list[tuple[int, int]] = []
    for index, (start, end, word) in enumerate(words):
        if _bare(word) in _COMMON_WORD_NAMES:
            before = index > 0 and not text[words[index - 1][1] : start].strip()
            after = index + 1 < len(words) and not text[end : words[index + 1][0]].strip()
            if not (before or after):
                continue
        keep.append((start, end))
    out, last = [], 0
    for start, end in keep:
        out.append(text[last:start])
        out.append(NAME_LABEL)
        last = end
    out.append(text[last:])
    return "".join(out)


# --- redaction -----------------------------------------------------------------------------


def _apply(pattern: Pattern, text: str, names: frozenset[str]) -> str:
    has_x = "x" in pattern.regex.groupindex

    def replace(match: re.Match[str]) -> str:
        whole = match.group()
        if pattern.not_after is not None and pattern.not_after.search(text, max(0, match.start() - 24), match.start()):
            return whole
        if pattern.unless and any(u in whole.lower() for u in pattern.unless):
            return whole
        start, end = match.span("x") if has_x and match.group("x") is not None else match.span()
        target = text[start:end]
        length = pattern.check(target, names) if pattern.check else len(target)
        if length <= 0:
            return whole
        offset = match.start()
        return whole[: start - offset] + pattern.label + target[length:] + whole[end - offset :]

    return pattern.regex.sub(replace, text)


def redact(
    text: str, known_names: KnownNames | Iterable[str] | None = None, patterns: tuple[Pattern, ...] | None = None
) -> str:
    """Replace personal data and secrets with labels.

    ``known_names``: the workspace's people (display and real names), which are replaced
    wherever they appear capitalised and, after a greeting, in any case. Pass a KnownNames
    built once when redacting many texts against the same names.
    """
    known = _as_known(known_names)
    text = _SLACK_LINK.sub(lambda m: m.group(2) or "[link]", text)
    text = _SLACK_USER.sub("@someone", text)
    text = _SLACK_CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
    lowered = text.lower()
    has_digit = _DIGIT.search(text) is not None
    for pattern in patterns if patterns is not None else default_patterns():
        if (pattern.needs_digit and not has_digit) or (pattern.needs and not any(n in lowered for n in pattern.needs)):
            continue
        text = _apply(pattern, text, known.parts)
    if known:
        text = _redact_known_names(text, known.parts)
    if "[name]" in text:
        text = _NAMES_IN_A_ROW.sub(NAME_LABEL, text)
    return text


def excerpt(
    text: str,
    start: int = 0,
    end: int = 0,
    limit: int = MAX_EXCERPT,
    known_names: KnownNames | Iterable[str] | None = None,
) -> str:
    """A redacted window of at most ``limit`` characters centred on text[start:end]."""
    if not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    room = max(limit - (end - start), 0) // 2
    left = max(0, start - room - 40)
    right = min(len(text), end + room + 40)
    window = redact(text[left:right], known_names)
    window = _WHITESPACE.sub(" ", window).strip()
    if left > 0:
        window = "…" + window
    if right < len(text):
        window += "…"
    return _fit(window, limit)


def _fit(window: str, limit: int) -> str:
    """Trim a window that redaction left too long evenly from both ends, marking both cuts."""
    if len(window) <= limit:
        return window
    excess = len(window) - (limit - 2)  # room for an ellipsis at each end
    left = excess // 2
    inner = window[left : len(window) - (excess - left)].strip("…")
    return ("…" + inner + "…")[:limit]


def reredact_excerpt(
    stored: str, known_names: KnownNames | Iterable[str] | None = None, limit: int = MAX_EXCERPT
) -> str:
    """An excerpt stored by an older redaction, redacted again with today's table.

    Idempotent: a redacted excerpt comes back unchanged, so the migration that runs this can
    be run again (or a later table change can run it once more) without drift.
    """
    if not stored:
        return stored
    again = _WHITESPACE.sub(" ", redact(stored, known_names)).strip()
    return again if again == stored else _fit(again, limit)
