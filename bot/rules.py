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

CONTEXT_SKIPS = frozenset({"quoted", "meta", "negated", "self", "colleague", "name"})

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
VOCAB_FILE = RULES_DIR.parent / "vocab.toml"


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


# --- vocabulary ----------------------------------------------------------------------
#
# Word classes live in prompts/vocab.toml so a rule can say "{you} should have {past_participle}"
# instead of spelling out fifteen verbs: one new word in a class reaches every rule using it.

_VOCAB_REF = re.compile(r"(?<!\\)\{([a-z][a-z0-9_]*)\}")
_VOCAB_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LITERAL_ITEM = re.compile(r"^[a-z0-9'&\- ]+$")
_VOCAB_KEYS = {"items", "except", "anchors", "doc"}
MAX_ANCHORS_PER_RULE = 4000


@dataclass(frozen=True)
class Vocab:
    """Named word classes, each ready to splice into a pattern or expand into anchors.

    ``sources`` maps a name to a non-capturing regex alternation (exceptions become a
    negative lookahead at the slot's start); ``literals`` to the plain phrases of the class,
    which anchors may use.
    """

    sources: dict[str, str] = field(default_factory=dict)
    literals: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def expand(self, source: str, where: str) -> str:
        """Replace every ``{name}`` of a known class; an unknown lower-case ``{name}`` is an error.

        Regex quantifiers (``{0,3}``) and escaped braces are left alone.
        """
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.sources:
                raise RuleError(f"{where}: unknown word class {{{name}}} (not in vocab.toml)")
            return self.sources[name]

        return _VOCAB_REF.sub(one, source)

    def expand_anchor(self, anchor: str, where: str) -> list[str]:
        """All plain phrases an anchor with ``{name}`` slots stands for (a cartesian product)."""
        names = _VOCAB_REF.findall(anchor)
        if not names:
            return [anchor]
        results = [""]
        position = 0
        for match in _VOCAB_REF.finditer(anchor):
            name = match.group(1)
            literals = self.literals.get(name)
            if name not in self.sources:
                raise RuleError(f"{where}: unknown word class {{{name}}} in anchor {anchor!r}")
            if not literals:
                raise RuleError(f"{where}: word class {{{name}}} has no plain phrases to anchor on")
            head = anchor[position:match.start()]
            results = [prefix + head + literal for prefix in results for literal in literals]
            position = match.end()
            if len(results) > MAX_ANCHORS_PER_RULE:
                raise RuleError(f"{where}: anchor {anchor!r} expands to too many phrases")
        tail = anchor[position:]
        return [result + tail for result in results]


def _vocab_item_source(item: str) -> str:
    """A class item is a regex fragment; a plain space in it matches any run of spaces."""
    return item.replace(" ", r"\s+")


def load_vocab(path: Path | None = None) -> Vocab:
    """Read vocab.toml: ``[name]`` tables with ``items`` (regex fragments, may use other
    ``{classes}``), optional ``except`` (fragments the slot must not start with) and
    ``anchors`` (plain phrases to anchor on when items are patterns)."""
    path = path if path is not None else VOCAB_FILE
    if not path.is_file():
        return Vocab()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path.name}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path.name}: not valid TOML: {exc}") from None
    raw: dict[str, dict[str, list[str]]] = {}
    for name, value in data.items():
        where = f"{path.name}: class {name!r}"
        if not _VOCAB_NAME.match(name):
            raise RuleError(f"{where}: names are lower-case letters, digits and underscores")
        if isinstance(value, list):
            value = {"items": value}
        if not isinstance(value, dict):
            raise RuleError(f"{where}: must be a list of strings or a table with 'items'")
        unknown = set(value) - _VOCAB_KEYS
        if unknown:
            raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        items = _strings(value.get("items"), where, "items")
        if not items:
            raise RuleError(f"{where}: needs at least one item")
        raw[name] = {
            "items": items,  # regex fragments, written in lower case (never lower() them: \W is not \w)
            "except": _strings(value.get("except"), where, "except"),
            "anchors": [item.lower() for item in _strings(value.get("anchors"), where, "anchors")],
        }
    sources: dict[str, str] = {}
    literals: dict[str, tuple[str, ...]] = {}

    def resolve(name: str, stack: tuple[str, ...]) -> str:
        if name in sources:
            return sources[name]
        where = f"{path.name}: class {name!r}"
        if name in stack:
            raise RuleError(f"{where}: refers to itself through {' -> '.join((*stack, name))}")
        entry = raw[name]

        def inner(match: re.Match[str]) -> str:
            ref = match.group(1)
            if ref not in raw:
                raise RuleError(f"{where}: unknown word class {{{ref}}}")
            return resolve(ref, (*stack, name))

        items = sorted(
            (_VOCAB_REF.sub(inner, _vocab_item_source(item)) for item in entry["items"]),
            key=len, reverse=True,
        )
        body = "|".join(items)
        if entry["except"]:
            exceptions = "|".join(_VOCAB_REF.sub(inner, _vocab_item_source(e)) for e in entry["except"])
            body = rf"(?!(?:{exceptions})\b)(?:{body})"
        source = f"(?:{body})"
        _compile(source, where)
        sources[name] = source
        plain: list[str] = list(entry["anchors"])
        for item in entry["items"]:
            refs = _VOCAB_REF.findall(item)
            if not refs and _LITERAL_ITEM.match(item):
                plain.append(item)
            elif len(refs) == 1 and _VOCAB_REF.fullmatch(item):
                plain.extend(literals.get(refs[0], ()))
        literals[name] = tuple(dict.fromkeys(plain))
        return source

    for name in raw:
        resolve(name, ())
    return Vocab(sources=sources, literals=literals)


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
            nxt = source[i + 1:i + 2]
            width = {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
            if nxt == "N":
                width = source.find("}", i) + 1 - i if "}" in source[i:] else 2
            out.append(source[i:i + width])
            i += width
        elif char == "[":
            j = i + 1
            if j < n and source[j] == "^":
                j += 1
            if j < n and source[j] == "]":
                j += 1
            while j < n and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            out.append(source[i:j + 1])
            i = j + 1
        elif char == "(" and source[i + 1:i + 2] == "?":
            j = i + 2
            if source[j:j + 2] in ("P<", "P="):
                j = source.find(">" if source[j + 1] == "<" else ")", j) + 1
            elif source[j:j + 1] == "#":
                j = source.find(")", j) + 1
            elif source[j:j + 2] in ("<=", "<!"):
                j += 2
            elif source[j:j + 1] in (":", "=", "!", ">"):
                j += 1
            else:  # inline flags such as (?i) or (?i:...)
                while j < n and (source[j].isalpha() or source[j] == "-"):
                    j += 1
                j += 1 if source[j:j + 1] in (":", ")") else 0
            out.append(source[i:j])
            i = j
        elif char == "{":
            j = source.find("}", i)
            j = n - 1 if j == -1 else j
            out.append(source[i:j + 1])
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
        variant = letters[:index] + b + a + letters[index + 2:]
        if variant != letters and variant not in exceptions:
            variants.append(variant)
    return list(dict.fromkeys(variants))


# --- loading -------------------------------------------------------------------------

_RULE_KEYS = {
    "id", "severity", "tip", "principle", "patterns", "terms", "anchors", "skip", "unless_match",
    "unless_before", "unless_after", "unless_sentence", "unless_message", "only_if_message",
    "only_if_addressed", "require_upper", "extra_categories", "severity_when_addressed",
    "rewrite", "rewrite_sentence", "examples", "counter_examples", "spaced_only", "leet", "fuzzy",
}
_FILE_KEYS = {
    "category", "principle", "next_step", "reflection", "fallback", "skip",
    "severity_when_addressed", "rule", "leet",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{1,60}$")


def _compile(source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise RuleError(f"{where}: invalid regular expression {source!r}: {exc}") from None


def _joined(
    sources: list[str], where: str, vocab: Vocab | None = None, leet: bool = False
) -> re.Pattern[str] | None:
    if not sources:
        return None
    expanded = []
    for source in sources:
        _compile(source if vocab is None else _VOCAB_REF.sub("x", source), where)
        source = vocab.expand(source, where) if vocab is not None else source
        expanded.append(leet_source(source) if leet else source)
    return _compile("|".join(f"(?:{source})" for source in expanded), where)


def _pattern(source: str, where: str, vocab: Vocab, leet: bool) -> re.Pattern[str]:
    """A rule pattern: written errors are reported as written, then classes and leet applied."""
    _compile(_VOCAB_REF.sub("x", source), where)
    expanded = vocab.expand(source, where)
    return _compile(leet_source(expanded) if leet else expanded, where)


def _flag(raw: dict, key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise RuleError(f"{where}: '{key}' must be true or false")
    return value


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
    raw: dict, file_info: CategoryInfo, defaults: dict[str, object], path: Path,
    vocab: Vocab | None = None,
) -> Rule:
    """One [[rule]] table to a compiled Rule: ``{class}`` slots expanded from the vocabulary
    in patterns, exceptions and anchors; leet tolerance on patterns unless ``leet = false``."""
    vocab = vocab if vocab is not None else Vocab()
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
    leet = _flag(raw, "leet", where, bool(defaults.get("leet", True)))
    fuzzy = _flag(raw, "fuzzy", where, False)
    spaced_only = _flag(raw, "spaced_only", where, False)
    patterns = [_pattern(p, where, vocab, leet) for p in _strings(raw.get("patterns"), where, "patterns")]
    terms = [term.lower() for term in _strings(raw.get("terms"), where, "terms")]
    fuzzy_except = frozenset(vocab.literals.get("fuzzy_except", ()))
    typos = [v for term in terms for v in fuzzy_variants(term, fuzzy_except)] if fuzzy and not spaced_only else []
    patterns += [_compile(term_pattern(term, spaced_only), where) for term in terms + typos]
    if not patterns:
        raise RuleError(f"{where}: needs 'patterns' or 'terms'")
    anchors: set[str] = set()
    for written in _strings(raw.get("anchors"), where, "anchors"):
        for anchor in vocab.expand_anchor(written.lower(), where):
            if not anchor.strip() or anchor != anchor.strip():
                raise RuleError(f"{where}: anchor {anchor!r} must not be blank or start/end with a space")
            anchors.add(anchor)
            if " " in anchor:  # "eye dee" also finds "eye-dee"
                anchors.add(anchor.replace(" ", "-"))
    if raw.get("patterns") and not anchors:
        raise RuleError(f"{where}: 'patterns' need 'anchors' (words one of which must appear)")
    if len(anchors) > MAX_ANCHORS_PER_RULE:
        raise RuleError(f"{where}: more than {MAX_ANCHORS_PER_RULE} anchors")
    needle_sources = [compact(term) for term in terms + typos]
    if leet:  # "c4lm d0wn" misses the anchor "calm down" but not its leet-folded needle
        # only long phrases: a short compacted needle ("howit") would match across words ("show it")
        needle_sources += [compact(a) for a in sorted(anchors) if " " in a and len(compact(a)) >= 8]
    needles = tuple(dict.fromkeys(needle_sources))
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
        _flag(raw, flag, where, False)
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
        unless_match=_joined(_strings(raw.get("unless_match"), where, "unless_match"), where, vocab),
        unless_before=_joined(_strings(raw.get("unless_before"), where, "unless_before"), where, vocab),
        unless_after=_joined(_strings(raw.get("unless_after"), where, "unless_after"), where, vocab),
        unless_sentence=_joined(_strings(raw.get("unless_sentence"), where, "unless_sentence"), where, vocab),
        unless_message=_joined(_strings(raw.get("unless_message"), where, "unless_message"), where, vocab),
        only_if_message=_joined(_strings(raw.get("only_if_message"), where, "only_if_message"), where, vocab),
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


def load_file(path: Path, vocab: Vocab | None = None) -> tuple[CategoryInfo, list[Rule]]:
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
    file_leet = data.get("leet", True)
    if not isinstance(file_leet, bool):
        raise RuleError(f"{path.name}: 'leet' must be true or false")
    defaults = {"skip": file_skip, "severity_when_addressed": when_addressed, "leet": file_leet}
    for index, raw in enumerate(raw_rules):
        if not isinstance(raw, dict):
            raise RuleError(f"{path.name}: [[rule]] number {index + 1} is not a table")
    rules = [_parse_rule(raw, info, defaults, path, vocab) for raw in raw_rules]
    return info, rules


def load_rules(directory: Path | str | None = None, vocab: Path | str | None = None) -> RuleSet:
    """Load every *.toml in the rules folder; duplicate ids across files are an error.

    Word classes come from ``vocab`` if given, else a ``vocab.toml`` inside the folder,
    else the bundled prompts/vocab.toml, so a team's own rules can use the shared classes.
    """
    folder = Path(directory) if directory else RULES_DIR
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleError(f"{folder}: no rule files (*.toml) found")
    if vocab is not None:
        vocab_path = Path(vocab)
    elif (folder / "vocab.toml").is_file():
        vocab_path = folder / "vocab.toml"
        files = [f for f in files if f.name != "vocab.toml"]
    else:
        vocab_path = VOCAB_FILE
    word_classes = load_vocab(vocab_path)
    categories: dict[str, CategoryInfo] = {}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        info, file_rules = load_file(path, word_classes)
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
