"""The shape of a rule file, as a table: each key's kind, default and allowed values.

A coach who mistypes a key or a value gets one line naming the file, the rule and the key,
never a traceback. The table is the whole contract for the TOML: ``check`` reads a raw table
against it and hands back plain, typed values; what a value *means* (compiling a pattern,
expanding a word class) is the loader's job, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.models import CATEGORIES, SEVERITIES
from bot.prompts import RuleError

CONTEXT_SKIPS = frozenset({"quoted", "meta", "negated", "self", "colleague", "name"})
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{1,60}$")


@dataclass(frozen=True)
class Key:
    """One key of a table. ``kind``: "id", "text" (a non-empty string), "string" (any string),
    "strings" (a string or a list of strings, read as a list), "bool", "choice" (one of
    ``allowed``), "choices" (strings, each one of ``allowed``) or "tables" (a list of tables)."""

    kind: str
    default: object = None
    required: bool = False
    allowed: tuple[str, ...] = ()


_SEVERITY = Key("choice", allowed=SEVERITIES)

RULE_KEYS: Mapping[str, Key] = {
    "id": Key("id", required=True),
    "severity": Key("choice", required=True, allowed=SEVERITIES),
    "tip": Key("text", required=True),
    "principle": Key("string", default=""),  # empty: the file's principle
    "patterns": Key("strings", default=()),
    "terms": Key("strings", default=()),
    "anchors": Key("strings", default=()),
    "skip": Key("choices", allowed=tuple(sorted(CONTEXT_SKIPS))),  # None: the file's skip
    "unless_match": Key("strings", default=()),
    "unless_before": Key("strings", default=()),
    "unless_after": Key("strings", default=()),
    "unless_sentence": Key("strings", default=()),
    "unless_message": Key("strings", default=()),
    "only_if_message": Key("strings", default=()),
    "only_if_addressed": Key("bool", default=False),
    "require_upper": Key("bool", default=False),
    "extra_categories": Key("choices", default=(), allowed=CATEGORIES),
    "severity_when_addressed": _SEVERITY,  # None: the file's
    "rewrite": Key("string"),
    "rewrite_sentence": Key("string"),
    "examples": Key("strings", default=()),
    "counter_examples": Key("strings", default=()),
    "spaced_only": Key("bool", default=False),
    "leet": Key("bool"),  # None: the file's
    "fuzzy": Key("bool", default=False),
}

FILE_KEYS: Mapping[str, Key] = {
    "category": Key("choice", required=True, allowed=CATEGORIES),
    "principle": Key("text", required=True),
    "next_step": Key("text", required=True),
    "reflection": Key("text", required=True),
    "fallback": Key("text", required=True),
    "skip": Key("choices", default=(), allowed=tuple(sorted(CONTEXT_SKIPS))),
    "severity_when_addressed": _SEVERITY,
    "leet": Key("bool", default=True),
    "rule": Key("tables", required=True),
}


# A folder laid over the bundled rules (COACH_RULES_DIR) may leave out any header key: those
# it gives replace the category's.
OVERLAY_KEYS: Mapping[str, Key] = {
    **FILE_KEYS,
    **{name: Key("text") for name in ("principle", "next_step", "reflection", "fallback")},
    "rule": Key("tables", default=()),
}


def as_strings(value: object, name: str, where: str) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple (none: empty)."""
    return () if value is None else _strings(value, name, where)


def check(raw: Mapping[str, object], keys: Mapping[str, Key], where: str) -> dict[str, object]:
    """Every key of ``keys`` with its checked value (or default); unknown keys are an error."""
    unknown = set(raw) - set(keys)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return {name: _value(raw.get(name), name, key, where) for name, key in keys.items()}


def _value(value: object, name: str, key: Key, where: str) -> object:
    if value is None:
        if key.required:
            _missing(name, key, where)
        return key.default
    kind = key.kind
    if kind == "id":
        if not isinstance(value, str) or not RULE_ID.match(value):
            raise RuleError(f"{where}: '{name}' must be lower-case letters, digits and dashes")
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"{where}: '{name}' must be a non-empty string")
        return value.strip()
    if kind == "string":
        if not isinstance(value, str):
            raise RuleError(f"{where}: '{name}' must be a string")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise RuleError(f"{where}: '{name}' must be true or false")
        return value
    if kind == "choice":
        if value not in key.allowed:
            raise RuleError(f"{where}: '{name}' must be one of {', '.join(key.allowed)}")
        return value
    if kind == "tables":
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: needs at least one [[{name}]]")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise RuleError(f"{where}: [[{name}]] number {index + 1} is not a table")
        return value
    strings = _strings(value, name, where)
    if kind == "choices":
        wrong = [item for item in strings if item not in key.allowed]
        if wrong:
            raise RuleError(f"{where}: '{name}' may only hold {', '.join(key.allowed)} (not {wrong[0]!r})")
    return strings


def _strings(value: object, name: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise RuleError(f"{where}: '{name}' must be a string or a list of strings")


def _missing(name: str, key: Key, where: str) -> None:
    if key.kind == "choice":
        raise RuleError(f"{where}: '{name}' must be one of {', '.join(key.allowed)}")
    if key.kind == "tables":
        raise RuleError(f"{where}: needs at least one [[{name}]]")
    if key.kind == "id":
        raise RuleError(f"{where}: '{name}' must be lower-case letters, digits and dashes")
    raise RuleError(f"{where}: '{name}' must be a non-empty string")
