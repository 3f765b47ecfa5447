"""A workspace's settings put to work on the engine: its custom terms added to the rules, and
its mutes, allowed phrases and thresholds applied to an analysis.

The settings themselves are data (bot.workspace), which the store reads and writes without
knowing the engine; everything here needs the rules and the detector, so it lives with them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import replace
from pathlib import Path

from bot.coaching.detect import _categories, _message_severity, detect
from bot.coaching.learned import RULE_PREFIX
from bot.coaching.rules import Rule, RuleError, RuleSet, Vocab, load_vocab, parse_rule
from bot.models import CATEGORIES, SEVERITIES, Analysis, severity_rank
from bot.workspace import WORKSPACE_SOURCE, CustomTerm, SettingsError, WorkspaceSettings

log = logging.getLogger(__name__)


def team_ruleset(settings: WorkspaceSettings, base: RuleSet) -> RuleSet:
    """``base`` plus the custom terms, built once per settings object and base.

    A term that no longer compiles (say, after a rule-file change) is left out rather than
    stopping the message path; `rules add` refuses such a term in the first place.
    """
    if not settings.terms:
        return base
    mine = settings.memo.get("ruleset")  # per object first: hashing the terms costs microseconds a message
    if isinstance(mine, tuple) and mine[0] is base:
        return mine[1]
    built = _terms_ruleset(base, settings.terms)
    settings.memo["ruleset"] = (base, built)
    return built


def apply_settings(settings: WorkspaceSettings, analysis: Analysis, channel: str = "") -> Analysis:
    """Drop muted, allowed and below-threshold findings; recompute the verdict from the rest."""
    if not analysis.findings or settings.empty:
        return analysis
    prepared = settings.prepared()
    threshold = severity_rank(settings.threshold_for(channel))
    spans = prepared.allowed_spans(analysis.text)
    kept = []
    for finding in analysis.findings:
        if finding.rule in prepared.muted or (channel and (finding.rule, channel) in prepared.muted_in):
            continue
        if severity_rank(finding.severity) < threshold:
            continue
        if any(
            start <= finding.start and finding.end <= end
            for rule, found in spans
            if not rule or rule == finding.rule
            for start, end in found
        ):
            continue
        kept.append(finding)
    if len(kept) == len(analysis.findings):
        return analysis
    if not kept:
        return Analysis(text=analysis.text, model_score=analysis.model_score)
    categories = _categories(kept)
    return replace(analysis, findings=tuple(kept), categories=categories, severity=_message_severity(kept, categories))


_RULESETS: dict[tuple[int, tuple[CustomTerm, ...]], tuple[RuleSet, RuleSet]] = {}
_RULESETS_KEPT = 4
_rulesets_lock = threading.Lock()
_build_lock = threading.Lock()


def _terms_ruleset(base: RuleSet, terms: tuple[CustomTerm, ...]) -> RuleSet:
    """``base`` plus ``terms``, kept per (base, terms) rather than per settings object.

    Building a rule set takes seconds; an agent pausing their nudges or a manager changing
    the digest makes a new settings object with the same terms, and must not rebuild it.
    """
    key = (id(base), terms)
    with _rulesets_lock:
        hit = _RULESETS.get(key)
    if hit is not None and hit[0] is base:
        return hit[1]
    with _build_lock:  # one build at a time: a second caller waits for the first one's result
        with _rulesets_lock:
            hit = _RULESETS.get(key)
        if hit is not None and hit[0] is base:
            return hit[1]
        extra = []
        for term in terms:
            try:
                extra.append(custom_rule(term, base))
            except RuleError as exc:  # logged once per change of terms: the result is kept
                log.warning("custom term %s left out: %s", term.rule_id, exc)
        started = time.perf_counter()
        built = RuleSet.build([*base.rules, *extra], base.categories) if extra else base
        log.info("built the rule set with %d custom term(s) in %.1f s", len(extra), time.perf_counter() - started)
        with _rulesets_lock:
            while len(_RULESETS) >= _RULESETS_KEPT:
                _RULESETS.pop(next(iter(_RULESETS)))
            _RULESETS[key] = (base, built)
    return built


_vocab: Vocab | None = None


def custom_rule(term: CustomTerm, base: RuleSet) -> Rule:
    """Compile a custom term through the rule-file parser, so it is checked the same way.

    A phrase becomes a leet-tolerant word pattern anchored on itself; a regex needs anchors,
    as in a rule file. Raises RuleError naming the term.
    """
    global _vocab
    if term.category not in CATEGORIES:
        raise RuleError(f"{WORKSPACE_SOURCE}: rule {term.rule_id!r}: 'category' must be one of {', '.join(CATEGORIES)}")
    info = base.categories.get(term.category)
    if info is None:
        raise RuleError(f"{WORKSPACE_SOURCE}: rule {term.rule_id!r}: the rules have no {term.category!r} category")
    if _vocab is None:
        _vocab = load_vocab()
    raw: dict[str, object] = {
        "id": term.rule_id,
        "severity": term.severity,
        "tip": term.tip,
        "examples": list(term.examples),
    }
    if term.is_pattern:
        raw["patterns"] = [term.phrase]
        raw["anchors"] = list(term.anchors)
    else:
        words = term.phrase.lower().split()
        if not words:
            raise RuleError(f"{WORKSPACE_SOURCE}: rule {term.rule_id!r}: the phrase is empty")
        raw["patterns"] = [r"(?<![\w])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w])"]
        raw["anchors"] = [" ".join(words)]
        raw["leet"] = True
    if term.rewrite is not None:
        raw["rewrite"] = term.rewrite
    defaults: dict[str, object] = {
        "skip": frozenset({"quoted", "meta", "negated"}),
        "severity_when_addressed": None,
        "leet": True,
    }
    rule = parse_rule(raw, info, defaults, Path(WORKSPACE_SOURCE), _vocab)
    return replace(rule, source=WORKSPACE_SOURCE)


def validate_term(term: CustomTerm, base: RuleSet) -> Rule:
    """What `rules add` checks before saving: it compiles, its id is new, its examples (the
    phrase itself at least) are flagged by it, and its rewrite is not itself flagged."""
    if base.get(term.rule_id) is not None:
        raise SettingsError(
            f"rule {term.rule_id!r} already exists in the rule files; pick another id "
            "(or override it with a file in COACH_RULES_DIR)"
        )
    if term.severity not in SEVERITIES:
        raise SettingsError(f"severity must be one of {', '.join(SEVERITIES)}")
    try:
        rule = custom_rule(term, base)
    except RuleError as exc:
        raise SettingsError(str(exc)) from None
    ruleset = RuleSet.build([*base.rules, rule], base.categories)
    examples = term.examples or (() if term.is_pattern else (term.phrase,))
    if not examples:
        raise SettingsError("a pattern term needs at least one --example it must flag")
    for example in examples:
        if term.rule_id not in {f.rule for f in detect(example, ruleset, model=None).findings}:
            raise SettingsError(f"rule {term.rule_id!r}: example not flagged: {example!r}")
    if term.rewrite and detect(term.rewrite, ruleset, model=None).flagged:
        raise SettingsError(f"rule {term.rule_id!r}: its rewrite is itself flagged: {term.rewrite!r}")
    return rule


def known_rule_ids(base: RuleSet, workspace: WorkspaceSettings) -> set[str]:
    """Ids a mute or an allow entry may name: the rules, the workspace's custom terms,
    learned-<category> and llm-judge."""
    return {rule.id for rule in base.rules} | {term.rule_id for term in workspace.terms} | set(stage_rule_ids())


def stage_rule_ids() -> list[str]:
    """The rule ids of the learned stage (learned-<category>) and of the LLM judge: in no rule
    file, yet muted and allowed like any rule (the settings screen offers them too)."""
    return [RULE_PREFIX + category for category in CATEGORIES] + ["llm-judge"]
