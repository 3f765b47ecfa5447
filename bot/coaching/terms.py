"""Slang terms and leet spellings: the regex a term becomes, and leet tolerance for patterns.

A coach writes "pebkac" once; people type "P.E.B.K.A.C", "p e b k a c", "p3bkac" and
"pebakc". These functions turn the written form into patterns that accept those spellings,
so no rule file has to list them.
"""

from __future__ import annotations

import re

# Leetspeak and spacing: a term "pebkac" also matches "P.E.B.K.A.C", "p e b k a c", "p3bkac".
_LEET_CLASSES: dict[str, str] = {
    "a": "a4@",
    "b": "b8",
    "e": "e3",
    "g": "g9",
    "i": "i1!|l",
    "l": "l1|i",
    "o": "o0",
    "s": "s5$z",
    "t": "t7+",
    "z": "z2s",
    "0": "0o",
    "1": "1il!|",
}
_TERM_SEPARATOR = r"[\W_]{0,2}"
_TERM_BEFORE = r"(?<![\w/@#$])"
_TERM_AFTER = r"(?:[s5$z]|e?s)?(?![\w/@]|[.\-][a-z0-9])"


def term_pattern(term: str, spaced_only: bool = False) -> str:
    """Regex source for a slang term that tolerates leet, spacing and dotted spellings.

    ``spaced_only`` matches only spelled-out forms ("m o r o n"), for words whose plain
    form another rule judges in context.
    """
    parts = []
    for char in term:
        if char == " ":
            continue
        cls = _LEET_CLASSES.get(char)
        parts.append("[" + re.escape(cls) + "]" if cls else re.escape(char))
    separator = r"[\W_]{1,2}" if spaced_only else _TERM_SEPARATOR
    return _TERM_BEFORE + separator.join(parts) + _TERM_AFTER


# Leetspeak in patterns: a literal letter also matches the digits and symbols people type
# for it ("c4lm d0wn", "n0thing"), as terms always did.
_PATTERN_LEET: dict[str, str] = {"a": "[a4@]", "e": "[e3]", "i": "[i1!]", "o": "[o0]", "s": "[s5$]", "t": "[t7]"}


def leet_source(source: str) -> str:
    """Rewrite a regex so its literal letters a/e/i/o/s/t accept their leet stand-ins.

    Escapes, character classes, group headers, named groups and quantifiers are copied as
    they are, so the expression means the same thing with more spellings.
    """
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            nxt = source[i + 1 : i + 2]
            width = {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
            if nxt == "N":
                width = source.find("}", i) + 1 - i if "}" in source[i:] else 2
            out.append(source[i : i + width])
            i += width
        elif char == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            out.append(source[i : j + 1])
            i = j + 1
        elif char == "(" and source[i + 1 : i + 2] == "?":
            j = i + 2
            if source[j : j + 2] in ("P<", "P="):
                j = source.find(">" if source[j + 1] == "<" else ")", j) + 1
            elif source[j : j + 1] == "#":
                j = source.find(")", j) + 1
            elif source[j : j + 2] in ("<=", "<!"):
                j += 2
            elif source[j : j + 1] in (":", "=", "!", ">"):
                j += 1
            else:  # inline flags such as (?i) or (?i:...)
                while j < n and (source[j].isalpha() or source[j] == "-"):
                    j += 1
                j += 1 if source[j : j + 1] in (":", ")") else 0
            out.append(source[i:j])
            i = j
        elif char == "{":
            j = source.find("}", i)
            j = n - 1 if j == -1 else j
            out.append(source[i : j + 1])
            i = j + 1
        else:
            out.append(_PATTERN_LEET.get(char, char))
            i += 1
    return "".join(out)


def fuzzy_variants(term: str, exceptions: frozenset[str] = frozenset()) -> list[str]:
    """One-edit typos of a slang term of 5+ letters: two neighbouring letters swapped
    ("idoit", "pebakc"), never the first letter, never a variant listed as a real word."""
    letters = term.replace(" ", "")
    if len(letters) < 5 or not letters.isalnum():
        return []
    variants = []
    for index in range(1, len(letters) - 1):
        a, b = letters[index], letters[index + 1]
        if a == b:
            continue
        variant = letters[:index] + b + a + letters[index + 2 :]
        if variant != letters and variant not in exceptions:
            variants.append(variant)
    return list(dict.fromkeys(variants))


# A slang term's generated pattern (see term_pattern): its matches hold the term's needle.
TERM_SHAPE = re.compile(re.escape(_TERM_BEFORE) + r"(?:\[[^\]]+\]|\\.|[^\[\\(])+" + re.escape(_TERM_AFTER))
