"""Coach one message: (text, rules) -> Analysis. Pure: no I/O, no Slack, no globals changed.

Most support messages are clean, so the cost of a clean message is what matters: a word-set
prefilter picks the few rules worth running, and the full context checks only run where a
pattern actually matched.
"""

from __future__ import annotations

import dataclasses

from bot.context import MessageContext
from bot.learned import learned_findings
from bot.model import LearnedModel, default_model
from bot.models import CATEGORIES, Analysis, Finding, severity_rank
from bot.rules import Rule, RuleSet, default_rules
from bot.text import normalize

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
    candidates = rules.candidates(normalized.text)
    if not candidates and learned is None:
        return Analysis(text=text)
    context = MessageContext(normalized)
    findings: list[Finding] = []
    for rule in candidates:
        findings.extend(_rule_findings(rule, context))
    if findings:
        findings = _without_overlaps(findings, rules.order)
    model_score = None
    if isinstance(learned, LearnedModel):
        added, model_score = learned_findings(context, findings, rules, learned)
        findings += added
    if not findings:
        return Analysis(text=text, model_score=model_score)
    addressed = context.addressed_to_customer
    findings = [_with_severity(finding, rules, addressed) for finding in findings]
    categories = _categories(findings)
    return Analysis(
        text=text,
        findings=tuple(findings),
        categories=categories,
        severity=_message_severity(findings, categories),
        addressed_to_customer=addressed,
        model_score=model_score,
    )


def _rule_findings(rule: Rule, context: MessageContext) -> list[Finding]:
    normalized = context.normalized
    found: list[Finding] = []
    for pattern in rule.patterns:
        for match in pattern.finditer(normalized.text):
            start, end = match.span()
            if end <= start or context.suppresses(rule, start, end):
                continue
            o_start, o_end = normalized.to_original(start, end)
            found.append(
                Finding(
                    rule=rule.id,
                    category=rule.category,
                    severity=rule.severity,
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


def _without_overlaps(findings: list[Finding], order: dict[str, int]) -> list[Finding]:
    """One finding per stretch of text and category: the longest, then the more specific rule
    (rule files list specific slang before the catch-alls)."""
    ordered = sorted(findings, key=lambda f: (-(f.end - f.start), order.get(f.rule, 0), f.start))
    kept: list[Finding] = []
    for finding in ordered:
        clash = any(
            other.category == finding.category and finding.start < other.end and other.start < finding.end
            for other in kept
        )
        if not clash:
            kept.append(finding)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


def _with_severity(finding: Finding, rules: RuleSet, addressed: bool) -> Finding:
    rule = rules.get(finding.rule)
    if (
        addressed
        and rule is not None
        and rule.severity_when_addressed
        and severity_rank(rule.severity_when_addressed) > severity_rank(finding.severity)
    ):
        return dataclasses.replace(finding, severity=rule.severity_when_addressed)
    return finding


def _categories(findings: list[Finding]) -> tuple[str, ...]:
    present = {f.category for f in findings} | {c for f in findings for c in f.extra_categories}
    return tuple(category for category in CATEGORIES if category in present)


def _message_severity(findings: list[Finding], categories: tuple[str, ...]) -> str:
    worst = max(findings, key=lambda f: severity_rank(f.severity)).severity
    # An insult on top of arguing or blaming is hostility, whatever each part weighs alone.
    if "disparaging" in categories and len(categories) > 1:
        return "high"
    return worst
