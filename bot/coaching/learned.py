"""Turn the learned model's scores into findings that still say what and why.

A nudge must point at the words and give a reason, whoever spotted them. So when the model
flags a message, its finding covers the sentence that scores highest, carries the category
the model is surest of, and the category's tip and principle, exactly like a rule finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.coaching.context import MessageContext
from bot.coaching.features import message_tokens, own_text
from bot.coaching.greetings import BARE_SALUTATION, is_courtesy
from bot.coaching.model import MODEL_DIR, SEVERITY_OUTPUTS, LearnedModel, token_spans, tokens_of
from bot.coaching.rule_schema import CONTEXT_SKIPS
from bot.coaching.rules import Rule, RuleSet
from bot.models import CATEGORIES, SEVERITIES, Finding, severity_rank
from bot.prompts import RuleError, read_toml

TIPS_FILE = MODEL_DIR / "tips.toml"
RULE_PREFIX = "learned-"
MIN_SENTENCE_TOKENS = 2
LONG_MESSAGE_TOKENS = 60  # longer: severity is read on the flagged sentences (see message_severity)
ADDRESSED_OR_NOT = frozenset({"disparaging"})  # the one category that counts in team chatter too
SCORED_OUTPUTS = (*CATEGORIES, *SEVERITY_OUTPUTS)  # what a flagged message's finding needs (flag_score gave the flag)


@dataclass(frozen=True)
class CategoryTip:
    tip: str
    severity: str
    severity_when_addressed: str | None = None
    skip: frozenset[str] = frozenset()
    # Words a negation still excuses when "negated" is not skipped for the whole category: a
    # contradiction is made of negations, but "it's not obvious at all" defends the customer.
    negated_words: re.Pattern[str] | None = None
    # Sentence frames that make the category's words something else: "you should have a new
    # invoice by now" tells the customer what to expect, it is not hindsight.
    unless_sentence: re.Pattern[str] | None = None


@lru_cache(maxsize=1)
def category_tips() -> dict[str, CategoryTip]:
    """The tips for learned findings (prompts/model/tips.toml), checked once."""
    data = read_toml(TIPS_FILE)
    tips = {}
    for category in CATEGORIES:
        entry = data.get(category)
        if not isinstance(entry, dict) or not isinstance(entry.get("tip"), str):
            raise RuleError(f"{TIPS_FILE.name}: [{category}] needs a 'tip'")
        severity = entry.get("severity", "medium")
        addressed = entry.get("severity_when_addressed")
        if severity not in SEVERITIES or (addressed is not None and addressed not in SEVERITIES):
            raise RuleError(f"{TIPS_FILE.name}: [{category}] severities must be one of {', '.join(SEVERITIES)}")
        skip = entry.get("skip", [])
        if not isinstance(skip, list) or not set(skip) <= CONTEXT_SKIPS:
            raise RuleError(f"{TIPS_FILE.name}: [{category}] 'skip' may only hold {', '.join(sorted(CONTEXT_SKIPS))}")
        words = entry.get("negated_words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise RuleError(f"{TIPS_FILE.name}: [{category}] 'negated_words' must be a list of strings")
        try:
            negated = re.compile("(?:" + "|".join(words) + ")") if words else None
        except re.error as exc:
            raise RuleError(f"{TIPS_FILE.name}: [{category}] 'negated_words': {exc}") from None
        frames = entry.get("unless_sentence", [])
        if not isinstance(frames, list) or not all(isinstance(f, str) for f in frames):
            raise RuleError(f"{TIPS_FILE.name}: [{category}] 'unless_sentence' must be a list of strings")
        try:
            unless = re.compile("|".join(f"(?:{f})" for f in frames)) if frames else None
        except re.error as exc:
            raise RuleError(f"{TIPS_FILE.name}: [{category}] 'unless_sentence': {exc}") from None
        tips[category] = CategoryTip(entry["tip"].strip(), severity, addressed, frozenset(skip), negated, unless)
    return tips


def is_learned(rule_id: str) -> bool:
    return rule_id.startswith(RULE_PREFIX)


def learned_findings(
    context: MessageContext, findings: list[Finding], rules: RuleSet, model: LearnedModel
) -> tuple[list[Finding], float | None]:
    """Findings the model adds (none, a whole new flag, or a category the rules missed),
    and its flag probability (None when the message is too short to judge)."""
    own = own_text(context)
    tokens = tokens_of(own)
    if len(tokens) < MIN_SENTENCE_TOKENS:
        return [], None
    # read as word classes once: a flagged message's scores() needs the same grams
    grams = model.word_classes.grams(tokens) if model.word_classes is not None else None
    flag_score = model.flag_score(tokens, grams)
    if flag_score < model.flag_threshold or _courtesy_only(context, own):
        return [], flag_score
    scores = model.scores(tokens, SCORED_OUTPUTS, grams)
    if max(scores[c] for c in CATEGORIES) < model.thresholds.get("evidence", 0.0):
        return [], flag_score  # no category believes it: an unfamiliar style, not harsh words
    present = {f.category for f in findings} | {c for f in findings for c in f.extra_categories}
    threshold = model.thresholds.get("category", 0.5)
    ranked = sorted(CATEGORIES, key=lambda c: -scores[c])
    if findings:
        wanted = [c for c in ranked if c not in present and scores[c] >= threshold]
    else:
        wanted = [ranked[0]] + [c for c in ranked[1:] if scores[c] >= threshold]
    if context.colleague_directed and not context.addressed_to_customer:
        # Blaming, arguing and brushing off are things said to a customer; in a note to the
        # team only a put-down counts (the labelling rules say the same). A bare statement
        # ("Can't help with that one.") is a plain reply unless it is plainly team talk:
        # measured on unseen written data, requiring a "you" or a greeting lost 9 points of recall.
        wanted = [c for c in wanted if c in ADDRESSED_OR_NOT]
    if not wanted:
        return [], flag_score
    start, end = _best_sentence(context, own, model, wanted[0])
    if flag_score < model.thresholds.get("overrule_excuse", 2.0) and any(
        a < end and start < b for a, b in context.excused
    ):
        return [], flag_score  # a rule saw these words and the context excused them
    tips = category_tips()
    tip = tips[wanted[0]]
    if tip.unless_sentence is not None and tip.unless_sentence.search(own, start, end):
        return [], flag_score  # the sentence's frame makes its words something else (tips.toml)
    trigger = _trigger(own, start, end, model, wanted[0])
    rule = _context_rule(wanted[0], tip)
    if (
        trigger is not None
        and tip.negated_words is not None
        and "negated" not in tip.skip
        and tip.negated_words.fullmatch(own, *trigger)
    ):
        rule = _context_rule(wanted[0], dataclasses.replace(tip, skip=tip.skip | {"negated"}))
    if trigger is not None and context.suppresses(rule, *trigger):
        return [], flag_score  # the same context checks as the rules: meta, negated, self, colleague...
    o_start, o_end = context.normalized.to_original(start, end)
    added = []
    harshness = _severity(scores, model)
    for category in wanted:
        tip = tips[category]
        severity = harshness or tip.severity
        if (
            tip.severity_when_addressed
            and context.addressed_to_customer
            and severity_rank(tip.severity_when_addressed) > severity_rank(severity)
        ):
            severity = tip.severity_when_addressed  # the guide's floor: a put-down said to a customer is high
        info = rules.categories.get(category)
        added.append(
            Finding(
                rule=RULE_PREFIX + category,
                category=category,
                severity=severity,
                start=o_start,
                end=o_end,
                match=context.normalized.original[o_start:o_end],
                tip=tip.tip,
                principle=info.principle if info else "",
            )
        )
    return added, flag_score


def message_severity(
    context: MessageContext,
    model: LearnedModel,
    categories: tuple[str, ...],
    flagged_sentences: Callable[[], list[list[str]]],
) -> str | None:
    """How harsh the model reads a flagged message, whoever flagged it (None: a model without
    severity outputs, or too few words to judge). A long message is read by its flagged
    sentences (the words of each, from ``flagged_sentences``): one put-down in a page of thanks
    is still a put-down, and the page would dilute it (the features are scaled to its length).

    A rule's severity says how heavy its phrase usually is; the labels grade the message, and
    the model reads the message. Cross-validated on the training split (fitted on four fifths,
    read on the rest), the model's reading with the guide's two floors matched the label on
    85.5% of the rule-flagged messages against 81.2% for the heaviest rule finding, although
    the rules were written while reading those very messages.
    """
    tokens = message_tokens(context)
    if len(tokens) > LONG_MESSAGE_TOKENS:
        tokens = [token for sentence in flagged_sentences() for token in sentence]
    if len(tokens) < MIN_SENTENCE_TOKENS:
        return None
    harshness = _severity(model.scores(tokens, SEVERITY_OUTPUTS), model)
    if harshness is None:
        return None
    # The labelling guide's floors: a put-down said to the customer, or on top of blaming,
    # arguing or brushing off, is high whatever the rest of the message sounds like.
    if "disparaging" in categories and (context.addressed_to_customer or len(categories) > 1):
        return "high"
    return harshness


def _severity(scores: dict[str, float], model: LearnedModel) -> str | None:
    """How harsh the model reads a flagged message (None: a model without severity outputs)."""
    high, low = model.thresholds.get("severity_high"), model.thresholds.get("severity_low")
    if high is None or low is None:
        return None
    if scores.get("high", 0.0) >= high:
        return "high"
    return "low" if scores.get("low", 0.0) >= low else "medium"


def _trigger(own: str, start: int, end: int, model: LearnedModel, category: str) -> tuple[int, int] | None:
    """The word of the sentence that pushes hardest towards the category: the span the
    context checks judge, as they judge a rule's match. A single word, not a pair, so that a
    negation or "my" before it stays outside the span, where the checks look for it."""
    spans = token_spans(own, start, end)
    best: tuple[float, int, int] | None = None
    for token, a, b in spans:
        push = model.push(token, category)
        if push > 0 and (best is None or push > best[0]):
            best = (push, a, b)
    return (best[1], best[2]) if best else None


@lru_cache(maxsize=8)
def _context_rule(category: str, tip: CategoryTip) -> Rule:
    """A stand-in rule that carries the category's context checks for a learned finding."""
    return Rule(
        id=RULE_PREFIX + category,
        category=category,
        severity=tip.severity,
        tip=tip.tip,
        principle="",
        patterns=(),
        skip=tip.skip,
    )


def _courtesy_only(context: MessageContext, own: str) -> bool:
    """Is every sentence of the author's own words a greeting, thank-you, well-wish or sign-off?
    The labelled files hold almost no such message, so the model's reading of one is a guess
    (a bare "Thank you for your understanding." scores as a brush-off); the rules still run."""
    starts = context.sentence_starts
    bounds = [*starts[1:], len(own)]
    return all(is_courtesy(own[start:end]) for start, end in zip(starts, bounds, strict=True))


def _best_sentence(context: MessageContext, own: str, model: LearnedModel, category: str) -> tuple[int, int]:
    """The span of the sentence that, alone, scores highest for the category."""
    starts = context.sentence_starts
    bounds = [*starts[1:], len(own)]
    best: tuple[float, int, int] | None = None
    # a sign-off alone ("Regards,") has too few words for the model: it can read as more
    # dismissive than the refusal above it, so a sentence with words of its own is preferred
    spans = list(zip(starts, bounds, strict=False))
    worded = [(a, b) for a, b in spans if not BARE_SALUTATION.fullmatch(own, a, b)]
    for start, end in worded or spans:
        tokens = tokens_of(own[start:end])
        if not tokens:
            continue
        score = model.scores(tokens, (category,))[category]
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return 0, len(context.text)
    _, start, end = best
    piece = context.text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece.rstrip())
    return start + lead, start + max(lead, trail)
