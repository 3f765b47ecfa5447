"""Turn a flagged draft into a calmer one: rules first (an LLM may improve on it elsewhere).

A rewrite keeps every sentence that was fine, swaps or drops the ones that blame, argue or
dismiss, and ends with a next step. Internal put-downs get a reflection prompt instead: the
useful question is what confused the customer, not how to phrase the joke. Whatever comes
out is run through the detector again; a suggestion that would itself be flagged is never
offered.
"""

from __future__ import annotations

import re

from bot.detect import detect
from bot.models import Analysis, Finding, Suggestion, severity_rank
from bot.rules import RuleSet, default_rules

_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"')\]_*]|$)|\n")
_ABBREVIATION = re.compile(r"\b(?:mr|mrs|ms|dr|st|vs|etc|e\.g|i\.e|approx|no)$", re.IGNORECASE)
# What opens a sentence and survives a rewrite of it: markup, "sending:", a greeting.
_KEEP_PREFIX = re.compile(
    r"^\s*(?:[*_~>]+\s*)?(?:(?:reply|sending|sent|draft|macro|response)\b[^:'\"\n]{0,30}[:>]\s*)?"
    r"['\"_*`]?\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|sir|madam|ma'am)\b"
    r"[^,\u2014!.?\n]{0,40}?(?:[,!]|\s[\u2014-])\s*)?",
    re.IGNORECASE,
)
_KEEP_SUFFIX = re.compile(r"['\"_*`]+\s*$")
_WORD = re.compile(r"[A-Za-z]{3,}")
_NEXT_STEP = re.compile(
    r"\b(?:i'?ll|i will|let me|let us|let's|could you|can you|would you|shall i|happy to|feel free"
    r"|let me know|let us know|here'?s (?:what|how|the)|next step|i can|we can|i'?ve)\b|\?",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"\n\s*(?:regards|best|best regards|kind regards|warm regards|cheers|thanks|thank you|many thanks"
    r"|sincerely|warmly|all the best|talk soon)\b[^\n]*(?:\n[^\n]{0,60})?\s*$",
    re.IGNORECASE,
)
_MAX_PASSES = 3


def rewrite(text: str, analysis: Analysis | None = None, rules: RuleSet | None = None) -> Suggestion | None:
    """A suggestion for a flagged message, or None when there is nothing to coach."""
    rules = rules if rules is not None else default_rules()
    analysis = analysis if analysis is not None else detect(text, rules)
    if not analysis.flagged:
        return None
    primary = _primary_category(analysis)
    if not analysis.addressed_to_customer and set(analysis.categories) == {"disparaging"}:
        return Suggestion(
            text=rules.categories[primary].reflection,
            kind="reflection",
            principles=analysis.principles,
        )
    draft = text
    current = analysis
    for _ in range(_MAX_PASSES):
        draft = _apply(draft, current, rules)
        current = detect(draft, rules)
        if not current.flagged:
            break
    if current.flagged or not _has_content(draft):
        draft = rules.categories[primary].fallback
    draft = _with_next_step(draft, rules.categories[primary].next_step)
    if detect(draft, rules).flagged:  # a next step from a rule file that itself argues
        draft = rules.categories[primary].fallback
    return Suggestion(text=draft, kind="rewrite", principles=analysis.principles)


def _primary_category(analysis: Analysis) -> str:
    worst = max(analysis.findings, key=lambda f: (severity_rank(f.severity), -f.start))
    return worst.category


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans covering the whole text; "Mrs." and "e.g." do not end a sentence."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(0) != "\n" and _ABBREVIATION.search(text, max(start, match.start() - 6), match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def _apply(text: str, analysis: Analysis, rules: RuleSet) -> str:
    """Rewrite each sentence that holds a finding; leave every other sentence as written."""
    sentences = _sentences(text)
    by_sentence: dict[int, list[Finding]] = {}
    for finding in analysis.findings:
        index = next(
            (i for i, (s, e) in enumerate(sentences) if s <= finding.start < e),
            len(sentences) - 1,
        )
        by_sentence.setdefault(index, []).append(finding)
    used: set[str] = set()
    rewritten = [
        (index, _rewrite_sentence(text, *sentences[index], by_sentence[index], rules, used))
        for index in sorted(by_sentence)
    ]
    out = text
    for index, new in reversed(rewritten):
        start, end = sentences[index]
        out = out[:start] + new + out[end:]
    return _tidy(out)


def _rewrite_sentence(
    text: str, start: int, end: int, findings: list[Finding], rules: RuleSet, used: set[str]
) -> str:
    """Swap the flagged phrases if what remains still says something, else the sentence."""
    sentence = text[start:end]
    body = sentence.rstrip()
    trailing = sentence[len(body):]
    prefix_match = _KEEP_PREFIX.match(body)
    prefix = prefix_match.group(0) if prefix_match else ""
    suffix_match = _KEEP_SUFFIX.search(body)
    suffix = suffix_match.group(0) if suffix_match and suffix_match.start() >= len(prefix) else ""
    found = [(f, rules.get(f.rule)) for f in sorted(findings, key=lambda f: f.start)]
    phrase_only = all(rule is not None and rule.rewrite is not None for _, rule in found)
    if phrase_only:
        edited = body
        for finding, rule in reversed(found):
            a, b = finding.start - start, finding.end - start
            edited = edited[:a] + _fit_case(edited, a, rule.rewrite) + edited[b:]
        content = edited[len(prefix):len(edited) - len(suffix)]
        if len(_WORD.findall(content)) >= 3:
            return edited + trailing
    replacement = next((rule.rewrite_sentence for _, rule in found if rule and rule.rewrite_sentence), "")
    if replacement in used:
        replacement = ""
    used.add(replacement)
    replacement = _fit_case(prefix, len(prefix), replacement)
    return prefix + replacement + suffix + trailing


def _fit_case(text: str, position: int, replacement: str) -> str:
    """Capitalise at the start of a sentence, lower-case after a comma or a greeting."""
    if not replacement:
        return replacement
    before = text[:position].rstrip()
    at_start = not before or before[-1] in ".!?\n:'\"_*`>"
    if at_start:
        return replacement[0].upper() + replacement[1:]
    if replacement[:2] != "I " and replacement[:2] != "I'":
        return replacement[0].lower() + replacement[1:]
    return replacement


def _tidy(text: str) -> str:
    text = text.strip()
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([.!?])\s+(['\"_*`]+)(?=\s|$)", r"\1\2", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"([.!?])\s*[,;:]\s*", r"\1 ", text)
    text = re.sub(r"(^|[.!?]\s+|\n)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"(?m)^[ \t]*[,;:]\s*", "", text)
    return text.strip()


def _has_content(text: str) -> bool:
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 3


def _with_next_step(text: str, next_step: str) -> str:
    if _NEXT_STEP.search(text):
        return text
    sign_off = _SIGN_OFF.search(text)
    if sign_off:
        body = text[: sign_off.start()].rstrip()
        return f"{body} {next_step}{text[sign_off.start():]}"
    if not text.rstrip().endswith((".", "!", "?")):
        text = text.rstrip() + "."
    return f"{text} {next_step}"


_THIRD_PERSON = re.compile(
    r"\b(?:she|he|her|him|they|them|their|the customer|customers?|clients?|the guy|the lady|the user|users"
    r"|fyi|eod|heads up|team|guys|folks|anyone|ticket|tickets)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|you're|you'll|you've|you'd|u|ur)\b", re.IGNORECASE)


def audience(text: str, analysis: Analysis) -> str:
    """Who the message is for: "customer" (a reply or draft), "colleague" (a note about a
    case) or "chatter" (a put-down in team talk, which gets a reflection, not a rewrite)."""
    if analysis.addressed_to_customer:
        return "customer"
    if set(analysis.categories) == {"disparaging"}:
        return "chatter"
    if _THIRD_PERSON.search(text) and not _SECOND_PERSON.search(text):
        return "colleague"
    return "customer"
