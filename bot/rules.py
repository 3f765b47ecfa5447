"""Load and validate the coaching rules in prompts/rules/*.toml into compiled, ready rules.

The rules are data so that coaches, not programmers, can add a phrase, an exception or a
tip. Every mistake in a file is reported with the file and rule it is in; the loader never
lets a bad file take the bot down with a traceback.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from bot.models import CATEGORIES, SEVERITIES

CONTEXT_SKIPS = frozenset({"quoted", "meta", "negated", "self", "colleague"})

# Leetspeak and spacing: a term "pebkac" also matches "P.E.B.K.A.C", "p e b k a c", "p3bkac".
_LEET_CLASSES: dict[str, str] = {
    "a": "a4@", "b": "b8", "e": "e3", "g": "g9", "i": "i1!|l", "l": "l1|i", "o": "o0",
    "s": "s5$z", "t": "t7+", "z": "z2s", "0": "0o", "1": "1il!|",
}
_TERM_SEPARATOR = r"[\W_]{0,2}"
_TERM_BEFORE = r"(?<![\w/@#$])"
_TERM_AFTER = r"(?:[s5$z]|e?s)?(?![\w/@]|[.\-][a-z0-9])"

# The compact view used by the prefilter: leet folded, ASCII punctuation and spaces gone.
_LEET_FOLD = {"1": "i", "!": "i", "|": "i", "l": "i", "0": "o", "3": "e", "4": "a", "@": "a",
              "5": "s", "$": "s", "z": "s", "7": "t", "+": "t"}
COMPACT_TABLE = str.maketrans(
    {**{ch: None for ch in string.punctuation + string.whitespace if ch not in _LEET_FOLD}, **_LEET_FOLD}
)

RULES_DIR = Path(__file__).resolve().parent / "prompts" / "rules"
if not RULES_DIR.is_dir():  # running from a source checkout rather than an installed wheel
    RULES_DIR = Path(__file__).resolve().parent.parent / "prompts" / "rules"


class RuleError(ValueError):
    """A rule file is wrong; the message names the file and the rule."""

_ASCII_DELETE = "".join(ch for ch in string.punctuation + string.whitespace if ch not in _LEET_FOLD).encode()
_ASCII_FOLD = bytes.maketrans("".join(_LEET_FOLD).encode(), "".join(_LEET_FOLD.values()).encode())


def compact(text: str) -> str:
    """Fold a (normalised) text to letters and digits, leet undone, for the needle prefilter."""
    if text.isascii():  # the common case: bytes.translate is several times faster
        return text.encode().translate(_ASCII_FOLD, _ASCII_DELETE).decode()
    return text.translate(COMPACT_TABLE)


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


@dataclass(frozen=True)
class Rule:
    """One compiled rule: what to match, when not to, and how to coach it."""

    id: str
    category: str
    severity: str
    tip: str
    principle: str
    patterns: tuple[re.Pattern[str], ...]
    anchors: frozenset[str] = frozenset()
    needles: tuple[str, ...] = ()
    skip: frozenset[str] = frozenset()
    unless_match: re.Pattern[str] | None = None
    unless_before: re.Pattern[str] | None = None
    unless_after: re.Pattern[str] | None = None
    unless_sentence: re.Pattern[str] | None = None
    unless_message: re.Pattern[str] | None = None
    only_if_message: re.Pattern[str] | None = None
    only_if_addressed: bool = False
    require_upper: bool = False
    extra_categories: tuple[str, ...] = ()
    severity_when_addressed: str | None = None
    rewrite: str | None = None
    rewrite_sentence: str | None = None
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class CategoryInfo:
    """What a category stands for, and the words the coach falls back on for it."""

    name: str
    principle: str
    next_step: str
    reflection: str
    fallback: str


def _automaton(keys: dict[str, list[int]]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key, indices in keys.items():
        automaton.add_word(key, (len(key), key[0].isalnum(), tuple(indices)))
    automaton.make_automaton()
    return automaton


@dataclass(frozen=True)
class RuleSet:
    """All rules, indexed for the prefilter so a clean message costs almost nothing.

    Anchors (words or phrases, matched from the start of a word, so "obvious" also finds
    "obviously") and term needles (found in the compact, leet-folded copy, so "p e b k a c"
    and "P.3.B.K.A.C" are seen) are each found in one Aho-Corasick pass; only rules with a
    hit run their regular expressions.
    """

    rules: tuple[Rule, ...]
    categories: dict[str, CategoryInfo]
    by_id: dict[str, Rule] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    anchors: ahocorasick.Automaton | None = field(default=None, repr=False, compare=False)
    needles: ahocorasick.Automaton | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, rules: Iterable[Rule], categories: dict[str, CategoryInfo]) -> RuleSet:
        rules = tuple(rules)
        anchors: dict[str, list[int]] = {}
        needles: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            for anchor in rule.anchors:
                anchors.setdefault(anchor, []).append(index)
            for needle in rule.needles:
                needles.setdefault(needle, []).append(index)
        return cls(
            rules=rules,
            categories=categories,
            by_id={rule.id: rule for rule in rules},
            order={rule.id: index for index, rule in enumerate(rules)},
            anchors=_automaton(anchors),
            needles=_automaton(needles),
        )

    def candidates(self, text: str) -> list[Rule]:
        """Rules worth running on a normalised text, in file order, each once."""
        picked: set[int] = set()
        if self.anchors is not None:
            for end, (length, wordlike, indices) in self.anchors.iter(text):
                start = end - length + 1
                if wordlike and start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
                    continue
                picked.update(indices)
        if self.needles is not None:
            for _end, (_length, _wordlike, indices) in self.needles.iter(compact(text)):
                picked.update(indices)
        if not picked:
            return []
        return [self.rules[index] for index in sorted(picked)]

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id.get(rule_id)


# --- loading -------------------------------------------------------------------------

_RULE_KEYS = {
    "id", "severity", "tip", "principle", "patterns", "terms", "anchors", "skip", "unless_match",
    "unless_before", "unless_after", "unless_sentence", "unless_message", "only_if_message",
    "only_if_addressed", "require_upper", "extra_categories", "severity_when_addressed",
    "rewrite", "rewrite_sentence", "examples", "counter_examples", "spaced_only",
}
_FILE_KEYS = {
    "category", "principle", "next_step", "reflection", "fallback", "skip",
    "severity_when_addressed", "rule",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{1,60}$")


def _compile(source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise RuleError(f"{where}: invalid regular expression {source!r}: {exc}") from None


def _joined(sources: list[str], where: str) -> re.Pattern[str] | None:
    if not sources:
        return None
    for source in sources:
        _compile(source, where)
    return _compile("|".join(f"(?:{source})" for source in sources), where)


def _strings(value: object, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise RuleError(f"{where}: '{key}' must be a string or a list of strings")


def _text(value: object, where: str, key: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise RuleError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _parse_rule(
    raw: dict, file_info: CategoryInfo, defaults: dict[str, object], path: Path
) -> Rule:
    rule_id = raw.get("id")
    where = f"{path.name}: rule {rule_id!r}" if rule_id else f"{path.name}: a rule without an id"
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise RuleError(f"{where}: 'id' must be lower-case letters, digits and dashes")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}")
    patterns = [_compile(p, where) for p in _strings(raw.get("patterns"), where, "patterns")]
    terms = _strings(raw.get("terms"), where, "terms")
    spaced_only = raw.get("spaced_only", False)
    if not isinstance(spaced_only, bool):
        raise RuleError(f"{where}: 'spaced_only' must be true or false")
    patterns += [_compile(term_pattern(term.lower(), spaced_only), where) for term in terms]
    if not patterns:
        raise RuleError(f"{where}: needs 'patterns' or 'terms'")
    anchors = {a.lower() for a in _strings(raw.get("anchors"), where, "anchors")}
    if raw.get("patterns") and not anchors:
        raise RuleError(f"{where}: 'patterns' need 'anchors' (words one of which must appear)")
    for anchor in anchors:
        if not anchor.strip() or anchor != anchor.strip():
            raise RuleError(f"{where}: anchor {anchor!r} must not be blank or start/end with a space")
    needles = tuple(dict.fromkeys(compact(term.lower()) for term in terms))
    skip = frozenset(_strings(raw["skip"], where, "skip")) if "skip" in raw else defaults["skip"]
    if not skip <= CONTEXT_SKIPS:
        raise RuleError(f"{where}: 'skip' may only hold {', '.join(sorted(CONTEXT_SKIPS))}")
    extra = tuple(_strings(raw.get("extra_categories"), where, "extra_categories"))
    for category in extra:
        if category not in CATEGORIES:
            raise RuleError(f"{where}: unknown extra category {category!r}")
    when_addressed = raw.get("severity_when_addressed", defaults["severity_when_addressed"])
    if when_addressed is not None and when_addressed not in SEVERITIES:
        raise RuleError(f"{where}: 'severity_when_addressed' must be one of {', '.join(SEVERITIES)}")
    for flag in ("require_upper", "only_if_addressed"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise RuleError(f"{where}: '{flag}' must be true or false")
    rewrite = raw.get("rewrite")
    if rewrite is not None and not isinstance(rewrite, str):
        raise RuleError(f"{where}: 'rewrite' must be a string")
    rewrite_sentence = raw.get("rewrite_sentence")
    if rewrite_sentence is not None and not isinstance(rewrite_sentence, str):
        raise RuleError(f"{where}: 'rewrite_sentence' must be a string")
    return Rule(
        id=rule_id,
        category=file_info.name,
        severity=severity,
        tip=_text(raw.get("tip"), where, "tip"),
        principle=_text(raw.get("principle"), where, "principle", required=False)
        or file_info.principle,
        patterns=tuple(patterns),
        anchors=frozenset(anchors),
        needles=needles,
        skip=skip,
        unless_match=_joined(_strings(raw.get("unless_match"), where, "unless_match"), where),
        unless_before=_joined(_strings(raw.get("unless_before"), where, "unless_before"), where),
        unless_after=_joined(_strings(raw.get("unless_after"), where, "unless_after"), where),
        unless_sentence=_joined(_strings(raw.get("unless_sentence"), where, "unless_sentence"), where),
        unless_message=_joined(_strings(raw.get("unless_message"), where, "unless_message"), where),
        only_if_message=_joined(_strings(raw.get("only_if_message"), where, "only_if_message"), where),
        only_if_addressed=bool(raw.get("only_if_addressed", False)),
        require_upper=bool(raw.get("require_upper", False)),
        extra_categories=extra,
        severity_when_addressed=when_addressed,
        rewrite=rewrite,
        rewrite_sentence=rewrite_sentence,
        examples=tuple(_strings(raw.get("examples"), where, "examples")),
        counter_examples=tuple(_strings(raw.get("counter_examples"), where, "counter_examples")),
        source=path.name,
    )


def load_file(path: Path) -> tuple[CategoryInfo, list[Rule]]:
    """Parse one category file; raises RuleError naming the file (and rule) on any problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path.name}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path.name}: not valid TOML: {exc}") from None
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise RuleError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}")
    category = data.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"{path.name}: 'category' must be one of {', '.join(CATEGORIES)}")
    info = CategoryInfo(
        name=category,
        principle=_text(data.get("principle"), path.name, "principle"),
        next_step=_text(data.get("next_step"), path.name, "next_step"),
        reflection=_text(data.get("reflection"), path.name, "reflection"),
        fallback=_text(data.get("fallback"), path.name, "fallback"),
    )
    file_skip = frozenset(_strings(data.get("skip"), path.name, "skip"))
    if not file_skip <= CONTEXT_SKIPS:
        raise RuleError(f"{path.name}: 'skip' may only hold {', '.join(sorted(CONTEXT_SKIPS))}")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(f"{path.name}: needs at least one [[rule]]")
    when_addressed = data.get("severity_when_addressed")
    if when_addressed is not None and when_addressed not in SEVERITIES:
        raise RuleError(f"{path.name}: 'severity_when_addressed' must be one of {', '.join(SEVERITIES)}")
    defaults = {"skip": file_skip, "severity_when_addressed": when_addressed}
    for index, raw in enumerate(raw_rules):
        if not isinstance(raw, dict):
            raise RuleError(f"{path.name}: [[rule]] number {index + 1} is not a table")
    rules = [_parse_rule(raw, info, defaults, path) for raw in raw_rules]
    return info, rules


def load_rules(directory: Path | str | None = None) -> RuleSet:
    """Load every *.toml in the rules folder; duplicate ids across files are an error."""
    folder = Path(directory) if directory else RULES_DIR
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleError(f"{folder}: no rule files (*.toml) found")
    categories: dict[str, CategoryInfo] = {}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        info, file_rules = load_file(path)
        if info.name in categories:
            raise RuleError(f"{path.name}: category {info.name!r} is defined in two files")
        categories[info.name] = info
        for rule in file_rules:
            if rule.id in seen:
                raise RuleError(f"{path.name}: rule {rule.id!r} is already defined in {seen[rule.id]}")
            seen[rule.id] = path.name
            rules.append(rule)
    return RuleSet.build(rules, categories)


_default: RuleSet | None = None


def default_rules() -> RuleSet:
    """The bundled rules, loaded once per process."""
    global _default
    if _default is None:
        _default = load_rules()
    return _default
