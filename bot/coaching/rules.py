"""Load and validate the coaching rules in prompts/rules/*.toml into compiled, ready rules.

The rules are data so that coaches, not programmers, can add a phrase, an exception or a
tip. Every mistake in a file is reported with the file and rule it is in; the loader never
lets a bad file take the bot down with a traceback.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import ahocorasick

from bot.coaching.compact import compact
from bot.coaching.prefilter import (
    AT_STARTS,
    PatternPlan,
    Windows,
    anchor_automaton,
    at_word_start,
    compact_spans,
    inverted,
    leet_fold,
    needle_automaton,
    searched_anchors,
    searched_needles,
    starts_around,
    windows_around,
)
from bot.coaching.rarity import forget_estimates
from bot.coaching.regex_shape import fast_search, match_width, required_need, start_search
from bot.coaching.rule_schema import FILE_KEYS, OVERLAY_KEYS, RULE_KEYS, as_strings, check
from bot.coaching.terms import TERM_SHAPE, fuzzy_variants, leet_source, term_pattern
from bot.prompts import PROMPTS_DIR, RuleError, read_toml

RULES_DIR = PROMPTS_DIR / "rules"
VOCAB_FILE = PROMPTS_DIR / "vocab.toml"


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


@dataclass(frozen=True)
class RuleSet:
    """All rules, indexed for the prefilter so a clean message costs almost nothing.

    A rule is a candidate when one of its anchors (words or phrases, matched from the start
    of a word, so "obvious" also finds "obviously") or term needles (found from a word start
    in the compact, leet-folded copy, so "p e b k a c" and "P.3.B.K.A.C" are seen) occurs.
    Each of a candidate's patterns then runs only where it can match: in windows around the
    literals every match of it contains (computed from the regex), or around the needle hits
    for term patterns. Anchors and literals are found in one Aho-Corasick pass over a
    leet-folded copy of the text ("t0" read as "to", offsets unchanged), where all the
    spellings of a literal are one key (a few thousand keys, not tens of thousands): an
    anchor hit is checked against the text as written; a literal hit can only widen the
    windows, and a pattern searched in a wider window finds the same matches. The hits
    become windows only when some rule was picked (most messages make none a candidate).
    """

    rules: tuple[Rule, ...]
    categories: dict[str, CategoryInfo]
    by_id: dict[str, Rule] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    plans: tuple[tuple[PatternPlan, ...], ...] = ()
    key_literals: dict[int, frozenset[int]] = field(default_factory=dict)  # literal key -> ids of its folded literals
    key_reach: dict[int, tuple[int, int]] = field(default_factory=dict)  # literal key -> (before, after)
    # Per rule: literal key -> positions of the patterns planned on it; positions of patterns
    # run on the whole text; positions of slang-term patterns.
    slots: tuple[dict[int, tuple[int, ...]], ...] = ()
    rule_literal_keys: tuple[dict[int, tuple[int, ...]], ...] = ()  # per rule: literal id -> its keys holding it
    whole_slots: tuple[tuple[int, ...], ...] = ()
    term_slots: tuple[tuple[int, ...], ...] = ()
    unwindowed: frozenset[int] = frozenset()  # rules with a pattern that runs on the whole text
    prefilter: ahocorasick.Automaton | None = field(default=None, repr=False, compare=False)  # leet-folded
    needles: ahocorasick.Automaton | None = field(default=None, repr=False, compare=False)
    term_rules: frozenset[int] = frozenset()  # rules with a slang-term pattern (windows from needle hits)

    @classmethod
    def build(cls, rules: Iterable[Rule], categories: dict[str, CategoryInfo]) -> RuleSet:
        rules = tuple(rules)
        anchors: dict[str, dict[str, list[int]]] = {}  # folded anchor -> anchor as written -> rules
        needles: dict[str, tuple[list[int], list[int]]] = {}
        keys: dict[tuple[str, int], PatternPlan] = {}
        groups: dict[tuple[frozenset[str] | None, int, int], int] = {}
        literal_ids: dict[str, int] = {}  # folded literal -> its id
        key_literals: dict[int, frozenset[int]] = {}
        plans = []
        for index, rule in enumerate(rules):
            for anchor in searched_anchors(rule.anchors):
                anchors.setdefault(leet_fold(anchor), {}).setdefault(anchor, []).append(index)
            for needle in searched_needles(rule.needles, rule.patterns):
                needles.setdefault(needle, ([], []))[0].append(index)
            rule_plans = []
            for pattern in rule.patterns:
                plan = keys.get((pattern.pattern, pattern.flags))
                if plan is None:
                    need = required_need(pattern)
                    literals, before, after = need if need is not None else (None, 0, 0)
                    term = literals is None and bool(rule.needles) and bool(TERM_SHAPE.fullmatch(pattern.pattern))
                    # Patterns with the same literals and reach share their hits and windows.
                    key = groups.setdefault((literals, before, after), len(groups)) if literals else -1
                    plan = PatternPlan(key, match_width(pattern), literals, term, before, after)
                    keys[(pattern.pattern, pattern.flags)] = plan
                    fast_search(pattern)  # compiled now, at load, not on a message
                    start_search(pattern)
                    if key >= 0 and key not in key_literals:
                        key_literals[key] = frozenset(
                            literal_ids.setdefault(leet_fold(literal), len(literal_ids)) for literal in literals or ()
                        )
                rule_plans.append(plan)
            plans.append(tuple(rule_plans))
        forget_estimates()  # the literal-cost memo is only needed while planning
        slots: list[dict[int, tuple[int, ...]]] = []
        for planned in plans:
            positions: dict[int, list[int]] = {}
            for position, plan in enumerate(planned):
                if plan.literals is not None:
                    positions.setdefault(plan.key, []).append(position)
            slots.append({key: tuple(found) for key, found in positions.items()})
        return cls(
            rules=rules,
            categories=categories,
            by_id={rule.id: rule for rule in rules},
            order={rule.id: index for index, rule in enumerate(rules)},
            plans=tuple(plans),
            key_literals=key_literals,
            key_reach={plan.key: (plan.before, plan.after) for plan in keys.values() if plan.literals is not None},
            slots=tuple(slots),
            rule_literal_keys=tuple(inverted({key: key_literals[key] for key in by_key}) for by_key in slots),
            whole_slots=tuple(
                tuple(position for position, plan in enumerate(rule_plans) if plan.literals is None and not plan.term)
                for rule_plans in plans
            ),
            term_slots=tuple(
                tuple(position for position, plan in enumerate(rule_plans) if plan.term) for rule_plans in plans
            ),
            unwindowed=frozenset(
                index
                for index, rule_plans in enumerate(plans)
                if any(plan.literals is None and not plan.term for plan in rule_plans)
            ),
            prefilter=anchor_automaton(anchors, literal_ids),
            needles=needle_automaton(needles),
            term_rules=frozenset(
                index for index, rule_plans in enumerate(plans) if any(plan.term for plan in rule_plans)
            ),
        )

    def scan(self, text: str) -> list[tuple[Rule, tuple[Windows | None, ...]]]:
        """Candidate rules for a normalised text, in file order, each with, per pattern, the
        windows to run it in (empty: skip it; None: the whole text). A candidate none of
        whose patterns can match is left out."""
        out = []
        for rule, runs in self.runs(text):
            windows: list[Windows | None] = [()] * len(rule.patterns)
            for position, where in runs:
                windows[position] = where
            out.append((rule, tuple(windows)))
        return out

    def runs(self, text: str) -> list[tuple[Rule, list[tuple[int, Windows | None]]]]:
        """What ``scan`` finds, as detection uses it: each candidate with only the patterns
        worth running, (position in the rule, windows or None for the whole text), in the
        rule's order: a rule of forty patterns of which two can match costs two steps."""
        picked: set[int] = set()
        hits = list(self.prefilter.iter(leet_fold(text))) if self.prefilter else []
        for end, (length, written, _literal) in [hit for hit in hits if hit[1][1]]:  # anchor hits
            start = end - length + 1
            for anchor, wordlike, indices in written:
                # as written, not only folded; from a word start ("obvious" in "obviously", not "unobvious")
                if text.startswith(anchor, start) and not (
                    wordlike and start and (text[start - 1].isalnum() or text[start - 1] == "_")
                ):
                    picked.update(indices)
        needle_spans: dict[int, list[tuple[int, int]]] = {}
        if self.needles is not None:
            compacted = compact(text)
            # A hit only for rules the anchors already picked, none with a term pattern, would
            # change nothing: its place in the text (the costly part) is not worked out.
            term_rules = self.term_rules
            raw = [
                (end - length + 1, end + 1, indices)
                for end, (length, _w, indices, _k) in self.needles.iter(compacted)
                if not picked.issuperset(indices) or not term_rules.isdisjoint(indices)
            ]
            if raw:
                spans = compact_spans(text, [(start, end) for start, end, _ in raw])
                for (start, end), (_s, _e, indices) in zip(spans, raw, strict=True):
                    if at_word_start(text, start):  # "it's to" holds "tsto", but not from a word start
                        picked.update(indices)
                        for index in indices:
                            needle_spans.setdefault(index, []).append((start, end))
        if not picked:
            return []
        hits_of: dict[int, list[tuple[int, int]]] = {}  # literal id -> spans
        for end, (size, _written, literal) in hits:
            if literal >= 0:
                hits_of.setdefault(literal, []).append((end - size + 1, end + 1))
        length = len(text)
        by_key: dict[int, Windows] = {}
        out = []
        for index in sorted(picked):
            # the rule's literal keys with a literal that occurs (through its own index: few)
            lit_keys = self.rule_literal_keys[index]
            here = {key for literal in lit_keys.keys() & hits_of.keys() for key in lit_keys[literal]}
            terms = self.term_slots[index]
            needled = needle_spans.get(index) if terms else None
            if not here and not needled and index not in self.unwindowed:
                continue  # none of its patterns can match: no literal of theirs occurs
            runs: list[tuple[int, Windows | None]] = [(position, None) for position in self.whole_slots[index]]
            slots = self.slots[index]
            for key in here:
                where = by_key.get(key)
                if where is None:
                    ids = self.key_literals[key]
                    spans = [span for literal, found in hits_of.items() if literal in ids for span in found]
                    before, after = self.key_reach[key]
                    where = (
                        starts_around(spans, before)
                        if before <= AT_STARTS
                        else windows_around(spans, before, after, length)
                    )
                    by_key[key] = where
                runs.extend((position, where) for position in slots[key])
            if needled:
                for position in terms:
                    width = self.plans[index][position].width
                    runs.append((position, windows_around(needled, width, width, length)))
            runs.sort(key=lambda run: run[0])  # the rule's own pattern order
            out.append((self.rules[index], runs))
        return out

    def candidates(self, text: str) -> list[Rule]:
        """Rules worth running on a normalised text, in file order, each once."""
        return [rule for rule, windows_around in self.scan(text)]

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id.get(rule_id)


# --- vocabulary ----------------------------------------------------------------------
#
# Word classes live in prompts/vocab.toml so a rule can say "{you} should have {past_participle}"
# instead of spelling out fifteen verbs: one new word in a class reaches every rule using it.

_VOCAB_REF = re.compile(r"(?<!\\)\{([a-z][a-z0-9_]*)\}")
_VOCAB_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_AT_PATTERN_END = re.compile(r"\)*$")  # only closing groups left: the slot ends the pattern
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
            if _AT_PATTERN_END.match(source, match.end()):
                # A class names whole words: a slot that ends the pattern ends at a word's end
                # ("{tech_object}" is "app", never the start of "applied").
                return self.sources[name] + r"(?!\w)"
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
            head = anchor[position : match.start()]
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
    data = read_toml(path)
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
        items = list(as_strings(value.get("items"), "items", where))
        if not items:
            raise RuleError(f"{where}: needs at least one item")
        raw[name] = {
            "items": items,  # regex fragments, written in lower case (never lower() them: \W is not \w)
            "except": list(as_strings(value.get("except"), "except", where)),
            "anchors": [item.lower() for item in as_strings(value.get("anchors"), "anchors", where)],
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
            key=len,
            reverse=True,
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


# --- loading -------------------------------------------------------------------------


def _compile(source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise RuleError(f"{where}: invalid regular expression {source!r}: {exc}") from None


def _joined(sources: list[str], where: str, vocab: Vocab | None = None, leet: bool = False) -> re.Pattern[str] | None:
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


def parse_rule(
    raw: dict,
    file_info: CategoryInfo,
    defaults: dict[str, object],
    path: Path,
    vocab: Vocab | None = None,
) -> Rule:
    """One [[rule]] table to a compiled Rule: checked against the schema (bot.coaching.rule_schema),
    ``{class}`` slots expanded from the vocabulary in patterns, exceptions and anchors; leet
    tolerance on patterns unless ``leet = false``."""
    vocab = vocab if vocab is not None else Vocab()
    rule_id = raw.get("id")
    where = f"{path.name}: rule {rule_id!r}" if rule_id else f"{path.name}: a rule without an id"
    value = check(raw, RULE_KEYS, where)
    strings = cast(dict[str, tuple[str, ...]], value)
    leet = cast(bool, defaults.get("leet", True) if value["leet"] is None else value["leet"])
    fuzzy, spaced_only = bool(value["fuzzy"]), bool(value["spaced_only"])
    patterns = [_pattern(p, where, vocab, leet) for p in strings["patterns"]]
    terms = [term.lower() for term in strings["terms"]]
    fuzzy_except = frozenset(vocab.literals.get("fuzzy_except", ()))
    typos = [v for term in terms for v in fuzzy_variants(term, fuzzy_except)] if fuzzy and not spaced_only else []
    patterns += [_compile(term_pattern(term, spaced_only), where) for term in terms + typos]
    if not patterns:
        raise RuleError(f"{where}: needs 'patterns' or 'terms'")
    anchors: set[str] = set()
    for written in strings["anchors"]:
        for anchor in vocab.expand_anchor(written.lower(), where):
            if not anchor.strip() or anchor != anchor.strip():
                raise RuleError(f"{where}: anchor {anchor!r} must not be blank or start/end with a space")
            anchors.add(anchor)
            if " " in anchor:  # "eye dee" also finds "eye-dee"
                anchors.add(anchor.replace(" ", "-"))
    if strings["patterns"] and not anchors:
        raise RuleError(f"{where}: 'patterns' need 'anchors' (words one of which must appear)")
    if len(anchors) > MAX_ANCHORS_PER_RULE:
        raise RuleError(f"{where}: more than {MAX_ANCHORS_PER_RULE} anchors")
    needle_sources = [compact(term) for term in terms + typos]
    if leet:  # "c4lm d0wn" misses the anchor "calm down" but not its leet-folded needle
        # only long phrases: a short compacted needle ("howit") would match across words ("show it")
        needle_sources += [compact(a) for a in sorted(anchors) if " " in a and len(compact(a)) >= 8]
    skip = value["skip"]
    when_addressed = value["severity_when_addressed"]

    def exception(key: str) -> re.Pattern[str] | None:
        return _joined(list(strings[key]), where, vocab)

    return Rule(
        id=cast(str, value["id"]),
        category=file_info.name,
        severity=cast(str, value["severity"]),
        tip=cast(str, value["tip"]),
        principle=cast(str, value["principle"]).strip() or file_info.principle,
        patterns=tuple(patterns),
        anchors=frozenset(anchors),
        needles=tuple(dict.fromkeys(needle_sources)),
        skip=frozenset(cast(tuple[str, ...], defaults["skip"] if skip is None else skip)),
        unless_match=exception("unless_match"),
        unless_before=exception("unless_before"),
        unless_after=exception("unless_after"),
        unless_sentence=exception("unless_sentence"),
        unless_message=exception("unless_message"),
        only_if_message=exception("only_if_message"),
        only_if_addressed=bool(value["only_if_addressed"]),
        require_upper=bool(value["require_upper"]),
        extra_categories=strings["extra_categories"],
        severity_when_addressed=cast(
            str | None, defaults["severity_when_addressed"] if when_addressed is None else when_addressed
        ),
        rewrite=cast(str | None, value["rewrite"]),
        rewrite_sentence=cast(str | None, value["rewrite_sentence"]),
        examples=strings["examples"],
        counter_examples=strings["counter_examples"],
        source=path.name,
    )


def load_file(path: Path, vocab: Vocab | None = None) -> tuple[CategoryInfo, list[Rule]]:
    """Parse one category file; raises RuleError naming the file (and rule) on any problem."""
    value = check(read_toml(path), FILE_KEYS, path.name)
    text = cast(dict[str, str], value)
    info = CategoryInfo(
        name=text["category"],
        principle=text["principle"],
        next_step=text["next_step"],
        reflection=text["reflection"],
        fallback=text["fallback"],
    )
    defaults = {
        "skip": value["skip"],
        "severity_when_addressed": value["severity_when_addressed"],
        "leet": value["leet"],
    }
    rules = [parse_rule(raw, info, defaults, path, vocab) for raw in cast(list[dict], value["rule"])]
    return info, rules


def load_rules(
    directory: Path | str | None = None, vocab: Path | str | None = None, overlay: Path | str | None = None
) -> RuleSet:
    """Load every *.toml in the rules folder; duplicate ids across files are an error.

    Word classes come from ``vocab`` if given, else a ``vocab.toml`` inside the folder,
    else the bundled prompts/vocab.toml, so a team's own rules can use the shared classes.
    ``overlay`` (COACH_RULES_DIR) is a folder whose files add to these rules rather than
    replace them: one custom file must not cost the team the bundled PEBKAC rule.
    """
    if overlay is not None:
        return _overlaid(load_rules(directory, vocab), Path(overlay), vocab)
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


def _overlaid(base: RuleSet, folder: Path, vocab: Path | str | None) -> RuleSet:
    """``base`` with a folder's rule files laid over it, file by file in name order.

    A rule with a new id is added (after its category's rules), one with an existing id
    replaces it in place, and ``enabled = false`` (with just the id) switches it off. The
    header keys are optional here; those given replace the category's. Word classes are the
    bundled ones, so a vocab.toml in the folder is refused rather than silently ignored.
    """
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleError(f"{folder}: no rule files (*.toml) found")
    if (folder / "vocab.toml").is_file():
        raise RuleError(f"{folder}: vocab.toml is only read with --rules-only (overlays use the bundled word classes)")
    word_classes = load_vocab(Path(vocab) if vocab is not None else VOCAB_FILE)
    rules = list(base.rules)
    categories = dict(base.categories)
    seen: dict[str, str] = {}
    for path in files:
        data = read_toml(path)
        category = data.get("category")
        if category not in categories:
            raise RuleError(f"{path.name}: 'category' must be one of {', '.join(categories)}")
        value = check(data, OVERLAY_KEYS, path.name)
        header = {
            key: str(value[key])
            for key in ("principle", "next_step", "reflection", "fallback")
            if value[key] is not None
        }
        info = categories[category] = dataclasses.replace(categories[category], **header)
        defaults = {
            "skip": value["skip"],
            "severity_when_addressed": value["severity_when_addressed"],
            "leet": value["leet"],
        }
        raw_rules = cast(list[dict], value["rule"])
        for raw in raw_rules:
            raw = dict(raw)
            enabled = raw.pop("enabled", True)
            rule_id = raw.get("id")
            if not isinstance(enabled, bool):
                raise RuleError(f"{path.name}: rule {rule_id!r}: 'enabled' must be true or false")
            if isinstance(rule_id, str) and rule_id in seen:
                raise RuleError(f"{path.name}: rule {rule_id!r} is already overlaid in {seen[rule_id]}")
            seen[str(rule_id)] = path.name
            at = next((i for i, rule in enumerate(rules) if rule.id == rule_id), None)
            if not enabled:
                if at is None:
                    raise RuleError(f"{path.name}: rule {rule_id!r}: 'enabled = false' names no rule to switch off")
                del rules[at]
                continue
            rule = dataclasses.replace(parse_rule(raw, info, defaults, path, word_classes), source=str(path.resolve()))
            if at is not None:
                rules[at] = rule
            else:
                last = max((i for i, r in enumerate(rules) if r.category == category), default=len(rules) - 1)
                rules.insert(last + 1, rule)
    return RuleSet.build(rules, categories)


_default: RuleSet | None = None


def default_rules() -> RuleSet:
    """The bundled rules, loaded once per process."""
    global _default
    if _default is None:
        _default = load_rules()
    return _default
