"""Coach one message: (text, rules) -> Analysis. Pure: no I/O, no Slack, no globals changed.

Most support messages are clean, so the cost of a clean message is what matters: a word-set
prefilter picks the few rules worth running, and the full context checks only run where a
pattern actually matched. Long messages must not cost more per character than short ones, so
each pattern only runs where the prefilter saw a literal it needs (``RuleSet.scan``), with
exactly the matches a run over the whole text would give.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterator

from bot.coaching import segments
from bot.coaching.context import MessageContext, cue_outside
from bot.coaching.learned import is_learned, learned_findings, message_severity
from bot.coaching.model import LearnedModel, default_model, tokens_of
from bot.coaching.prefilter import Windows, matches
from bot.coaching.rules import Rule, RuleSet, default_rules
from bot.coaching.text import normalize
from bot.models import CATEGORIES, Analysis, Finding, severity_rank

MAX_FINDINGS_PER_RULE = 20
MAX_TEXT_LENGTH = 100_000  # Slack caps messages at 40,000 characters; more is not a message


_BUNDLED = object()  # "the bundled model": distinct from None, which means rules only


def detect(text: str, rules: RuleSet | None = None, model: LearnedModel | object | None = _BUNDLED) -> Analysis:
    """Find disparaging, blaming, argumentative and dismissive wording in one message.

    Rules run first; the learned model (the bundled one unless ``model`` says otherwise,
    ``None`` for rules only) then adds what no rule anticipated.
    """
    if not isinstance(text, str):
        raise TypeError(f"detect() needs a str, not {type(text).__name__}")
    rules = rules if rules is not None else default_rules()
    learned = default_model() if model is _BUNDLED else model
    if not text or text.isspace():
        return Analysis(text=text)
    normalized = normalize(text[:MAX_TEXT_LENGTH])
    candidates = rules.runs(normalized.text)
    if not candidates and learned is None:
        return Analysis(text=text)
    context = MessageContext(normalized)
    findings: list[Finding] = []
    shared: dict[tuple[int, int], tuple[list[tuple[int, int]], Iterator[re.Match[str]]]] = {}
    for rule, runs in candidates:
        findings.extend(_rule_findings(rule, runs, context, shared))
    if findings:
        findings = _without_overlaps(findings, rules.order)
    model_score = None
    if isinstance(learned, LearnedModel):
        added, model_score = learned_findings(context, findings, rules, learned)
        findings += added
        if findings and _vetoed(
            findings, model_score, learned, rules, normalized.original, context.addressed_to_customer
        ):
            findings = []
    if not findings:
        return Analysis(text=text, model_score=model_score)
    addressed = context.addressed_to_customer
    categories = _categories(findings)
    severity = isinstance(learned, LearnedModel) and _read_severity(context, learned, categories, findings, rules)
    return Analysis(
        text=text,
        findings=tuple(findings),
        categories=categories,
        severity=severity or _message_severity(findings, categories),
        addressed_to_customer=addressed,
        model_score=model_score,
    )


def _vetoed(
    findings: list[Finding],
    model_score: float | None,
    model: LearnedModel,
    rules: RuleSet,
    original: str,
    addressed: bool = False,
) -> bool:
    """A bundled rule's flag falls when the model is all but sure the message is clean: a
    phrase fits, but nothing else reads as harsh (a near miss the rule's own exceptions did
    not foresee). The model must be as sure of each flagged sentence alone, so one bad sentence
    in a long good message still stands. A team's own terms and overlays always stand."""
    veto = model.thresholds.get("veto", 0.0)
    if addressed:  # said to the customer: the rule's phrase is rarely a mention or a literal use
        veto = model.thresholds.get("veto_addressed", veto)
    if model_score is None or model_score >= veto:
        return False
    bundled = default_rules()
    if not all(_bundled_unchanged(finding, rules, bundled) for finding in findings):
        return False
    sentences = _flagged_sentences(original, findings)
    return not any(len(tokens) >= 2 and model.flag_score(tokens) >= veto for tokens in sentences)


def _bundled_unchanged(finding: Finding, rules: RuleSet, bundled: RuleSet) -> bool:
    """Did a bundled rule, as shipped, find this? Not a learned finding, a team's own term or a
    team's overlay of a bundled rule: those are settings, which the model never overrides."""
    at = bundled.order.get(finding.rule)
    return at is not None and bundled.rules[at] == rules.rules[rules.order[finding.rule]]


def _flagged_sentences(original: str, findings: list[Finding]) -> list[list[str]]:
    """Per finding, the words of its sentence in the typed text, as the model reads them."""
    starts = segments.sentence_starts(original)
    spans = (segments.sentence_at(original, f.start, f.end, starts) for f in findings)
    return [tokens_of(normalize(original[start:end]).text) for start, end in spans]


def _rule_findings(
    rule: Rule,
    runs: list[tuple[int, Windows | None]],
    context: MessageContext,
    shared: dict[tuple[int, int], tuple[list[tuple[int, int]], Iterator[re.Match[str]]]],
) -> list[Finding]:
    """The rule's unsuppressed matches, at most MAX_FINDINGS_PER_RULE, in pattern order
    (``runs``: the patterns that can match, by position, with their windows; see RuleSet.runs).

    ``shared`` holds, per (pattern, windows) object pair of this message (both live until
    detect returns, so their ids are stable), the spans found so far and the search that
    finds the rest: rules that share a compiled pattern (a vocabulary expansion, a copied
    rule) search the text for it once, and no further than the rule that reads most.
    """
    normalized = context.normalized
    text = normalized.text
    found: list[Finding] = []
    settled = rule.unless_message is None and rule.only_if_message is None
    severity: str | None = None
    patterns = rule.patterns
    for position, where in runs:
        pattern = patterns[position]
        entry = shared.get((id(pattern), id(where)))
        if entry is None:
            entry = shared[(id(pattern), id(where))] = ([], matches(pattern, text, where))
        for start, end in _spans(entry):
            if end <= start:
                continue
            if not settled:
                # Message-wide conditions: settled at the first match rather than at each one
                # (a long, dense message has hundreds of matches). "only if" holds for all
                # matches alike; an excusing cue is dropped when no un-negated cue occurs
                # anywhere, and otherwise judged per match (a match never excuses itself).
                if rule.only_if_message is not None and not rule.only_if_message.search(text):
                    context.excused.append((start, end))
                    return found
                keep_cue = rule.unless_message is not None and cue_outside(rule.unless_message, text, -1, -1)
                rule = dataclasses.replace(
                    rule, unless_message=rule.unless_message if keep_cue else None, only_if_message=None
                )
                settled = True
            if context.suppresses(rule, start, end):
                context.excused.append((start, end))
                continue
            if severity is None:  # first finding: a rule may weigh more in a reply to a customer
                severity = rule.severity
                when = rule.severity_when_addressed
                if when and severity_rank(when) > severity_rank(severity) and context.addressed_to_customer:
                    severity = when
            o_start, o_end = normalized.to_original(start, end)
            found.append(
                Finding(
                    rule=rule.id,
                    category=rule.category,
                    severity=severity,
                    start=o_start,
                    end=o_end,
                    match=normalized.original[o_start:o_end],
                    tip=rule.tip,
                    principle=rule.principle,
                    extra_categories=rule.extra_categories,
                )
            )
            if len(found) >= MAX_FINDINGS_PER_RULE:
                return found
    return found


def _spans(entry: tuple[list[tuple[int, int]], Iterator[re.Match[str]]]) -> Iterator[tuple[int, int]]:
    """A pattern's match spans, searched for only as far as a rule reads them (a rule stops
    at MAX_FINDINGS_PER_RULE) and kept for the next rule that shares the pattern."""
    found, matches = entry
    index = 0
    while True:
        if index == len(found):
            match = next(matches, None)
            if match is None:
                return
            found.append(match.span())
        yield found[index]
        index += 1


def _without_overlaps(findings: list[Finding], order: dict[str, int]) -> list[Finding]:
    """One finding per stretch of text and category: the longest, then the more specific rule
    (rule files list specific slang before the catch-alls)."""
    ordered = sorted(findings, key=lambda f: (-(f.end - f.start), order.get(f.rule, 0), f.start))
    kept: list[Finding] = []
    # Kept spans of one category never overlap, so sorted by start they are sorted by end too:
    # a clash check is one bisect, not a scan of everything kept (dense long messages).
    spans: dict[str, tuple[list[int], list[int]]] = {}
    for finding in ordered:
        starts, ends = spans.setdefault(finding.category, ([], []))
        at = bisect.bisect_right(ends, finding.start)
        if at < len(starts) and starts[at] < finding.end:
            continue
        starts.insert(at, finding.start)
        ends.insert(at, finding.end)
        kept.append(finding)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


def _categories(findings: list[Finding]) -> tuple[str, ...]:
    present = {f.category for f in findings} | {c for f in findings for c in f.extra_categories}
    return tuple(category for category in CATEGORIES if category in present)


def _read_severity(
    context: MessageContext, model: LearnedModel, categories: tuple[str, ...], findings: list[Finding], rules: RuleSet
) -> str | None:
    """The model's reading of the message (learned.message_severity), never below the severity
    a team gave its own terms or rule files: that is a setting, not a guess."""
    original = context.normalized.original
    severity = message_severity(context, model, categories, lambda: _flagged_sentences(original, findings))
    if severity is None:
        return None
    bundled = default_rules()
    for finding in findings:
        if is_learned(finding.rule) or _bundled_unchanged(finding, rules, bundled):
            continue  # the model's reading stands
        if severity_rank(finding.severity) > severity_rank(severity):
            severity = finding.severity
    return severity


def _message_severity(findings: list[Finding], categories: tuple[str, ...]) -> str:
    worst = max(findings, key=lambda f: severity_rank(f.severity)).severity
    # An insult on top of arguing or blaming is hostility, whatever each part weighs alone.
    if "disparaging" in categories and len(categories) > 1:
        return "high"
    return worst
